"""Two editors on one block (issue 15, item 8): a save over a version someone changed since is merged field by
field with theirs (editor/merge.py). Different fields: saved on top, one write, told whose changes were kept.
The same field: nothing saved, both values named, the form at their version holding both sides' changes; saving
it again goes through. Through the admin's change page, as the browser posts it."""

from __future__ import annotations

import pytest

from accounts.permissions import Actor
from blocks.services import block_update_data, block_update_meta
from revisions.models import BlockRevision
from tests.editor.conftest import make_block, member
from tests.editor.helpers import change_url, post_change

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "title", "type": "string"},
    {"name": "intro", "type": "text"},
    {"name": "price", "type": "number"},
]


@pytest.fixture
def opened(site):
    """A block as the first editor opened it (version 1: title, intro and price set), then a second editor's
    save of the title and the name (version 2)."""
    block = make_block(site, schema=SCHEMA, data={"title": "Pricing", "intro": "Plans", "price": 5})
    opened_at = block.version
    bob = Actor(user=member(site, "bob", "editor"), site=site, role="editor")
    block = block_update_data(actor=bob, block=block, data={"title": "Our prices"}, expected_version=None)
    block = block_update_meta(actor=bob, block=block, changes={"name": "Prices"}, expected_version=None)
    return block, opened_at


def test_changes_to_other_fields_are_saved_on_top_of_theirs(opened, admin_as):
    block, opened_at = opened
    client = admin_as("editor")
    before = BlockRevision.objects.filter(block=block).count()
    # The form as it was opened: the old title and name, a new intro and price.
    form = [("d.title", "Pricing"), ("d.intro", "All plans, monthly"), ("d.price", "7")]
    response = post_change(client, block, form, version=str(opened_at), name="Header")
    assert response.status_code == 302 and response["Location"] == change_url(block)
    block.refresh_from_db()
    assert block.data == {"title": "Our prices", "intro": "All plans, monthly", "price": 7}
    assert block.name == "Prices"  # theirs, untouched by the form's old value
    assert BlockRevision.objects.filter(block=block).count() == before + 1  # one write
    page = client.get(change_url(block)).content.decode()
    assert "Bob saved this block while you were editing (they changed Title, Name); your changes were saved on top" in (
        page
    )


def test_the_same_field_changed_by_both_is_a_conflict_settled_by_saving_again(opened, admin_as):
    block, opened_at = opened
    client = admin_as("editor")
    form = [("d.title", "Prices and plans"), ("d.intro", "Monthly"), ("d.price", "5")]
    response = post_change(client, block, form, version=str(opened_at), name="Header")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"bob saved this block (version {block.version}) while you were editing; they changed Title, Name" in html
    assert "You both changed: Title: yours “Prices and plans”, theirs “Our prices”" in html
    # The form now holds theirs (the name) and mine (title, intro), at their version: nothing typed is lost.
    assert f'name="version" value="{block.version}"' in html
    assert 'value="Prices and plans"' in html and ">Monthly</textarea>" in html
    assert 'name="name" value="Prices"' in html
    block.refresh_from_db()
    assert block.data["title"] == "Our prices" and block.data["intro"] == "Plans"  # nothing saved yet

    # Saving the settled form again goes through.
    settled = post_change(client, block, [("d.title", "Prices and plans"), ("d.intro", "Monthly"), ("d.price", "5")])
    assert settled.status_code == 302
    block.refresh_from_db()
    assert block.data == {"title": "Prices and plans", "intro": "Monthly", "price": 5} and block.name == "Prices"


def test_the_same_change_made_by_both_is_no_conflict(opened, admin_as):
    block, opened_at = opened
    response = post_change(
        admin_as("editor"), block, [("d.title", "Our prices"), ("d.price", "9")], version=str(opened_at), name="Header"
    )
    assert response.status_code == 302
    block.refresh_from_db()
    assert block.data["title"] == "Our prices" and block.data["price"] == 9
