"""Release hooks: what the release services announce, for the apps above (subscribed in `wiring.connect`).

- `publishing` runs inside the release's publish transaction, after its conflicts and fields were checked and
  before any block is written, with `actor`, `release` and `items` (each with its locked block): a subscriber
  may refuse the publish by raising a `CmsError` (review before publish, `reviews.gate`), and nothing is
  written. The items' own block publishes then say `via="release:<id>"`, so a check made for the release as a
  whole is not made again per block.
"""

from __future__ import annotations

from cms.hooks import Hook

publishing = Hook("release publishing", after_commit=False)


def via(release_id: int) -> str:
    """How a release's item publishes name the release to `blocks.events.publishing`."""
    return f"release:{release_id}"
