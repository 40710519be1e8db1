"""What the accounts app announces, for the apps above it (subscribed in `wiring.connect`).

Both run after the change commits (`cms.hooks`): their subscribers drop caches, which must not happen for a
change that rolled back, and must not fail one that committed.
"""

from __future__ import annotations

from cms.hooks import Hook

# Fired with `site=` after a site's settings (name, time zone, public/private, default locale) are saved.
site_changed = Hook("site changed", after_commit=True)

# Fired with `token_hash=` after a token is revoked, or its user's role on its site changes.
token_revoked = Hook("token revoked", after_commit=True)
