"""Named hooks (`cms.hooks`) and the project's wiring (`wiring.connect`): order, transactions, failures, tests."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from accounts import events as account_events
from blocks import events as block_events
from cms.hooks import Hook
from delivery import cache as delivery_cache
from delivery import changelog as delivery_changelog
from delivery import prerender as delivery_prerender
from delivery import purging as delivery_purging
from delivery import search as delivery_search
from locales import events as locale_events
from releases import events as release_events
from reviews import events as review_events
from reviews import gate as review_gate
from webhooks import outbox


def test_subscribers_run_in_order_and_once_each():
    hook = Hook("test", after_commit=False)
    heard: list[str] = []
    first, second = (lambda tag: heard.append(f"1:{tag}")), (lambda tag: heard.append(f"2:{tag}"))
    hook.subscribe(first)
    hook.subscribe(second)
    hook.subscribe(first)  # again: keeps its first place, runs once
    hook.fire("a")
    assert heard == ["1:a", "2:a"]
    assert hook.subscribers == (first, second)


def test_an_inside_hook_fails_the_caller():
    hook = Hook("test", after_commit=False)

    def broken(**kwargs):
        raise RuntimeError("no")

    hook.subscribe(broken)
    with pytest.raises(RuntimeError):
        hook.fire(x=1)


@pytest.mark.django_db(transaction=True)
def test_an_after_commit_hook_waits_for_the_commit_and_hears_nothing_on_rollback(caplog):
    hook = Hook("test", after_commit=True)
    heard: list[int] = []

    def broken(value: int) -> None:
        raise RuntimeError("broken subscriber")

    hook.subscribe(broken)
    hook.subscribe(heard.append)
    with transaction.atomic():
        hook.fire(1)
        assert heard == []  # not before the commit
    assert heard == [1]  # the broken subscriber before it did not stop it...
    assert "broken subscriber" in caplog.text or any(r.levelno == logging.ERROR for r in caplog.records)  # ...logged
    with pytest.raises(ValueError), transaction.atomic():
        hook.fire(2)
        raise ValueError
    assert heard == [1]  # a rolled-back change announces nothing


def test_subscribed_and_swapped_restore_the_real_subscribers():
    hook = Hook("test", after_commit=False)
    real = hook.subscribe(lambda: None)
    other = hook.subscribe(lambda: None)
    stand_in = lambda: None  # noqa: E731
    with hook.swapped(real, stand_in):
        assert hook.subscribers == (stand_in, other)
    with hook.subscribed(stand_in):
        assert hook.subscribers == (real, other, stand_in)
    assert hook.subscribers == (real, other)


def test_the_wiring_subscribes_what_docs_architecture_says():
    assert block_events.publishing.subscribers == (review_gate.refuse_unapproved_block,)
    assert release_events.publishing.subscribers == (review_gate.refuse_unapproved_release,)
    assert review_events.recorded.subscribers == (outbox.record_review_event,)
    assert release_events.recorded.subscribers == (outbox.record_release_event,)
    assert block_events.recorded.subscribers == (
        outbox.record_block_events,
        delivery_changelog.record_block_events,
        delivery_prerender.on_block_events,
        delivery_purging.on_block_events,
        delivery_search.record_block_events,
    )
    assert block_events.committed.subscribers == (delivery_cache.on_block_event,)
    # the stored answers are marked stale before the caches drop theirs (wiring/connect.py)
    assert account_events.site_changed.subscribers == (
        delivery_prerender.on_site_changed,
        delivery_cache.invalidate_site,
        delivery_purging.on_site_changed,
    )
    assert account_events.token_revoked.subscribers == (delivery_cache.forget_token,)
    assert locale_events.locale_toggled.subscribers == (delivery_changelog.record_locale_toggled,)
    assert locale_events.site_locales_changed.subscribers == (
        delivery_prerender.on_site_changed,
        delivery_cache.invalidate_site,
        delivery_purging.on_site_changed,
    )
    assert not block_events.recorded.after_commit and block_events.committed.after_commit
    assert not block_events.publishing.after_commit and not release_events.publishing.after_commit


@pytest.mark.django_db(transaction=True)
def test_a_test_swaps_one_subscriber_through_the_fixture_and_the_others_still_run(api, swap):
    heard: list[str] = []
    swap(block_events.committed, delivery_cache.on_block_event, lambda event: heard.append(event.event))
    created = api.post("/api/v1/site-blocks", {"type": "global", "name": "Header"}, format="json")
    assert created.status_code == 201
    assert api.post("/api/v1/site-blocks/header/publish").status_code == 200
    assert heard == ["block.created", "block.published"]
    assert block_events.recorded.subscribers[0] == outbox.record_block_events  # the other hook untouched
