"""Access to the app knobs in `settings.CMS`, with the defaults from `cms.settings.base`.

Reading through this function (not at import time) lets tests change a knob with `override_settings`.
"""

import re
from typing import Any

from django.conf import settings


def cms_setting(name: str) -> Any:
    try:
        return settings.CMS[name]
    except KeyError as exc:  # a typo in a knob name must not pass silently
        raise KeyError(f"settings.CMS has no key {name!r}; known keys: {sorted(settings.CMS)}") from exc


def body_limit(method: str, path: str) -> int:
    """The largest request body a request takes: an upload's (`MEDIA_MAX_UPLOAD_BYTES` in base64, plus 64 KiB
    for the rest of the body) for a POST to one of `UPLOAD_PATHS` (regexes), `MAX_BODY_BYTES` for the rest."""
    if method == "POST" and any(re.fullmatch(pattern, path) for pattern in cms_setting("UPLOAD_PATHS")):
        return max(cms_setting("MAX_BODY_BYTES"), cms_setting("MEDIA_MAX_UPLOAD_BYTES") * 4 // 3 + 64 * 1024)
    return cms_setting("MAX_BODY_BYTES")
