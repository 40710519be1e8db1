"""Who else has a block open: a heartbeat in the shared cache, no extra service (issue 15, item 8).

The block's edit page says, in its action bar, who else opened it in the last `WINDOW` seconds ("Also open:
bob"); while it stays open, editor.js beats every `BEAT` seconds (`POST <pk>/presence/`, answered with the
current list) so the line stays true without a reload. One cache entry per block maps each user to the time
of their last beat. Two beats written at the same instant may drop one of them until its next beat: this is
a courtesy, not a lock (the version check and the three-way merge, editor/merge.py, keep every save safe).
Without a reachable cache nobody is shown and nothing fails.
"""

from __future__ import annotations

import time

from django.core.cache import cache

#: a beat is this many seconds apart; someone is "open" for `WINDOW` seconds after their last one
BEAT = 15
WINDOW = 45


def _key(block_id: int) -> str:
    return f"cms:presence:{block_id}"


def beat(block_id: int, user_id: int, name: str, *, now: float | None = None) -> list[str]:
    """Record that `user_id` has the block open now; the names of the others who have, by first arrival."""
    now = time.time() if now is None else now
    try:
        seen: dict = cache.get(_key(block_id)) or {}
        fresh = {uid: entry for uid, entry in seen.items() if now - entry[2] < WINDOW}
        since = fresh.get(user_id, (name, now, now))[1]
        fresh[user_id] = (name, since, now)
        cache.set(_key(block_id), fresh, WINDOW)
    except Exception:  # the cache is a courtesy here: an outage shows nobody
        return []
    others = sorted((entry for uid, entry in fresh.items() if uid != user_id), key=lambda entry: entry[1])
    return [entry[0] for entry in others]
