"""The media app's own refusals, with stable codes (`cms.errors` holds the shared ones)."""

from __future__ import annotations

from cms.errors import CmsError


class QuotaExceeded(CmsError):
    """The site's media quota (bytes or count) would be passed. 409: the request conflicts with what the site
    stores now, and succeeds once assets are deleted or the quota raised; 413 stays for one upload too big."""

    code, status, default_message = "quota_exceeded", 409, "The site's media quota is used up."


class AssetInUse(CmsError):
    """An asset that blocks use cannot be deleted (unless forced); `fields` names each user."""

    code, status, default_message = "asset_in_use", 409, "The asset is used by blocks; delete with ?force=true."
