"""The block's history pages in the admin: list with change lists, one revision, restore through the service."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_replace_schema, block_update_data
from editor.problems import SEPARATOR
from revisions.models import BlockRevision
from tests.conftest import build_site
from tests.editor.conftest import make_block


def history_url(block) -> str:
    return reverse("admin:blocks_siteblock_history", args=[block.pk])


def revision_url(block, revision) -> str:
    return reverse("admin:blocks_siteblock_revision", args=[block.pk, revision.number])


def restore_url(block, revision) -> str:
    return reverse("admin:blocks_siteblock_restore", args=[block.pk, revision.number])


@pytest.fixture
def header(site):
    block = make_block(site, data={"title": "One", "links": [{"label": "a", "url": "/a"}] * 3})
    owner = block.created_by
    actor = Actor(user=owner, site=site, role="owner")
    block = block_update_data(actor=actor, block=block, data={"title": "Two"}, expected_version=None)
    return block_update_data(
        actor=actor, block=block, data={"links": [{"label": "a", "url": "/a"}] * 2}, expected_version=None
    )


def revisions_of(block) -> list[BlockRevision]:
    return list(BlockRevision.objects.filter(block=block).order_by("number"))


@pytest.mark.django_db
def test_history_lists_revisions_newest_first_with_change_lists(admin_as, header):
    response = admin_as("viewer").get(history_url(header))
    assert response.status_code == 200
    html = response.content.decode()
    first, second, third = revisions_of(header)
    assert html.index(f'id="cms-revision-{third.number}"') < html.index(f'id="cms-revision-{second.number}"')
    # Named by the fields' labels; one numbering (the block's own revision numbers), no database ids.
    assert "<li>Links: 3 items → 2 items</li>" in html
    assert "<li>Title: One → Two</li>" in html
    assert f">Revision {third.number}</a>" in html and "(id " not in html
    compare = reverse("admin:blocks_siteblock_compare", args=[header.pk])
    assert f'{compare}?from={second.number}&amp;to={third.number}"' in html  # "Compare with the one before"
    assert "Created" in html and "Updated data" in html
    assert "cms-restore" not in html  # a viewer cannot restore
    assert revision_url(header, first) in html


@pytest.mark.django_db
def test_history_page_query_count_is_flat(admin_as, header):
    client = admin_as("editor")
    client.get(history_url(header))  # warm the session / content types
    with CaptureQueriesContext(connection) as few:
        client.get(history_url(header))
    owner = Actor(user=header.created_by, site=header.site, role="owner")
    block = header
    for index in range(20):
        block = block_update_data(actor=owner, block=block, data={"title": f"t{index}"}, expected_version=None)
    with CaptureQueriesContext(connection) as many:
        assert client.get(history_url(header)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries) <= 12


@pytest.mark.django_db
def test_revision_page_shows_content_and_what_restore_would_change(admin_as, header):
    first = revisions_of(header)[0]
    response = admin_as("editor").get(revision_url(header, first))
    assert response.status_code == 200
    html = response.content.decode()
    # Each value restoring would change, inside the list too: the third link comes back.
    assert '<tr class="cms-change-changed" data-path="data.title">' in html
    assert '<th scope="row">Title</th>' in html and "<del>Two</del>" in html and "<ins>One</ins>" in html
    assert '<tr class="cms-change-added" data-path="data.links[2]">' in html
    assert html.count("Revision 1 of Header (en)</h1>") == 1  # one heading names it (the admin title)
    assert "Publish the restored content" in html and "Restore revision 1</button>" in html
    assert 'id="cms-restore-form"' in html
    assert "One" in html


@pytest.mark.django_db
def test_restore_button_restores_through_the_service(admin_as, header):
    first = revisions_of(header)[0]
    client = admin_as("editor")
    response = client.post(restore_url(header, first), {"version": header.version})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:blocks_siteblock_change", args=[header.pk])
    header.refresh_from_db()
    assert header.data["title"] == "One" and len(header.data["links"]) == 3
    newest = revisions_of(header)[-1]
    assert newest.comment == f"Restored from revision {first.number}"
    assert newest.author.username == "editor-acme"
    assert header.status == "draft"


@pytest.mark.django_db
def test_restore_and_publish_from_the_admin(admin_as, header):
    first = revisions_of(header)[0]
    admin_as("editor").post(restore_url(header, first), {"version": header.version, "publish": "1"})
    header.refresh_from_db()
    assert header.status == "published"
    assert header.published_snapshot["data"]["title"] == "One"


@pytest.mark.django_db
def test_stale_restore_changes_nothing_and_warns(admin_as, header):
    first = revisions_of(header)[0]
    client = admin_as("editor")
    response = client.post(restore_url(header, first), {"version": header.version - 1}, follow=True)
    assert "changed since you opened it" in response.content.decode()
    header.refresh_from_db()
    assert header.data["title"] == "Two"
    assert len(revisions_of(header)) == 3


@pytest.mark.django_db
def test_viewer_cannot_restore_and_get_is_refused(admin_as, header):
    first = revisions_of(header)[0]
    assert admin_as("viewer").post(restore_url(header, first), {"version": header.version}).status_code == 403
    assert admin_as("editor").get(restore_url(header, first)).status_code == 403
    assert len(revisions_of(header)) == 3


@pytest.mark.django_db
def test_another_blocks_or_sites_revision_is_404(admin_as, header, site):
    """Revisions are addressed by their number in the block's history: a number past it is 404, and another
    site's block is never reached."""
    make_block(site, name="Footer")
    client = admin_as("editor")
    past = reverse("admin:blocks_siteblock_revision", args=[header.pk, 4])
    assert client.get(past).status_code == 404
    restore_past = reverse("admin:blocks_siteblock_restore", args=[header.pk, 4])
    assert client.post(restore_past, {"version": header.version}).status_code == 404
    other = build_site("globex", ("en",))
    foreign = make_block(other, name="Header")
    assert client.get(history_url(foreign)).status_code == 404
    assert client.get(revision_url(foreign, revisions_of(foreign)[0])).status_code == 404
    assert SiteBlock.objects.get(pk=header.pk).data["title"] == "Two"


