"""Who else has a block open (issue 15, item 8): the edit page's action bar names them, kept current by a
heartbeat (`POST <pk>/presence/`, editor/presence.py), and forgets them a while after their last beat."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from editor import presence
from tests.editor.conftest import logged_in, make_block, member
from tests.editor.helpers import change_url

pytestmark = pytest.mark.django_db


def fresh(block_id: int) -> int:
    """Forget earlier beats on this id (another test's block may have had it): the cache outlives a test."""
    cache.delete(presence._key(block_id))
    return block_id


def test_the_edit_page_names_who_else_has_the_block_open(site):
    block = make_block(site)
    fresh(block.pk)
    ann, bob = logged_in(member(site, "ann", "editor")), logged_in(member(site, "bob", "editor"))
    first = ann.get(change_url(block)).content.decode()
    assert 'id="cms-presence"' in first and "Also open" not in first  # alone
    second = bob.get(change_url(block)).content.decode()
    assert '<span class="cms-presence" id="cms-presence" role="status"' in second and "Also open: ann</span>" in second

    beat = reverse("admin:blocks_siteblock_presence", args=[block.pk])
    answer = ann.post(beat)
    assert answer.status_code == 200 and answer.json() == {"others": ["bob"]}
    assert ann.get(beat).status_code == 403  # a beat is a POST


def test_someone_is_forgotten_after_the_window_and_others_are_listed_by_arrival():
    fresh(7), fresh(8)
    assert presence.beat(7, 1, "ann", now=1000.0) == []
    assert presence.beat(7, 2, "bob", now=1001.0) == ["ann"]
    assert presence.beat(7, 3, "cid", now=1002.0) == ["ann", "bob"]
    assert presence.beat(7, 1, "ann", now=1010.0) == ["bob", "cid"]
    # bob and cid stop beating; after the window only ann is left, and she sees nobody.
    assert presence.beat(7, 1, "ann", now=1002.0 + presence.WINDOW + 1) == []
    assert presence.beat(8, 2, "bob", now=1000.0) == []  # another block: its own list


def test_a_viewer_without_access_to_the_site_gets_no_answer(site, other_site):
    block = make_block(site)
    outsider = logged_in(member(other_site, "eve", "editor"))
    response = outsider.post(reverse("admin:blocks_siteblock_presence", args=[block.pk]))
    assert response.status_code == 404
