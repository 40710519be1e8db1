"""The input serializer of webhook writes: the body's keys, their JSON types and their model field names
(`blockTypes` -> `block_types`).

`webhooks.services.clean_webhook_values` checks the values (the admin's form uses it too) and names problems by
model field; `api_names()` gives them back the body's keys. When some value had the wrong type,
`rule_problems` asks that same function about the others, so one answer names every problem of the body.

Needs `context={"actor": …, "creating": bool}`.
"""

from __future__ import annotations

from typing import Any, cast

from cms import errors
from cms.api.serializers import InputSerializer, TypedBoolean, TypedString, TypedStrings
from webhooks import services


class WebhookInput(InputSerializer):
    """A webhook to create (`url` required) or the keys to change."""

    url = TypedString(
        required=False,
        message=services.URL_MESSAGE,
        help_text="Like `https://example.com/hooks/cms`; public addresses only.",
    )
    name = TypedString(required=False)
    events = TypedStrings(required=False, help_text="None: every event.")
    blockTypes = TypedStrings(source="block_types", required=False, help_text="None: both.")
    locales = TypedStrings(required=False, help_text="None: every locale.")
    isActive = TypedBoolean(source="is_active", required=False)
    secret = TypedString(
        required=False, message=services.SECRET_MESSAGE, help_text="16 to 200 characters; generated when left out."
    )

    def answer_problems(
        self, type_problems: dict[str, str], values: dict[str, Any], unreadable: set[str]
    ) -> dict[str, str]:
        # In the order of the body's keys, as the service names them (`url`, `name`, … `secret`).
        problems = super().answer_problems(type_problems, values, unreadable)
        order = list(self.fields)
        return dict(sorted(problems.items(), key=lambda item: order.index(item[0].partition("[")[0])))

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        actor = self.context["actor"]
        services.require_manage(actor)
        # A `url` sent with the wrong type is named by its type problem, not as missing.
        creating = self.context["creating"] and "url" not in unreadable
        try:
            services.clean_webhook_values(actor.site, cast(services.WebhookValues, values), creating=creating)
        except errors.ValidationFailed as exc:
            return {self.api_name(path): message for path, message in (exc.fields or {}).items()}
        return {}
