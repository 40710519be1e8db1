"""`If-Match`: one parser, strong comparison (RFC 9110), and any listed tag that is current lets the write through."""

from __future__ import annotations

import pytest

from blocks.models import SiteBlock

pytestmark = pytest.mark.django_db

STALE = {
    "error": {
        "code": "stale_write",
        "message": "The block changed since you read it (If-Match does not match its ETag). Reload and retry.",
    }
}


def create_header(api) -> str:
    return api.post("/api/v1/site-blocks", {"type": "global", "name": "Header"}, format="json").headers["ETag"]


def rename(api, name: str, if_match: str):
    return api.patch("/api/v1/site-blocks/header", {"name": name}, format="json", HTTP_IF_MATCH=if_match)


def test_a_list_naming_the_current_tag_passes_under_the_lock_too(api):
    first = create_header(api)
    second = rename(api, "Top", first).headers["ETag"]
    # The current tag listed second: the early check and the check under the row lock agree.
    answer = rename(api, "Top 2", f"{first}, {second}")
    assert answer.status_code == 200, answer.json()
    assert SiteBlock.objects.get(slug="header").name == "Top 2"


def test_a_list_of_stale_tags_changes_nothing(api):
    first = create_header(api)
    second = rename(api, "Top", first).headers["ETag"]
    rename(api, "Top 2", second)
    answer = rename(api, "Lost", f"{first}, {second}")
    assert answer.status_code == 409
    assert answer.json() == STALE
    assert SiteBlock.objects.get(slug="header").name == "Top 2"


def test_a_weak_tag_never_matches(api):
    etag = create_header(api)
    answer = rename(api, "Lost", f"W/{etag}")
    assert answer.status_code == 409
    assert answer.json() == STALE
    assert SiteBlock.objects.get(slug="header").name == "Header"


def test_a_star_or_no_header_is_no_precondition(api):
    create_header(api)
    assert rename(api, "A", "*").status_code == 200
    assert api.patch("/api/v1/site-blocks/header", {"name": "B"}, format="json").status_code == 200
