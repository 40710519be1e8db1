"""Output shapes of the block endpoints: the serializers that describe them, and the functions that build them.

The shape is declared once, by `BlockSummarySerializer`/`BlockSerializer` (the OpenAPI components `Block…`,
and `IMMUTABLE_KEYS`: their read-only fields). Answers are built by `block_payload`, a plain function, so the
hot path pays no serializer; tests/api/test_answers_match_document.py checks real answers against the
generated components, so the two cannot drift. `block_payload` is camelCase, `path` on pages only,
`schema`/`data` left out of lists.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from blocks.api.field_definitions import DOCS, field_definition_components
from blocks.models import BlockStatus, BlockType, SiteBlock
from blueprints.models import BlockTemplate
from cms.api.formats import iso_ms
from cms.api.openapi import envelope, page_of, register_components
from schema import compiled_for
from schema.checks import MAX_FIELDS

# A field of a block's schema: its keys depend on its `type` (docs/fields.md), which a serializer cannot say, so
# the definitions are components written as JSON Schema, one per type (`blocks.api.field_definitions`).
register_components(field_definition_components())


@extend_schema_field(
    {
        "type": "array",
        "description": f"The fields of the block, at most {MAX_FIELDS} ({DOCS}).",
        "maxItems": MAX_FIELDS,
        "items": {"$ref": "#/components/schemas/FieldDefinition"},
    }
)
class SchemaField(serializers.ListField):
    """A block's schema: a list of fields."""


class TemplateRefSerializer(serializers.Serializer):
    """Which template a block follows: `{"slug": "landing-page", "version": 3}`."""

    slug = serializers.CharField()
    version = serializers.IntegerField()


class BlockSummarySerializer(serializers.Serializer):
    """A block without its `schema` and `data` (lists). Read-only fields are `IMMUTABLE_KEYS`."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()
    slug = serializers.CharField(read_only=True)
    type = serializers.ChoiceField(choices=BlockType.choices, read_only=True)
    status = serializers.ChoiceField(choices=BlockStatus.choices, read_only=True)
    locale = serializers.CharField(read_only=True)
    path = serializers.CharField(required=False, help_text="Page blocks only.")
    tags = serializers.ListField(child=serializers.CharField())
    hasUnpublishedChanges = serializers.BooleanField(read_only=True)
    publishedAt = serializers.DateTimeField(read_only=True, allow_null=True)
    # Set by the schedule endpoint; the block's other writes do not name them (a PATCH with them is refused).
    scheduledPublishAt = serializers.DateTimeField(allow_null=True)
    scheduledUnpublishAt = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField(read_only=True)
    template = TemplateRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The template the block follows and the version whose schema it has; null when it owns its schema.",
    )
    createdAt = serializers.DateTimeField(read_only=True)
    updatedAt = serializers.DateTimeField(read_only=True)


class BlockSerializer(BlockSummarySerializer):
    """A block with its working copy (drafts included)."""

    schema = SchemaField()
    data = serializers.DictField(help_text="The working copy (drafts included).")  # type: ignore[assignment]  # a body key, not `Serializer.data`


# Keys a client may echo back from a block it read; changing them is `immutable_field`.
IMMUTABLE_KEYS = frozenset(name for name, field in BlockSummarySerializer().fields.items() if field.read_only)


class BlockMetaSerializer(serializers.Serializer):
    orphanedFields = serializers.ListField(
        child=serializers.CharField(), help_text="Keys of `data` no field of the schema describes any more."
    )
    version = serializers.IntegerField()
    scheduleFailure = inline_serializer(
        "ScheduleFailure",
        {
            "at": serializers.DateTimeField(),
            "message": serializers.CharField(),
            "fields": serializers.DictField(child=serializers.CharField()),
        },
        required=False,
        help_text="The last failed scheduled publish (reads only).",
    )


BlockAnswer = envelope("BlockAnswer", BlockSerializer(), meta=BlockMetaSerializer())

_PLACE: dict[str, serializers.Field] = {
    "path": serializers.CharField(help_text="Where, as error paths name data: `data.links[1].title`."),
    "label": serializers.CharField(
        help_text="Where, in the editor's words: field labels and row numbers (`Links`, `2`, `Title`) joined by U+203A."
    ),
}


class CompletionPartSerializer(serializers.Serializer):
    filled = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Rounded down: 100 means all filled.")


class CopyCompletionSerializer(serializers.Serializer):
    """How much of one copy's working data is filled in (docs/fields.md "Completion")."""

    required = CompletionPartSerializer(  # type: ignore[assignment]  # a body key, not `Field.required`
        help_text="Required fields filled; 100 when no missing field stops a publish."
    )
    all = CompletionPartSerializer(help_text="Every field counted, required or not.")
    missingRequired = inline_serializer("MissingField", _PLACE, many=True)
    missingOptional = inline_serializer("MissingOptionalField", _PLACE, many=True)
    warnings = inline_serializer(
        "CompletionWarning", {**_PLACE, "message": serializers.CharField()}, many=True, help_text="Empty values."
    )


