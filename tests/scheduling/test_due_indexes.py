"""The due-schedule sweep reads through the partial due-time indexes, not the whole block table."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from scheduling.performing import due_blocks


def test_the_due_sweep_query_uses_both_due_time_indexes(db):
    # the query `perform_due_schedules` runs (its ordering included: by bare pk SQLite would scan the table)
    query = due_blocks(timezone.now()).exclude(pk__in=[1]).order_by(F("pk") + 0)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # an empty test table: make the planner show what it can use
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "siteblock_due_publish" in plan and "siteblock_due_unpublish" in plan, plan
