"""Recording a block write as one revision, inside the write's own transaction.

Services open `block_revision(user=…, comment=…)` around a write and call `recorder.track(block, before=…)`
for each block they change. Nothing is recorded if the write fails: the revision is saved in the same
transaction. (The revisions issue extends this with stored change lists.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import reversion


class BlockRevisionRecorder:
    def track(self, block, *, before: dict | None) -> None:
        reversion.add_to_revision(block)


@contextmanager
def block_revision(*, user, comment: str) -> Iterator[BlockRevisionRecorder]:
    with reversion.create_revision(manage_manually=True):
        if user is not None and getattr(user, "is_authenticated", False):
            reversion.set_user(user)
        reversion.set_comment(comment)
        yield BlockRevisionRecorder()


def delete_block_revisions(block) -> None:
    """Remove every revision of `block` (the reference deletes a block's history with it)."""
    from reversion.models import Revision, Version

    revision_ids = Version.objects.get_for_object(block).values_list("revision_id", flat=True)
    Revision.objects.filter(pk__in=list(revision_ids)).delete()