class CompletionSerializer(CopyCompletionSerializer):
    locales = serializers.DictField(
        child=CopyCompletionSerializer(),
        required=False,
        help_text="With `?completionLocales=true`: `{locale: completion}` of every copy.",
    )


class BlockDetailMetaSerializer(BlockMetaSerializer):
    completion = CompletionSerializer()


BlockDetailAnswer = envelope("BlockDetailAnswer", BlockSerializer(), meta=BlockDetailMetaSerializer())

_PATH = serializers.CharField(help_text="A data path, as error paths name data: `links[1].title`.")
_FIELD_PATH = serializers.CharField(allow_null=True, help_text="A field's place: `hero.lede`, `links[].title`.")


class ValueMappingSerializer(serializers.Serializer):
    """What happened to each value of one copy's data when it was carried to another schema."""

    moved = inline_serializer("ValueMove", {"from": _PATH, "to": _PATH}, many=True)
    converted = inline_serializer(
        "ValueConversion",
        {"from": _PATH, "to": _PATH, "fromType": serializers.CharField(), "toType": serializers.CharField()},
        many=True,
    )
    failed = inline_serializer(
        "FailedConversion",
        {
            "path": _PATH,
            "fromType": serializers.CharField(required=False),
            "toType": serializers.CharField(),
            "reason": serializers.CharField(),
        },
        many=True,
    )
    orphaned = inline_serializer(
        "OrphanedValue",
        {
            "path": _PATH,
            "keptAs": serializers.CharField(help_text="The key of `data` the value is kept under."),
            "reason": serializers.CharField(),
        },
        many=True,
    )


class CopyChangeSerializer(ValueMappingSerializer):
    locale = serializers.CharField()


class SchemaChangeSerializer(serializers.Serializer):
    """`meta.schemaChange`: what a schema change does to each field, and to each copy's values."""

    dryRun = serializers.BooleanField(help_text="True when nothing was written.")
    fields = inline_serializer(  # type: ignore[assignment]  # a body key, not `Serializer.fields`
        "FieldChange",
        {
            "id": serializers.CharField(),
            "from": _FIELD_PATH,
            "to": _FIELD_PATH,
            "changes": serializers.ListField(
                child=serializers.ChoiceField(
                    choices=["added", "removed", "renamed", "moved", "typeChanged", "optionsChanged"]
                )
            ),
            "fromType": serializers.CharField(required=False),
            "toType": serializers.CharField(required=False),
            "options": serializers.ListField(child=serializers.CharField(), required=False),
        },
        many=True,
    )
    copies = CopyChangeSerializer(many=True)


class SchemaChangeMetaSerializer(BlockMetaSerializer):
    schemaChange = SchemaChangeSerializer()


SchemaChangeAnswer = envelope("SchemaChangeAnswer", BlockSerializer(), meta=SchemaChangeMetaSerializer())


class BlockPageMetaSerializer(serializers.Serializer):
    """The list's meta: page numbers (absent when the page was asked by `cursor`) and the next cursor."""

    total = serializers.IntegerField()
    perPage = serializers.IntegerField()
    currentPage = serializers.IntegerField(required=False)
    lastPage = serializers.IntegerField(required=False)
    nextCursor = serializers.CharField(allow_null=True, help_text="The `cursor` of the next page; null on the last.")


BlockList = envelope("BlockList", BlockSummarySerializer(many=True), meta=BlockPageMetaSerializer())


