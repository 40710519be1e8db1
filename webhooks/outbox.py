"""Webhooks' transactional outbox: the block-event recorder, run inside the write's own transaction.

`record_block_events` is subscribed to `blocks.events` as a recorder: it runs when the service emits the
events, inside the write's transaction. If any of the site's active webhooks wants an event, it inserts ONE
row: a queued `webhooks.tasks.fan_out` task that carries the events and, per matching webhook, the delivery
id chosen now. A write that emits several events together (`blocks.events.together`: updated + published;
every write that reaches several locale copies or blocks wraps its transaction in it) gets one row for all.
That row commits with the write or vanishes with its rollback, so:

- nothing is sent before the write commits (the worker cannot see the row until then);
- a committed write never loses its webhook events (no window between the commit and a later insert in
  which a crash or a database error drops them, as the former after-commit listener had);
- the write pays no transaction of its own and no per-webhook cost: one indexed read of the site's active
  webhooks (once per transaction, however many events it emits) and, only when some webhook matches, one
  insert per batch of events. The after-commit design cost an extra commit per event (an fsync on SQLite, round trips
  on PostgreSQL); `bench/webhooks_hanging.py` measures the write's time (figures in the README's table).

The read of a site's active webhooks is kept for the rest of the transaction. Whatever writes a webhook
inside a transaction must therefore drop that read (`forget_active_hooks`), so that block writes after it in
the same transaction see the change: the webhook services do (`webhooks.services`).

The worker then fans the row out (`webhooks.tasks.fan_out_events`).
"""

from __future__ import annotations

import uuid

from django.db import connection, transaction

from blocks.events import BlockEvent
from releases.events import ReleaseEvent
from reviews.events import ReviewEvent
from webhooks.bulk_enqueue import enqueue_now
from webhooks.models import Webhook
from webhooks.payloads import event_record, release_event_record, review_record
from webhooks.tasks import fan_out


class _TransactionMemo:
    """Marks the current transaction in `connection.run_on_commit` and remembers what was read in it.

    A webhook written in the transaction drops its site's entry (`forget_active_hooks`, called by the
    webhook services), so a block write after it sees it.

    Registered as a no-op on_commit callback: Django drops it when the transaction commits or rolls back (or
    the savepoint it was registered in rolls back), so the memo never outlives the transaction that read it.
    """

    def __init__(self) -> None:
        self.hooks_by_site: dict[int, list[Webhook]] = {}

    def __call__(self) -> None:
        pass


def _memo() -> _TransactionMemo | None:
    if not connection.in_atomic_block:
        return None
    # (savepoint ids, callable, robust) since Django 4.2; django-stubs still says pairs.
    for _, func, _ in connection.run_on_commit:  # type: ignore[misc]
        if isinstance(func, _TransactionMemo):
            return func
    memo = _TransactionMemo()
    transaction.on_commit(memo)
    return memo


def forget_active_hooks(site_id: int) -> None:
    """Drop this transaction's read of the site's active webhooks: call it after creating, changing or deleting one."""
    if not connection.in_atomic_block:
        return
    # (savepoint ids, callable, robust) since Django 4.2; django-stubs still says pairs.
    for _, func, _ in connection.run_on_commit:  # type: ignore[misc]
        if isinstance(func, _TransactionMemo):
            func.hooks_by_site.pop(site_id, None)


def active_hooks(site_id: int) -> list[Webhook]:
    """The site's active webhooks (what `Webhook.wants` needs), read once per transaction."""
    memo = _memo()
    if memo is not None and site_id in memo.hooks_by_site:
        return memo.hooks_by_site[site_id]
    query = Webhook.objects.filter(site_id=site_id, is_active=True).only("id", "events", "block_types", "locales")
    hooks = list(query.order_by("id"))
    if memo is not None:
        memo.hooks_by_site[site_id] = hooks
    return hooks


def record_block_events(events: list[BlockEvent]) -> None:
    """In the caller's transaction: queue one fan-out of the `events` that some active webhook wants."""
    wanted = []
    for event in events:
        hooks = [
            hook
            for hook in active_hooks(event.site_id)
            if hook.wants(event=event.event, block_type=event.type, locale=event.locale)
        ]
        if hooks:
            wanted.append({**event_record(event), "deliveries": [[hook.pk, str(uuid.uuid4())] for hook in hooks]})
    if wanted:
        enqueue_now(fan_out, [(wanted,)])


def record_review_event(event: ReviewEvent) -> None:
    """In the review's transaction: queue one fan-out of a review event when some active webhook wants it (a
    webhook limited to block types or locales hears only reviews of such blocks, never of a release)."""
    hooks = [
        hook
        for hook in active_hooks(event.site_id)
        if hook.wants(event=event.event, block_type=event.block_type, locale=event.locale)
    ]
    if hooks:
        record = {**review_record(event), "deliveries": [[hook.pk, str(uuid.uuid4())] for hook in hooks]}
        enqueue_now(fan_out, [([record],)])


def record_release_event(event: ReleaseEvent) -> None:
    """In the release's transaction: queue one fan-out of a release event to the webhooks that want it.

    A webhook's block-type and locale filters keep a release event when at least one of its items matches them
    (the body still lists every item: a receiver sees the whole release)."""
    hooks = [
        hook
        for hook in active_hooks(event.site_id)
        if any(hook.wants(event=event.event, block_type=item.type, locale=item.locale) for item in event.items)
    ]
    if hooks:
        record = release_event_record(event)
        enqueue_now(fan_out, [([{**record, "deliveries": [[hook.pk, str(uuid.uuid4())] for hook in hooks]}],)])
