"""What the locales app announces, for the apps above it (subscribed in `wiring.connect`).

`site_locales_changed` runs after the change commits (`cms.hooks`): its subscribers drop caches of what readers
see. `locale_toggled` runs inside the change's transaction: what its subscribers write (the sync feed's change
log) commits or rolls back with the change.
"""

from __future__ import annotations

from cms.hooks import Hook

# Fired with `site_id=` after a site's locales change: one enabled or disabled, the default, a fallback.
site_locales_changed = Hook("site locales changed", after_commit=True)

# Fired with `site_id=`, `code=` and `enabled=` inside the transaction that enables or disables a locale.
locale_toggled = Hook("site locale enabled or disabled", after_commit=False)
