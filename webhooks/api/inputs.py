"""The input serializer of webhook writes: the body's keys and their model field names (`blockTypes` ->
`block_types`). `webhooks.services.clean_webhook_values` checks the values (the admin's form uses it too)
and names problems by model field; `api_names()` gives them back the body's keys."""

from __future__ import annotations

from cms.api.serializers import InputSerializer, SentBoolean, SentString, SentStrings


class WebhookInput(InputSerializer):
    """A webhook to create (`url` required) or the keys to change."""

    url = SentString(required=False, help_text="Like `https://example.com/hooks/cms`; public addresses only.")
    name = SentString(required=False)
    events = SentStrings(required=False, help_text="None: every event.")
    blockTypes = SentStrings(source="block_types", required=False, help_text="None: both.")
    locales = SentStrings(required=False, help_text="None: every locale.")
    isActive = SentBoolean(source="is_active", required=False)
    secret = SentString(required=False, help_text="16 to 200 characters; generated when left out.")
