"""Access to the app knobs in `settings.CMS`, with the defaults from `cms.settings.base`.

Reading through this function (not at import time) lets tests change a knob with `override_settings`.
"""

from typing import Any

from django.conf import settings


def cms_setting(name: str) -> Any:
    try:
        return settings.CMS[name]
    except KeyError as exc:  # a typo in a knob name must not pass silently
        raise KeyError(f"settings.CMS has no key {name!r}; known keys: {sorted(settings.CMS)}") from exc
