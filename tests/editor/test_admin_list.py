"""The block list: columns, filters, search, and site scoping by membership."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_copy_to_locale, block_publish, block_update_data
from revisions.models import BlockRevision
from tests.editor.conftest import make_block, member

LIST = reverse("admin:blocks_siteblock_changelist")


def names(response) -> list[str]:
    return sorted(block.name for block in response.context["cl"].result_list)


@pytest.fixture
def blocks(site, other_site):
    header = make_block(site, name="Header", tags=["nav"])
    about = make_block(site, name="About", type="page", path="/about", schema=[], tags=["pages"])
    make_block(site, name="Footer", locale="fr", data={"title": "Pied"})
    make_block(other_site, name="Globex secret")
    owner = member(site, "boss", "owner")
    actor = Actor(user=owner, site=site, role="owner")
    header = block_update_data(actor=actor, block=header, data={"title": "Hi"}, expected_version=None)
    header = block_publish(actor=actor, block=header, expected_version=None)
    block_update_data(actor=actor, block=header, data={"title": "Hello"}, expected_version=None)
    block_publish(actor=actor, block=about, expected_version=None)
    return site


def test_member_sees_only_their_sites_blocks(blocks, admin_as):
    response = admin_as("viewer").get(LIST)
    assert response.status_code == 200
    assert names(response) == ["About", "Footer", "Header"]
    assert b"Globex secret" not in response.content


def test_list_columns_show_status_with_unpublished_changes(blocks, admin_as):
    html = admin_as("editor").get(LIST).content.decode()
    for column in ("column-slug", "column-type", "column-path", "column-locale", "column-updated_at"):
        assert column in html
    assert "Published, with unpublished changes" in html
    assert "Draft" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "changed"}, ["Header"]),
        ({"state": "published"}, ["About", "Header"]),
        ({"state": "draft"}, ["Footer"]),
        ({"type__exact": "page"}, ["About"]),
        ({"locale": "fr"}, ["Footer"]),
        ({"tag": "nav"}, ["Header"]),
        ({"q": "about"}, ["About"]),
        ({"q": "/about"}, ["About"]),
        ({"q": "foot"}, ["Footer"]),
    ],
)
def test_filters_and_search(blocks, admin_as, query, expected):
    assert names(admin_as("editor").get(LIST, query)) == expected


def test_site_filter_lists_only_member_sites(blocks, admin_as, other_site):
    response = admin_as("editor").get(LIST)
    html = response.content.decode()
    assert f"?site={blocks.pk}" in html
    assert f"?site={other_site.pk}" not in html
    # Forcing the other site's id in the URL still shows none of its blocks.
    assert names(admin_as("editor").get(LIST, {"site": other_site.pk})) == []


def test_other_sites_block_page_is_not_reachable(blocks, admin_as, other_site):
    secret = SiteBlock.objects.get(name="Globex secret")
    response = admin_as("owner").get(reverse("admin:blocks_siteblock_change", args=[secret.pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect, nothing rendered
    assert b"Globex" not in response.content


def test_non_member_cannot_enter(db, site):
    stranger = get_user_model().objects.create_user("stranger", password="pw-for-tests-1")
    client = Client()
    client.force_login(stranger)
    assert client.get(LIST).status_code == 302  # to the login page


def confirmed(action: str, ids) -> dict:
    """The post of a bulk action's confirm page (its "Yes" button)."""
    return {"action": action, "_selected_action": ids, "confirmed": "yes"}


def test_bulk_publish_and_unpublish_ask_first_and_say_what_happens(blocks, admin_as):
    client = admin_as("editor")
    ids = list(SiteBlock.objects.filter(site=blocks).values_list("pk", flat=True))
    before = {block.pk: block.version for block in SiteBlock.objects.filter(site=blocks)}
    statuses = dict(SiteBlock.objects.filter(site=blocks).values_list("pk", "status"))
    page = client.post(LIST, {"action": "publish_selected", "_selected_action": ids})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="cms-confirm"' in html
    assert f"Publish {len(ids)} block(s)?" in html
    assert "goes live on the delivery API at once" in html
    assert all(f'name="_selected_action" value="{pk}"' in html for pk in ids)
    assert "Yes, publish" in html
    # Asking wrote nothing.
    assert {block.pk: block.version for block in SiteBlock.objects.filter(site=blocks)} == before
    assert dict(SiteBlock.objects.filter(site=blocks).values_list("pk", "status")) == statuses

    response = client.post(LIST, confirmed("publish_selected", ids), follow=True)
    assert response.status_code == 200
    # Header's data is valid now; every block of the site is published.
    assert set(SiteBlock.objects.filter(site=blocks).values_list("status", flat=True)) == {"published"}

    page = client.post(LIST, {"action": "unpublish_selected", "_selected_action": ids})
    assert "The delivery API stops serving it at once" in page.content.decode()
    assert set(SiteBlock.objects.filter(site=blocks).values_list("status", flat=True)) == {"published"}
    client.post(LIST, confirmed("unpublish_selected", ids), follow=True)
    assert set(SiteBlock.objects.filter(site=blocks).values_list("status", flat=True)) == {"draft"}


def test_bulk_publish_of_an_unchanged_published_block_adds_no_revision(site, admin_as):
    block = make_block(site, name="Live", data={"title": "Hi"})
    owner = member(site, "owner-live", "owner")
    block = block_publish(actor=Actor(user=owner, site=site, role="owner"), block=block, expected_version=block.version)
    revisions, version = BlockRevision.objects.filter(block_id=block.pk).count(), block.version
    response = admin_as("editor").post(LIST, confirmed("publish_selected", [block.pk]), follow=True)
    assert "Published 1 block(s)." in response.content.decode()
    block.refresh_from_db()
    assert BlockRevision.objects.filter(block_id=block.pk).count() == revisions
    assert block.version == version and block.status == "published"


