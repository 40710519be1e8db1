"""Input serializers of the block endpoints: one per request body (and the compare query), parsed at the edge.

Each names the keys its body may carry and their JSON types (the OpenAPI request bodies are generated from
them); `cms.api.serializers.parse_body` refuses unknown keys and changes to the block's immutable ones, and
names values of the wrong type. The rules of the values are the services' (`blocks.rules` and the services'
validation functions, which the admin and the management commands go through too); when some value had the
wrong type, `rule_problems` asks them about the others, so one answer names every problem of a request.

The serializers of writes to an existing block need `context={"actor": …, "block": …}` (the data body also
`"publish"`: the `?publish=` flag); the create body `context={"actor": …, "locale": …}` (the `?locale=`).
"""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers

from accounts.permissions import Action
from blocks import rules, services
from blocks.api.serializers import IMMUTABLE_KEYS, SchemaField
from blocks.models import BlockType
from blocks.services.common import require_data_write
from blocks.services.crud import BlockMeta, check_meta
from blueprints.rules import DESCRIPTION_MESSAGE, NAME_MESSAGE, SLUG_MESSAGE
from blueprints.services import check_new_template, check_template
from cms import errors
from cms.api.serializers import (
    InputSerializer,
    TypedBoolean,
    TypedChoice,
    TypedList,
    TypedObject,
    TypedString,
    TypedStrings,
)

SCHEMA_MESSAGE = "Must be a list of field definitions."  # the schema engine's words for a schema of no list
LOCALE_MESSAGE = "Must be a locale code such as `en`."
COPY_LOCALE_MESSAGE = "Required: a locale code such as `fr`."


class TypedSchema(TypedList, SchemaField):
    pass


def readable_tags(tags: object) -> list[str]:
    """Sent tags for the tag rules when some are no strings: those count as empty tags (the type problem says
    the same words at their index), so the count and the other tags are checked at their own indexes."""
    return [tag if isinstance(tag, str) else "" for tag in tags] if isinstance(tags, list) else []


class BlockCreateInput(InputSerializer):
    """A new draft block; `slug` comes from `name` unless given, `path` is for page blocks."""

    # `null` is "not given" for every key but `name` and `type`, whose absence is named with the others.
    name = TypedString(message=rules.NAME_MESSAGE, missing=rules.NAME_MESSAGE)
    type = TypedChoice(choices=BlockType.choices, message=rules.TYPE_MESSAGE, missing=rules.TYPE_MESSAGE)
    schema = TypedSchema(required=False, allow_null=True, message=SCHEMA_MESSAGE)
    data = TypedObject(required=False, allow_null=True)  # type: ignore[assignment]  # a body key, not `Serializer.data`
    path = TypedString(
        required=False, allow_null=True, message=rules.PATH_MESSAGE, help_text="Page blocks only, like `/about`."
    )
    slug = TypedString(required=False, allow_null=True, message=rules.SLUG_MESSAGE)
    tags = TypedStrings(required=False, allow_null=True, item_message=rules.TAG_MESSAGE)
    locale = TypedString(
        required=False,
        allow_null=True,
        message=LOCALE_MESSAGE,
        help_text="The locale of the new block (default: `?locale=` or the site's).",
    )
    template = TypedString(
        required=False,
        allow_null=True,
        help_text="The slug of a template the block follows: its schema is the template's (no `schema` then).",
    )

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        values["locale"] = values.get("locale") or self.context.get("locale")
        return values

    def answer_problems(
        self, type_problems: dict[str, str], values: dict[str, Any], unreadable: set[str]
    ) -> dict[str, str]:
        problems = super().answer_problems(type_problems, values, unreadable)
        if any(key == "schema" or key.startswith("schema[") for key in problems):
            problems.pop("data", None)  # data is read against the schema: with none to read it by, nothing is said
        return problems

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        if "locale" in unreadable:  # named alone: which locale the block is in decides what the rest means
            raise errors.ValidationFailed(fields={"locale": LOCALE_MESSAGE})
        values = self.check(dict(values))
        tags = readable_tags(self.sent.get("tags")) if "tags" in unreadable else values.pop("tags", None)
        _, problems = services.check_new_block(
            actor=self.context["actor"],
            name=values.pop("name", None),
            type=values.pop("type", None),
            tags=tags,
            unreadable=unreadable - {"tags"},
            **values,
        )
        return problems


class BlockMetaInput(InputSerializer):
    """Rename, retag or move a block; the keys of a block read before may be echoed back unchanged."""

    immutable_keys = IMMUTABLE_KEYS
    name = TypedString(required=False, message=rules.NAME_MESSAGE)
    tags = TypedStrings(required=False, item_message=rules.TAG_MESSAGE)
    path = TypedString(required=False, message=rules.PATH_MESSAGE)

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        require_data_write(self.context["actor"], self.context["block"])  # a copy's are its translator's too
        if "tags" in unreadable:
            values = {**values, "tags": readable_tags(self.sent.get("tags"))}
        return check_meta(self.context["block"], cast(BlockMeta, values), unreadable=unreadable - {"tags"})


class BlockSchemaInput(InputSerializer):
    immutable_keys = IMMUTABLE_KEYS
    problem_message = "The schema is not valid."
    schema = TypedSchema(message=SCHEMA_MESSAGE)

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        self.context["actor"].require(Action.WRITE)
        return {}


class BlockDataInput(InputSerializer):
    immutable_keys = IMMUTABLE_KEYS
    data = TypedObject(help_text="Merged into the working copy (`null` removes a key).")  # type: ignore[assignment]  # a body key, not `Serializer.data`

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        require_data_write(self.context["actor"], self.context["block"])
        if self.context.get("publish"):
            self.context["actor"].require(Action.PUBLISH)
        return {}


