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


def malformed(bare: str) -> dict:
    return {
        "error": {
            "code": "bad_request",
            "message": f'If-Match must be the quoted ETag, e.g. "{bare}"; weak tags (W/"…") never match.',
            "fields": {"If-Match": f'Must be a quoted ETag such as "{bare}", as the ETag header sent it.'},
        }
    }


@pytest.mark.parametrize("form", ["weak", "unquoted", "weak and unquoted", "one of a list unquoted", "half quoted"])
def test_an_unquoted_or_weak_tag_is_explained_not_called_stale(api, form):
    """Issue 21: `If-Match: 7-11` of the current version answered "The block changed since you read it"; it is
    the form that is wrong, so the answer says which form to send, and nothing is written."""
    etag = create_header(api)
    bare = etag.strip('"')
    header = {
        "weak": f"W/{etag}",
        "unquoted": bare,
        "weak and unquoted": f"W/{bare}",
        "one of a list unquoted": f"{etag}, {bare}",
        "half quoted": f'"{bare}',
    }[form]
    answer = rename(api, "Lost", header)
    assert (answer.status_code, answer.json()) == (400, malformed(bare))
    block = SiteBlock.objects.get(slug="header")
    assert (block.name, block.version) == ("Header", 1)


def test_a_star_or_no_header_is_no_precondition(api):
    create_header(api)
    assert rename(api, "A", "*").status_code == 200
    assert api.patch("/api/v1/site-blocks/header", {"name": "B"}, format="json").status_code == 200
