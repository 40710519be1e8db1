"""Publish from the block form (issue 15): it publishes what is in the form, as one write and one revision;
when it cannot, nothing is saved and every problem is summarised at the top (counted, linked, in labels) and
marked beside its field (aria-invalid, aria-describedby). Unpublish asks first."""

from __future__ import annotations

import re

from django.urls import reverse

from accounts.permissions import Actor
from blocks.models import SiteBlock
from blocks.services import block_publish
from editor.forms import PUBLISH_BUTTON
from editor.problems import SEPARATOR
from revisions.models import BlockRevision
from tests.editor.conftest import make_block, member
from tests.editor.helpers import change_url, post_change

PLANS_SCHEMA = [
    {"name": "title", "type": "string", "required": True},
    {
        "name": "plans",
        "type": "array",
        "items": {
            "type": "object",
            "fields": [{"name": "planName", "type": "string", "required": True}, {"name": "price", "type": "number"}],
        },
    },
]

PLANS_POST = [
    ("d.title", "Pricing"),
    ("d.plans.r1.__row", "1"),
    ("d.plans.r1.planName", "Basic"),
    ("d.plans.r1.price", "5"),
    ("d.plans.r2.__row", "1"),
    ("d.plans.r2.planName", "Pro"),
    ("d.plans.r2.price", "9"),
]


def state(block: SiteBlock) -> tuple:
    block.refresh_from_db()
    revisions = BlockRevision.objects.filter(block_id=block.pk).count()
    return block.version, block.status, block.name, block.data, block.published_snapshot, revisions


def published(site, **kwargs) -> SiteBlock:
    block = make_block(site, **kwargs)
    owner = member(site, "publisher", "owner")
    return block_publish(actor=Actor(user=owner, site=site, role="owner"), block=block, expected_version=block.version)


def test_publish_saves_the_form_and_publishes_it_as_one_revision(site, admin_as):
    block = published(site, name="Pricing", schema=PLANS_SCHEMA, data={"title": "Old"})
    version, _, _, _, _, revisions = state(block)
    client = admin_as("editor")
    response = post_change(client, block, PLANS_POST, name="Pricing 2026", **{PUBLISH_BUTTON: "1"})
    assert response.status_code == 302 and response.url == change_url(block)  # back on the block
    block.refresh_from_db()
    expected = {"title": "Pricing", "plans": [{"planName": "Basic", "price": 5}, {"planName": "Pro", "price": 9}]}
    assert block.name == "Pricing 2026" and block.data == expected
    assert block.status == "published" and not block.has_unpublished_changes
    assert block.published_snapshot == {"schema": block.schema, "data": expected}
    assert block.version == version + 1 and block.published_version == block.version
    latest = BlockRevision.objects.filter(block_id=block.pk).order_by("-number")
    assert latest.count() == revisions + 1
    assert latest[0].comment == "Updated name, tags or path; Updated data; Published"
    page = client.get(change_url(block)).content.decode()
    assert "Saved and published “Pricing 2026” (version" in page


def test_publish_of_a_draft_without_changes_publishes_it(site, admin_as):
    block = make_block(site, schema=PLANS_SCHEMA, data={"title": "Ready"})
    version, _, _, _, _, revisions = state(block)
    post_change(admin_as("editor"), block, [("d.title", "Ready")], **{PUBLISH_BUTTON: "1"})
    new_version, status, _, _, snapshot, new_revisions = state(block)
    assert status == "published" and snapshot["data"] == {"title": "Ready"}
    assert (new_version, new_revisions) == (version + 1, revisions + 1)


def test_publish_of_a_live_block_without_changes_writes_nothing(site, admin_as):
    block = published(site, schema=PLANS_SCHEMA, data={"title": "Live"})
    before = state(block)
    response = post_change(admin_as("editor"), block, [("d.title", "Live")], **{PUBLISH_BUTTON: "1"})
    assert response.status_code == 302
    assert state(block) == before  # no empty revision, no version bump


