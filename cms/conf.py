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


def body_limit(path: str) -> int:
    """The largest request body `path` takes: an upload's (`MEDIA_MAX_UPLOAD_BYTES` in base64, plus 64 KiB for
    the rest of the body) on `UPLOAD_PATHS`, `MAX_BODY_BYTES` elsewhere."""
    if path.startswith(tuple(cms_setting("UPLOAD_PATHS"))):
        return max(cms_setting("MAX_BODY_BYTES"), cms_setting("MEDIA_MAX_UPLOAD_BYTES") * 4 // 3 + 64 * 1024)
    return cms_setting("MAX_BODY_BYTES")