def compare_url(block, older, newer) -> str:
    return reverse("admin:blocks_siteblock_compare", args=[block.pk]) + f"?from={older}&to={newer}"


PLANS = [
    {"name": "title", "type": "string"},
    {
        "name": "plans",
        "type": "array",
        "items": {
            "type": "object",
            "fields": [
                {"name": "planName", "type": "string", "label": "Plan name"},
                {"name": "price", "type": "number"},
            ],
        },
    },
]


@pytest.mark.django_db
def test_compare_any_two_revisions_down_to_the_values_inside_lists(admin_as, site):
    block = make_block(
        site,
        schema=PLANS,
        data={"title": "Pricing", "plans": [{"planName": "Basic", "price": 5}, {"planName": "Pro", "price": 9}]},
    )
    actor = Actor(user=block.created_by, site=site, role="owner")
    block = block_update_data(
        actor=actor,
        block=block,
        data={"plans": [{"planName": "Basic", "price": 5}, {"planName": "Pro+", "price": 12}, {"planName": "Team"}]},
        expected_version=None,
    )
    block = block_update_data(actor=actor, block=block, data={"title": "Plans and prices"}, expected_version=None)
    client = admin_as("viewer")

    html = client.get(compare_url(block, 1, 3)).content.decode()
    assert "From revision 1 to revision 3" in html
    rows = re.findall(r'<tr class="cms-change-(\w+)" data-path="([^"]+)">\s*<th scope="row">([^<]+)</th>', html)
    assert rows == [
        ("changed", "data.title", "Title"),
        ("changed", "data.plans[1].planName", SEPARATOR.join(["Plans", "2", "Plan name"])),
        ("changed", "data.plans[1].price", SEPARATOR.join(["Plans", "2", "Price"])),
        ("added", "data.plans[2]", SEPARATOR.join(["Plans", "3"])),
    ]
    assert "<del>Pro</del>" in html and "<ins>Pro+</ins>" in html and "<del>9</del>" in html and "<ins>12</ins>" in html

    # Newest first or oldest first, and a revision against the working copy; the same revision: no differences.
    backwards = client.get(compare_url(block, 3, 1)).content.decode()
    assert '<tr class="cms-change-removed" data-path="data.plans[2]">' in backwards
    current = client.get(compare_url(block, 2, "current")).content.decode()
    assert f"From revision 2 to the working copy (v{block.version})" in current and 'data-path="data.title"' in current
    assert 'id="cms-compare-none"' in client.get(compare_url(block, 2, 2)).content.decode()

    # A revision that does not exist, or no choice at all: 404, not an error page with a trace.
    assert client.get(compare_url(block, 9, 1)).status_code == 404
    assert client.get(reverse("admin:blocks_siteblock_compare", args=[block.pk]) + "?from=x").status_code == 404


@pytest.mark.django_db
def test_compare_shows_schema_fields_added_and_changed(admin_as, site):
    block = make_block(site, schema=PLANS, data={"title": "Pricing"})
    actor = Actor(user=block.created_by, site=site, role="owner")
    schema = [{**PLANS[0], "required": True, "maxLength": 80}, PLANS[1], {"name": "note", "type": "text"}]
    block, _ = block_replace_schema(actor=actor, block=block, schema=schema, expected_version=None)
    html = admin_as("viewer").get(compare_url(block, 1, "current")).content.decode()
    rows = re.findall(r'<tr class="cms-change-(\w+)" data-path="(schema\.[^"]+)">', html)
    assert rows == [("changed", "schema.title"), ("added", "schema.note")]
    assert "<ins>string, required, max 80</ins>" in html and "<ins>text</ins>" in html
