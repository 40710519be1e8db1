"""Input serializers of the block endpoints: one per request body (and the compare query), parsed at the edge.

Each names the keys its body may carry and their types (the OpenAPI request bodies are generated from them);
`cms.api.serializers.parse_body` refuses unknown keys and changes to the block's immutable ones. The values
are checked by the services, which report every problem of a request at once (the admin and the management
commands call the same services).
"""

from __future__ import annotations

from rest_framework import serializers

from blocks.api.serializers import IMMUTABLE_KEYS, SchemaField
from blocks.models import BlockType
from cms.api.serializers import (
    InputSerializer,
    Sent,
    SentBoolean,
    SentObject,
    SentString,
    SentStrings,
)


class SentSchema(Sent, SchemaField):
    pass


class SentType(Sent, serializers.ChoiceField):
    pass


class BlockCreateInput(InputSerializer):
    """A new draft block; `slug` comes from `name` unless given, `path` is for page blocks."""

    # Absent name or type: the service's rule names the problem, with the body's other problems.
    name = SentString(missing=None)
    type = SentType(choices=BlockType.choices, missing=None)
    schema = SentSchema(required=False)
    data = SentObject(required=False)  # type: ignore[assignment]  # a body key, not `Serializer.data`
    path = SentString(required=False, help_text="Page blocks only, like `/about`.")
    slug = SentString(required=False)
    tags = SentStrings(required=False)
    locale = SentString(required=False, help_text="The locale of the new block (default: `?locale=` or the site's).")


class BlockMetaInput(InputSerializer):
    """Rename, retag or move a block; the keys of a block read before may be echoed back unchanged."""

    immutable_keys = IMMUTABLE_KEYS
    name = SentString(required=False)
    tags = SentStrings(required=False)
    path = SentString(required=False)


class BlockSchemaInput(InputSerializer):
    immutable_keys = IMMUTABLE_KEYS
    schema = SentSchema()


class BlockDataInput(InputSerializer):
    immutable_keys = IMMUTABLE_KEYS
    data = SentObject(help_text="Merged into the working copy (`null` removes a key).")  # type: ignore[assignment]  # a body key, not `Serializer.data`


class BlockCopyInput(InputSerializer):
    locale = SentString(help_text="The locale of the copy, one the site enables.")
    overwrite = SentBoolean(required=False, help_text="Replace an existing copy's schema and data.")


class BlockSyncInput(InputSerializer):
    locales = SentStrings(required=False, help_text="The copies to update (default: every other locale).")


class PublishQuery(serializers.Serializer):
    publish = serializers.BooleanField(required=False, help_text="Publish in the same transaction.")


REVISION_NEEDED = "Required: a revision id of this block."


class RevisionCompareQuery(serializers.Serializer):
    # `from` is a Python keyword: both fields are declared in `get_fields`.
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: serializers.CharField(
                help_text="A revision id of this block.",
                trim_whitespace=False,
                error_messages={"required": REVISION_NEEDED, "blank": REVISION_NEEDED},
            )
            for name in ("from", "to")
        }