class BlockCopyInput(InputSerializer):
    locale = TypedString(message=COPY_LOCALE_MESSAGE, help_text="The locale of the copy, one the site enables.")
    overwrite = TypedBoolean(required=False, help_text="Replace an existing copy's schema and data.")

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        if "locale" in unreadable:  # named alone, before the actor's powers, which depend on the locale
            raise errors.ValidationFailed(fields={"locale": COPY_LOCALE_MESSAGE})
        services.check_copy(actor=self.context["actor"], block=self.context["block"], locale=values["locale"])
        return {}


class BlockSyncInput(InputSerializer):
    locales = TypedStrings(
        required=False,
        allow_null=True,
        message="Must be a list of locale codes.",
        help_text="The copies to update (default: every other locale).",
    )

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        self.context["actor"].require(Action.WRITE)
        return {}


class BlockKeepInput(InputSerializer):
    """The units of a locale copy a translator confirms as right for the source's current values."""

    fields = TypedStrings(  # type: ignore[assignment]  # a body key, not `Serializer.fields`
        message="Must be a list of data paths such as `title` or `plans[1].label`.",
        help_text="Data paths of localized fields, as `GET …/translations` lists them.",
    )

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        require_data_write(self.context["actor"], self.context["block"])
        return {}


class TranslationsImportInput(InputSerializer):
    """A translation file sent as text in the JSON body (the API takes JSON only; a file is a string)."""

    content = TypedString(
        message="Must be the file's text (XLIFF or PO), as a string.",
        missing="Required: the file's text (XLIFF or PO), as a string.",
        help_text="The whole file, as `GET …/translations/export` gave it (after translation).",
    )


class PretranslateInput(InputSerializer):
    """The locale whose untranslated fields a machine provider fills."""

    locale = TypedString(
        message="Must be a locale code such as `fr`.",
        missing="Required: the target locale, such as `fr`.",
        help_text="The target locale (enabled, not the site's default).",
    )


class MachineProviderInput(InputSerializer):
    """A site's machine translation provider; `apiKey` left out keeps the stored key (it is never shown)."""

    provider = TypedString(
        message="Must be a provider name such as `deepl`.",
        missing="Required: `deepl` or `libretranslate`.",
        help_text="`deepl` or `libretranslate`.",
    )
    baseUrl = TypedString(
        message="Must be the API's URL, as a string.",
        missing="Required: the provider API's URL, such as `https://api-free.deepl.com`.",
        help_text="e.g. `https://api-free.deepl.com`.",
    )
    apiKey = TypedString(
        message="Must be a string.",
        required=False,
        allow_blank=True,
        help_text="Write-only: never shown back. Left out: the stored key is kept; empty: removed.",
    )


class PublishQuery(serializers.Serializer):
    publish = serializers.BooleanField(required=False, help_text="Publish in the same transaction.")


class CompletionQuery(serializers.Serializer):
    completionLocales = serializers.BooleanField(
        required=False, help_text="Add `meta.completion.locales`: every locale copy's completion (one more query)."
    )


class RestoreQuery(PublishQuery):
    restoreSchema = serializers.BooleanField(
        required=False,
        help_text="Restore the revision's schema too (default: its data is carried to today's schema).",
    )


class DryRunQuery(serializers.Serializer):
    dryRun = serializers.BooleanField(required=False, help_text="Answer what would happen; write nothing.")


REVISION_NEEDED = "Required: a revision number of this block."


class RevisionCompareQuery(serializers.Serializer):
    # `from` is a Python keyword: both fields are declared in `get_fields`.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: serializers.CharField(
                help_text="A revision number of this block (`number` in the list).",
                trim_whitespace=False,
                error_messages={"required": REVISION_NEEDED, "blank": REVISION_NEEDED},
            )
            for name in ("from", "to")
        }


class TemplateCreateInput(InputSerializer):
    """A new template, at version 1; `slug` comes from `name` unless given."""

    problem_message = "The template is not valid."
    name = TypedString(message=NAME_MESSAGE, missing=NAME_MESSAGE)
    slug = TypedString(required=False, allow_null=True, message=SLUG_MESSAGE)
    description = TypedString(required=False, allow_null=True, message=DESCRIPTION_MESSAGE)
    schema = TypedSchema(required=False, allow_null=True, message=SCHEMA_MESSAGE)

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        _, problems = check_new_template(actor=self.context["actor"], unreadable=unreadable, **values)
        return problems


TEMPLATE_IMMUTABLE_KEYS = frozenset({"id", "slug", "version", "followers", "createdAt", "updatedAt"})


class TemplatePatchInput(InputSerializer):
    """A change of some of a template's `name`, `description` and `schema`; the keys of a template read before
    may be echoed back unchanged."""

    problem_message = "The template is not valid."
    immutable_keys = TEMPLATE_IMMUTABLE_KEYS
    name = TypedString(required=False, message=NAME_MESSAGE)
    description = TypedString(required=False, message=DESCRIPTION_MESSAGE)
    schema = TypedSchema(required=False, message=SCHEMA_MESSAGE)

    def rule_problems(self, values: dict[str, Any], unreadable: set[str]) -> dict[str, str]:
        self.context["actor"].require(Action.WRITE)
        template = self.context["template"]
        return check_template(previous_schema=template.schema, unreadable=unreadable, **values).problems


class TemplatePutInput(TemplatePatchInput):
    """The whole template: `name` and `schema` (`description` kept when left out)."""

    name = TypedString(message=NAME_MESSAGE, missing=NAME_MESSAGE)
    schema = TypedSchema(message=SCHEMA_MESSAGE)
