"""What the locales app announces, for the apps above it (subscribed in `wiring.connect`).

Runs after the change commits (`cms.hooks`): its subscribers drop caches of what readers see.
"""

from __future__ import annotations

from cms.hooks import Hook

# Fired with `site_id=` after a site's locales change: one enabled or disabled, the default, a fallback.
site_locales_changed = Hook("site locales changed", after_commit=True)