def block_payload(block: SiteBlock, *, content: bool = True, data: dict | None = None) -> dict:
    payload = {
        "id": block.pk,
        "name": block.name,
        "slug": block.slug,
        "type": block.type,
        "status": block.status,
        "locale": block.locale,
    }
    if block.type == BlockType.PAGE:
        payload["path"] = block.path
    payload["tags"] = block.tags
    if content:
        payload["schema"] = block.schema
        payload["data"] = block.data if data is None else data
    payload.update(
        {
            "hasUnpublishedChanges": block.has_unpublished_changes,
            "publishedAt": iso_ms(block.published_at),
            "scheduledPublishAt": iso_ms(block.scheduled_publish_at),
            "scheduledUnpublishAt": iso_ms(block.scheduled_unpublish_at),
            "version": block.version,
            "template": block.template_ref,
            "createdAt": iso_ms(block.created_at),
            "updatedAt": iso_ms(block.updated_at),
        }
    )
    return payload


def schedule_failure(block: SiteBlock) -> dict | None:
    """The last failed scheduled publish of `block`, for its answer's `meta.scheduleFailure`.

    Scheduling owns that row (`scheduling.BlockSchedule`, the reverse one-to-one `schedule`); blocks only shows
    it, so it reads it through the relation and imports nothing of scheduling. Read only when the selector
    joined it (`block_for_actor`): write answers keep their query count, and reads show the failure.
    """
    schedule = block._state.fields_cache.get("schedule")
    return schedule.failure_payload() if schedule is not None else None


def block_meta(block: SiteBlock) -> dict:
    meta = {"orphanedFields": compiled_for(block.schema).orphaned_fields(block.data), "version": block.version}
    failure = schedule_failure(block)  # only after a scheduled publish failed
    if failure is not None:
        meta["scheduleFailure"] = failure
    return meta


register_components({}, with_etag=("BlockAnswer", "BlockDetailAnswer", "SchemaChangeAnswer"))


# ---- revisions (built by `blocks.api.views.revisions`) ---------------------------------------------------------


class ChangeSerializer(serializers.Serializer):
    """One change between two states of a block (`revisions.diff`)."""

    def get_fields(self) -> dict[str, serializers.Field]:  # `from` is a keyword: no class attribute can say it
        return {
            "field": serializers.CharField(help_text="Where: `data.tagline`, `schema`, `name`…"),
            "from": serializers.JSONField(required=False),
            "to": serializers.JSONField(required=False),
        }


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fullName = serializers.CharField()


class RevisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    siteBlockId = serializers.IntegerField()
    number = serializers.IntegerField()
    changes = ChangeSerializer(many=True)
    createdAt = serializers.DateTimeField()
    author = AuthorSerializer(allow_null=True)
    comment = serializers.CharField(allow_null=True)


class RevisionDetailSerializer(RevisionSerializer):
    """One revision with the block's state it recorded."""

    name = serializers.CharField()
    status = serializers.ChoiceField(choices=BlockStatus.choices)
    tags = serializers.ListField(child=serializers.CharField())
    path = serializers.CharField(required=False, help_text="Page blocks only.")
    schema = SchemaField()
    data = serializers.DictField()  # type: ignore[assignment]  # a body key, not `Serializer.data`


RevisionList = page_of("RevisionList", RevisionSerializer)
RevisionAnswer = envelope("RevisionAnswer", RevisionDetailSerializer())
RevisionComparison = envelope(
    "RevisionComparison",
    inline_serializer(
        "Comparison",
        {"from": RevisionSerializer(), "to": RevisionSerializer(), "changes": ChangeSerializer(many=True)},
    ),
)
RestoreMeta = inline_serializer(
    "RestoreMeta",
    {
        "orphanedFields": serializers.ListField(child=serializers.CharField()),
        "version": serializers.IntegerField(),
        "restoredFrom": serializers.IntegerField(help_text="The number of the revision restored."),
        "schemaRestored": serializers.BooleanField(),
        "schemaAlsoRestoredIn": serializers.ListField(
            child=serializers.CharField(), help_text="Other copies' locales."
        ),
        "mapping": ValueMappingSerializer(
            allow_null=True,
            help_text="How the revision's data was carried to today's schema; null when its schema was restored.",
        ),
        "schemaChange": SchemaChangeSerializer(
            required=False, help_text="With `?restoreSchema=true`: what the schema change did to the other copies."
        ),
        "changes": ChangeSerializer(many=True),
    },
)
RestoreAnswer = envelope("RestoreAnswer", BlockSerializer(), meta=RestoreMeta)
register_components({}, with_etag=("RestoreAnswer",))


# ---- translations (built by `blocks.api.views.translations`) ---------------------------------------------------

