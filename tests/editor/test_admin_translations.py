"""The block list's translation column: one mark per enabled locale, for the whole page in fixed queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.permissions import Actor
from blocks.services import block_copy_to_locale, block_update_data
from tests.editor.conftest import make_block, member

LIST = reverse("admin:blocks_siteblock_changelist")


@pytest.fixture
def owner_actor(site):
    return Actor(user=member(site, "boss", "owner"), site=site, role="owner")


def test_column_shows_one_mark_per_locale(site, admin_as, owner_actor):
    header = make_block(site, name="Header", data={"title": "Hello"})
    block_copy_to_locale(actor=owner_actor, block=header, locale="fr")
    es = block_copy_to_locale(actor=owner_actor, block=header, locale="es")
    block_update_data(actor=owner_actor, block=header, data={"title": "Hello there"}, expected_version=None)
    block_update_data(actor=owner_actor, block=es, data={"title": "Hola"}, expected_version=None)
    response = admin_as("viewer").get(LIST + "?locale__exact=en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="cms-tr cms-tr-complete" title="en: complete, 1/1 fields">en ✓</span>' in html
    assert '<span class="cms-tr cms-tr-complete" title="es: complete, 1/1 fields">es ✓</span>' in html
    assert 'title="fr: partial, 1/1 fields; outdated: title">fr !</span>' in html


def test_column_costs_the_same_queries_for_3_or_30_rows(site, admin_as, owner_actor):
    client = admin_as("editor")
    for index in range(3):
        block_copy_to_locale(actor=owner_actor, block=make_block(site, name=f"A{index}"), locale="fr")
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(LIST).context["cl"].result_list) == 6
    for index in range(27):
        block_copy_to_locale(actor=owner_actor, block=make_block(site, name=f"B{index}"), locale="es")
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["cl"].result_list) == 50  # a full page: 30 sources, 30 copies, 50 per page
    assert len(many.captured_queries) == len(few.captured_queries)