def test_publish_with_problems_saves_nothing_and_shows_them_where_the_eye_is(site, admin_as):
    block = make_block(site, schema=PLANS_SCHEMA, data={"title": "Draft"})
    before = state(block)
    post = [
        ("d.title", ""),
        ("d.plans.r1.__row", "1"),
        ("d.plans.r1.planName", "Basic"),
        ("d.plans.r2.__row", "1"),
        ("d.plans.r2.planName", ""),
        ("d.plans.r2.price", "9"),
    ]
    response = post_change(admin_as("editor"), block, post, **{PUBLISH_BUTTON: "1"})
    assert response.status_code == 200
    assert state(block) == before  # neither saved nor published
    html = response.content.decode()
    summary = html.split('id="cms-error-summary"', 1)[1].split("</div>", 1)[0]
    assert "2 problems: nothing was saved" in summary
    links = re.findall(r'<a href="#([^"]+)" data-target="[^"]+">([^<]+)</a>: ([^<]+)</li>', summary)
    assert [(anchor, label) for anchor, label, _ in links] == [
        ("cms-d-title", "Title"),
        ("cms-d-plans-i1-planName", SEPARATOR.join(["Plans", "2", "Plan name"])),
    ]
    assert "data." not in summary  # no API paths, no zero-based indexes
    # Each error beside its control, tied to it.
    for anchor, _, message in links:
        control = re.search(rf'<input [^>]*id="{anchor}"[^>]*>', html)
        assert control, anchor
        assert 'aria-invalid="true"' in control.group(0)
        assert f'aria-describedby="{anchor}-error"' in control.group(0)
        assert f'<ul class="errorlist cms-field-error" id="{anchor}-error"><li>{message}</li></ul>' in html
        assert f'<label class="cms-label" for="{anchor}">' in html
    assert 'value="9"' in html  # what the editor typed is still there


def test_save_draft_with_a_bad_value_lists_it_too(site, admin_as):
    block = make_block(site, schema=PLANS_SCHEMA, data={"title": "Draft"})
    before = state(block)
    post = [("d.title", "Draft"), ("d.plans.r1.__row", "1"), ("d.plans.r1.price", "cheap")]
    html = post_change(admin_as("editor"), block, post, _continue="1").content.decode()
    assert state(block) == before
    assert "1 problem: nothing was saved" in html
    price = SEPARATOR.join(["Plans", "1", "Price"])
    assert f'<a href="#cms-d-plans-i0-price" data-target="cms-d-plans-i0-price">{price}</a>' in html


def test_row_buttons_are_named_by_row(site, admin_as):
    block = make_block(site, schema=PLANS_SCHEMA, data={"title": "T", "plans": [{"planName": "A"}, {"planName": "B"}]})
    html = admin_as("editor").get(change_url(block)).content.decode()
    for label in ("Move plan 2 up", "Move plan 2 down", "Remove plan 2", "Move plan 1 up"):
        assert f'aria-label="{label}"' in html
    assert 'role="group" aria-label="Plan 2"' in html
    assert (
        '<button type="submit" name="_cms_publish" value="1" class="cms-button cms-button-primary" id="cms-publish">'
        in html
    )


def test_translator_cannot_publish_from_the_form(site, admin_as):
    block = make_block(site, schema=PLANS_SCHEMA, data={"title": "Draft"}, locale="fr")
    before = state(block)
    client = admin_as("translator")
    assert "cms-publish" not in client.get(change_url(block)).content.decode()
    response = post_change(client, block, [("d.title", "Changed")], **{PUBLISH_BUTTON: "1"})
    assert response.status_code == 200
    assert "Your role on this site cannot publish; nothing was saved." in response.content.decode()
    assert state(block) == before


def test_unpublish_asks_first_and_says_what_happens(site, admin_as):
    block = published(site, data={"title": "Live"})
    before = state(block)
    client = admin_as("editor")
    url = reverse("admin:blocks_siteblock_unpublish", args=[block.pk])
    page = client.get(url).content.decode()
    assert f"Unpublish “{block.name}” ({block.locale})?" in page
    assert "The delivery API stops serving it at once" in page
    assert f'<input type="hidden" name="version" value="{block.version}">' in page
    assert state(block) == before  # asking wrote nothing
    assert admin_as("viewer").get(url).status_code in (403, 404)
    client.post(url, {"version": block.version})
    block.refresh_from_db()
    assert block.status == "draft"