def test_bulk_publish_reports_blocks_that_cannot_publish(site, admin_as):
    empty = make_block(site, name="Needs title")
    response = admin_as("editor").post(LIST, confirmed("publish_selected", [empty.pk]), follow=True)
    text = response.content.decode()
    assert "Not published: Needs title" in text
    assert "Title: " in text and "data.title" not in text  # the field's label, not its API path
    empty.refresh_from_db()
    assert empty.status == "draft"


def test_viewer_has_no_publish_action(blocks, admin_as):
    client = admin_as("viewer")
    html = client.get(LIST).content.decode()
    assert "publish_selected" not in html
    ids = list(SiteBlock.objects.filter(site=blocks).values_list("pk", flat=True))
    client.post(LIST, confirmed("unpublish_selected", ids))
    assert SiteBlock.objects.get(name="About").status == "published"


def test_member_logs_in_through_the_admin_login_form(site):
    member(site, "wendy", "translator")
    client = Client()
    response = client.post(reverse("admin:login"), {"username": "wendy", "password": "pw-for-tests-1", "next": LIST})
    assert response.status_code == 302 and response["Location"] == LIST
    assert client.get(LIST).status_code == 200


def test_stranger_cannot_log_in(db):
    get_user_model().objects.create_user("nobody", password="pw-for-tests-1")
    response = Client().post(reverse("admin:login"), {"username": "nobody", "password": "pw-for-tests-1"})
    assert response.status_code == 200 and b"Please enter the correct" in response.content


def test_delete_goes_through_the_service(site, admin_as):
    block = make_block(site, name="Doomed")
    assert BlockRevision.objects.filter(block_id=block.pk).exists()
    client = admin_as("editor")
    response = client.post(reverse("admin:blocks_siteblock_delete", args=[block.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not SiteBlock.objects.filter(pk=block.pk).exists()
    assert not BlockRevision.objects.filter(block_id=block.pk).exists()


def test_viewer_cannot_delete(site, admin_as):
    block = make_block(site, name="Kept")
    client = admin_as("viewer")
    assert client.post(reverse("admin:blocks_siteblock_delete", args=[block.pk]), {"post": "yes"}).status_code == 403
    client.post(LIST, {"action": "delete_selected", "_selected_action": [block.pk], "post": "yes"})
    assert SiteBlock.objects.filter(pk=block.pk).exists()


def test_list_query_count_does_not_grow_with_rows(site, admin_as):
    client = admin_as("editor")
    make_block(site, name="B0", tags=["t"])
    client.get(LIST)  # warm caches (content types, sessions)

    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for index in range(1, 15):
        make_block(site, name=f"B{index}", tags=[f"t{index}"], locale="fr" if index % 2 else None)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    assert len(many.captured_queries) <= len(few.captured_queries), [q["sql"] for q in many.captured_queries]


def test_locale_copies_are_listed_under_their_source_whatever_the_sort(site, admin_as):
    owner = Actor(user=member(site, "grouper", "owner"), site=site, role="owner")
    header = make_block(site, name="Header")
    footer = make_block(site, name="Footer")
    make_block(site, name="About")
    fr_header = block_copy_to_locale(actor=owner, block=header, locale="fr")
    block_update_data(actor=owner, block=fr_header, data={"title": "En-tête"}, expected_version=None)
    SiteBlock.objects.filter(pk=fr_header.pk).update(name="En-tête")
    block_copy_to_locale(actor=owner, block=footer, locale="fr")
    block_copy_to_locale(actor=owner, block=footer, locale="es")
    client = admin_as("editor")

    def rows(query: str) -> list[tuple[str, str]]:
        return [(b.name, b.locale) for b in client.get(LIST + query).context["cl"].result_list]

    assert rows("") == [
        ("About", "en"),
        ("Footer", "en"),
        ("Footer", "es"),
        ("Footer", "fr"),
        ("Header", "en"),
        ("En-tête", "fr"),  # under its source, not among the E's
    ]
    assert rows("?o=-1") == [  # name, descending: the groups reversed, each still source first
        ("Header", "en"),
        ("En-tête", "fr"),
        ("Footer", "en"),
        ("Footer", "es"),
        ("Footer", "fr"),
        ("About", "en"),
    ]
    html = client.get(LIST).content.decode()
    assert (
        '<span class="cms-copy-row"><span aria-hidden="true">↳ </span>En-tête <span class="cms-copy-of">(fr copy)'
        "</span></span>" in html
    )


def test_grouped_list_costs_the_same_queries_for_few_and_many_groups(site, admin_as):
    owner = Actor(user=member(site, "grouper", "owner"), site=site, role="owner")
    client = admin_as("editor")
    for index in range(2):
        block_copy_to_locale(actor=owner, block=make_block(site, name=f"A{index}"), locale="fr")
    client.get(LIST + "?o=2")
    with CaptureQueriesContext(connection) as few:
        client.get(LIST + "?o=-1")
    for index in range(20):
        block_copy_to_locale(actor=owner, block=make_block(site, name=f"B{index}"), locale="fr")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST + "?o=-1").context["cl"].result_list) == 44
    assert len(many.captured_queries) == len(few.captured_queries)