TranslationCounts = inline_serializer(
    "TranslationCounts",
    {
        "translated": serializers.IntegerField(),
        "outdated": serializers.IntegerField(),
        "untranslated": serializers.IntegerField(),
        "machine": serializers.IntegerField(help_text="Machine pre-translated, not yet kept or edited by a person."),
    },
)
TranslationFields = inline_serializer(
    "TranslationFields",
    {
        name: serializers.ListField(child=serializers.CharField(), help_text=f"Data paths of the {name} fields.")
        for name in ("translated", "outdated", "untranslated", "machine")
    },
)
TranslationStatus = inline_serializer(
    "TranslationStatus",
    {
        "status": serializers.ChoiceField(
            choices=["complete", "partial", "missing"],
            help_text="`complete`: every field the source fills is translated; `missing`: no copy in this locale.",
        ),
        "translatedFields": serializers.IntegerField(help_text="How many fields are translated (`counts.translated`)."),
        "totalFields": serializers.IntegerField(help_text="The localized fields the source has a value for."),
        "outdated": serializers.BooleanField(help_text="Some field's source changed since it was translated."),
        "outdatedFields": serializers.ListField(child=serializers.CharField()),
        "counts": TranslationCounts,
        "fields": TranslationFields,
        "divergedSharedFields": serializers.ListField(
            child=serializers.CharField(),
            required=False,
            help_text="Shared (non-localized) fields whose value differs from the source's: `sync-shared-fields` "
            "puts them back in step. In `GET …/translations` only (a list's `?translations=true` leaves it out).",
        ),
    },
)
TranslationsAnswer = envelope(
    "TranslationsAnswer", serializers.DictField(child=TranslationStatus, help_text="`{locale: status}`.")
)
SyncedCopy = inline_serializer(
    "SyncedCopy",
    {
        "locale": serializers.CharField(),
        "version": serializers.IntegerField(),
        "changedFields": serializers.ListField(child=serializers.CharField()),
    },
)
SyncAnswer = envelope("SyncAnswer", serializers.ListField(child=SyncedCopy))


class TemplateSerializer(serializers.Serializer):
    """A block template: a named, versioned schema that blocks follow (docs/templates.md)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()
    slug = serializers.CharField(read_only=True)
    description = serializers.CharField()
    version = serializers.IntegerField(read_only=True, help_text="Goes up by one on every change (the ETag).")
    schema = SchemaField()
    followers = serializers.IntegerField(read_only=True, help_text="How many blocks (locale copies counted) follow it.")
    createdAt = serializers.DateTimeField(read_only=True)
    updatedAt = serializers.DateTimeField(read_only=True)


class TemplateSummarySerializer(TemplateSerializer):
    """A template in a list, without its schema."""

    schema = None  # type: ignore[assignment]  # lists leave the schema out


class TemplateFollowerSerializer(serializers.Serializer):
    slug = serializers.CharField()
    locale = serializers.CharField()
    version = serializers.IntegerField(help_text="The template version whose schema the block has.")


class TemplateMetaSerializer(serializers.Serializer):
    followedBy = TemplateFollowerSerializer(many=True, help_text="The blocks that follow the template (reads only).")


class TemplateFollowerChangeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    copies = CopyChangeSerializer(many=True)


class TemplateChangeSerializer(SchemaChangeSerializer):
    """What a template's schema change does: to each field (as a block's), and to each follower's copies."""

    copies = None  # type: ignore[assignment]  # per follower instead
    blocks = TemplateFollowerChangeSerializer(many=True)


# Only a write that sends `schema` reports what the change did.
TemplateChangeReport = TemplateChangeSerializer(required=False)


class TemplateChangeMetaSerializer(TemplateMetaSerializer):
    templateChange = TemplateChangeReport


TemplateAnswer = envelope("TemplateAnswer", TemplateSerializer(), meta=TemplateMetaSerializer())
TemplateChangeAnswer = envelope("TemplateChangeAnswer", TemplateSerializer(), meta=TemplateChangeMetaSerializer())
TemplateList = page_of("TemplateList", TemplateSummarySerializer)


def template_payload(template: BlockTemplate, *, followers: int, content: bool = True) -> dict:
    payload = {
        "id": template.pk,
        "name": template.name,
        "slug": template.slug,
        "description": template.description,
        "version": template.version,
    }
    if content:
        payload["schema"] = template.schema
    payload.update(
        {"followers": followers, "createdAt": iso_ms(template.created_at), "updatedAt": iso_ms(template.updated_at)}
    )
    return payload
