"""What media services announce (`cms.hooks`), for the apps above to hear (subscribed in `wiring.connect`).

- `deleting` runs inside the delete's transaction, before the row goes, with `asset=`: a subscriber that knows
  who uses the asset (blocks, which sit above media) refuses the delete by raising `media.errors.AssetInUse`.
  Not fired for a forced delete.
- `changed` runs after the commit with `asset_id=` and `site_id=`, when what readers see of an asset changed (its
  file replaced, its alt text or title changed, or it was deleted): the delivery cache drops the answers of
  the blocks that show it.
"""

from __future__ import annotations

from cms.hooks import Hook

deleting = Hook("asset deleting", after_commit=False)
changed = Hook("asset changed", after_commit=True)
