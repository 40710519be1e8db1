"""The admin's add and change forms. They validate nothing themselves: `clean()` calls the services (the same
ones, with the same validator, as the API) inside one transaction and turns their errors into form errors,
each beside its field: `name`, `path`, `schema[2].options` (the schema builder), `data.links[1].url` (the
generated data form).

The change form carries the block's version in a hidden field and passes it to the first service as
`expected_version`: a form saved over a block that changed since it was opened gets `stale_write` and shows
a warning instead of overwriting.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.safestring import SafeString

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks.models import BlockType, SiteBlock
from blocks.selectors import copy_translation
from blocks.services import (
    BlockMeta,
    block_create,
    block_edit,
    block_keep_translations,
    block_sync_shared_fields,
)
from blocks.services.content import block_replace_schema
from blueprints.models import BlockTemplate
from cms import errors
from cms.nul import MESSAGE as NUL_MESSAGE
from cms.nul import nul_paths
from editor.access import actor_for, can_edit_data
from editor.dataform import parse_data_form, render_data_form_placed
from editor.freeform import draft_errors
from editor.merge import three_way
from editor.problems import DATA_POINTER
from editor.translation_notes import CopyNotes
from editor.widgets import PREFIX, widget_for
from locales.models import SiteLocale
from schema import compiled_for

STALE_MESSAGE = (
    "This block was changed by someone else since you opened it, so your changes were NOT saved, and the "
    "version you started from is too old to merge with. Copy what you typed, open the block again, then redo it."
)


#: the name of the Publish button: the form's values are saved and published as one write (`block_edit`)
PUBLISH_BUTTON = "_cms_publish"


def _tags_from_text(text: str) -> list[str]:
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


class SchemaJSONField(forms.CharField):
    """The schema as the builder posts it (a JSON list); a syntax error is reported like any field error."""

    widget = forms.Textarea(attrs={"rows": 12, "class": "cms-schema-json", "spellcheck": "false"})

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=True, **kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return value or "[]"

    def to_python(self, value: Any) -> Any:
        if isinstance(value, list):  # a disabled field gives back its initial value, already parsed
            return value
        text = super().to_python(value) or "[]"
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"The schema is not valid JSON: {exc}") from None
        except RecursionError:  # the standard parser recurses: a hostile depth is a form error, not a 500
            raise forms.ValidationError("The schema is not valid JSON: nested too deep.") from None


class _ServiceForm(forms.ModelForm):
    """Shared by both forms: routing service errors to fields, and what the template needs to render."""

    actor: Actor | None = None  # set by BlockAdmin.get_form for the request (change form)
    request = None

    class Meta:
        model = SiteBlock
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.schema_errors: dict[str, str] = {}
        self.data_errors: dict[str, str] = {}
        self.saved: SiteBlock | None = None

    def _post_clean(self) -> None:
        """No model validation here: the services validate (and model constraints back them up)."""

    def report(self, exc: errors.CmsError) -> None:
        """Put each problem of a service error beside its field; the rest at the top of the form."""
        fields = exc.fields or {}
        if isinstance(exc, errors.StaleWrite):
            self.add_error(None, STALE_MESSAGE)
            return
        if not fields:
            self.add_error(None, exc.message)
            return
        for where, message in fields.items():
            if where == "schema" or where.startswith("schema["):
                self.schema_errors[where] = message
            elif where == "data" or where.startswith("data.") or where.startswith("data["):
                self.data_errors[where] = message
            else:
                base = where.split("[", 1)[0].split(".", 1)[0]
                target = {"tags": "tags"}.get(base, base)
                if target in self.fields and not self.fields[target].disabled:
                    self.add_error(target, message if where == base else f"{where}: {message}")
                else:
                    self.add_error(None, f"{where}: {message}")
        if self.schema_errors:
            self.add_error("schema_json", "The schema has problems; see the marked fields.")
        if self.data_errors:
            self.add_error(None, DATA_POINTER)

    def refused_nul(self, posted: dict) -> bool:
        """Report every path of `posted` holding a NUL (PostgreSQL cannot store one; the API refuses it too)."""
        carrying = nul_paths(posted)
        if carrying:
            self.report(errors.BadRequest(fields=dict.fromkeys(carrying, NUL_MESSAGE)))
        return bool(carrying)

    # -- for the template -------------------------------------------------------------------------------
    def schema_errors_json(self) -> str:
        return json.dumps(self.schema_errors)


class BlockAddForm(_ServiceForm):
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    locale = forms.ChoiceField(required=False, help_text="Empty: the site's default locale.")
    name = forms.CharField(max_length=200)
    slug = forms.CharField(max_length=200, required=False, help_text="Empty: made from the name.")
    type = forms.ChoiceField(choices=BlockType.choices, initial=BlockType.GLOBAL)
    path = forms.CharField(max_length=2048, required=False, help_text="Page blocks only, like /about.")
    tags = forms.CharField(required=False, help_text="Comma-separated.")
    schema_json = SchemaJSONField(label="Schema")
    template = forms.ModelChoiceField(
        queryset=BlockTemplate.objects.none(),
        required=False,
        to_field_name="slug",
        help_text="Follow a template: the block's schema is the template's (leave the schema empty).",
    )

    site_ids: list[int] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(pk__in=self.site_ids)
        if len(self.site_ids) == 1:
            self.fields["site"].initial = self.site_ids[0]
        codes = SiteLocale.objects.filter(site_id__in=self.site_ids, is_enabled=True).values_list(
            "locale__code", flat=True
        )
        self.fields["locale"].choices = [("", "— the site's default —")] + [(c, c) for c in sorted(set(codes))]
        self.fields["template"].queryset = BlockTemplate.objects.filter(site_id__in=self.site_ids).order_by("name")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        actor = actor_for(self.request, cleaned["site"])
        template = cleaned.get("template")
        if template is not None and template.site_id != cleaned["site"].pk:
            self.add_error("template", "Pick a template of the block's site.")
            return cleaned
        if self.refused_nul({"schema": cleaned["schema_json"]}):
            return cleaned
        try:
            self.saved = block_create(
                actor=actor,
                name=cleaned["name"],
                type=cleaned["type"],
                schema=cleaned["schema_json"] if not template or cleaned["schema_json"] else None,
                template=template.slug if template else None,
                path=cleaned["path"] or None,
                slug=cleaned["slug"] or None,
                tags=_tags_from_text(cleaned["tags"]),
                locale=cleaned["locale"] or None,
            )
        except errors.CmsError as exc:
            self.report(exc)
        return cleaned


class BlockChangeForm(_ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(max_length=200)
    path = forms.CharField(max_length=2048, required=False)
    tags = forms.CharField(required=False, help_text="Comma-separated.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        block = self.instance
        self.initial.update(
            version=block.version, name=block.name, path=block.path or "", tags=", ".join(block.tags or [])
        )
        if block.type != BlockType.PAGE:
            del self.fields["path"]
        self.can_write = self.actor.can(Action.WRITE)
        self.can_edit_data = can_edit_data(self.actor, block)
        # A copy's name, path and tags are its own (`/tarifs` in fr): whoever may write its data may change them.
        for name in ("name", "path", "tags") if not self.can_edit_data else ():
            if name in self.fields:
                self.fields[name].disabled = True
        self.data_value: dict = block.data
        translation = copy_translation(block)
        self.notes = (
            CopyNotes(
                translation["source_locale"],
                translation["states"],
                translation["state"],
                source_values=translation["source_values"],
                source_shared=translation["source_shared"],
                previous=translation["previous"],
                can_keep=self.can_edit_data,
                can_sync=self.can_write,
                review_url=reverse("admin:blocks_siteblock_review", args=[block.pk]),
            )
            if translation
            else None
        )

    def data_form(self) -> tuple[SafeString, dict[str, str], list[tuple[str, str]]]:
        """The content form's HTML, the errors no field showed, and where each shown error sits."""
        return render_data_form_placed(
            self.instance.schema,
            self.data_value,
            errors=self.data_errors,
            disabled=not self.can_edit_data,
            notes=self.notes,
            locale=self.instance.locale,
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        block = self.instance
        patch: dict = {}
        if self.can_edit_data:
            locked = self.notes.locked_fields(block.schema) if self.notes is not None else ()
            patch, self.data_value = parse_data_form(
                block.schema, self.data, block.data, locked=locked, copy=self.notes is not None
            )
        meta: BlockMeta = {}
        if self.can_edit_data:
            if cleaned["name"] != block.name:
                meta["name"] = cleaned["name"]
            tags = _tags_from_text(cleaned["tags"])
            if tags != list(block.tags or []):
                meta["tags"] = tags
            if "path" in self.fields and cleaned["path"] != (block.path or ""):
                meta["path"] = cleaned["path"]
        # The schema is changed on its own page (`BlockSchemaForm`); a `schema_json` posted here is ignored.
        if self.refused_unparsed(block, patch):
            return cleaned
        if self.refused_nul({"data": patch}):
            return cleaned
        publish = PUBLISH_BUTTON in self.data
        if publish and not self.actor.can(Action.PUBLISH):
            self.add_error(None, "Your role on this site cannot publish; nothing was saved.")
            return cleaned
        try:
            self.saved = block_edit(
                actor=self.actor,
                block=block,
                expected_version=cleaned["version"],
                meta=meta,
                data=patch,
                publish=publish,
            )
        except errors.StaleWrite as exc:
            if not self.merge_on_top(cleaned, publish):
                self.report(exc)
            return cleaned
        except errors.CmsError as exc:
            self.report(exc)
            return cleaned
        self.after_save(self.saved)
        return cleaned

    def merge_on_top(self, cleaned: dict, publish: bool) -> bool:
        """Someone saved since this form was opened: merge field by field (editor/merge.py). Without
        conflicts my changes are saved on top of theirs now; with conflicts the form comes back holding both
        sides' changes at their version, the conflicts listed. False: no base to merge against."""
        block = self.instance
        locked = self.notes.locked_fields(block.schema) if self.notes is not None else ()
        present = [
            f["name"]
            for f in block.schema
            if f["type"] != "dataSource"
            and f["name"] not in locked
            and widget_for(f["type"]).present(self.data, f"{PREFIX}.{f['name']}")
        ]
        mine_meta: dict[str, Any] = {}
        if self.can_edit_data:
            mine_meta = {"name": cleaned["name"], "tags": _tags_from_text(cleaned["tags"])}
            if "path" in self.fields:
                mine_meta["path"] = cleaned["path"] or None
        merge = three_way(block, cleaned["version"], self.data_value, present, mine_meta)
        if merge is None:
            return False
        theirs = ", ".join(merge.theirs) or "nothing you see here"
        if merge.conflicts:
            self.data_value = merge.data
            posted = cast(Any, self.data).copy()  # a QueryDict: copied, it can be changed
            posted["version"] = str(block.version)
            for key in ("name", "path", "tags"):  # what only they changed shows their value; a retry keeps it
                if key in mine_meta and key not in merge.meta and key in posted:
                    value = getattr(block, key)
                    posted[key] = ", ".join(value) if isinstance(value, list) else (value or "")
            self.data = posted
            for conflict in merge.conflicts:  # beside each field too, with their value (the box holds mine)
                beside = f"{merge.author} saved “{conflict.theirs}” here meanwhile; the box holds yours."
                if conflict.where.startswith("data."):
                    self.data_errors[conflict.where] = beside
                elif conflict.where in self.fields:
                    self.add_error(conflict.where, beside)
            both = "; ".join(f"{c.label}: yours “{c.mine}”, theirs “{c.theirs}”" for c in merge.conflicts)
            self.add_error(
                None,
                f"{merge.author} saved this block (version {block.version}) while you were editing; they changed "
                f"{theirs}. Nothing was saved yet. You both changed: {both}. The form now holds their changes "
                "and yours (yours where you both changed a field): settle those fields, then save again.",
            )
            return True
        try:
            assert self.actor is not None, "BlockAdmin.get_form binds the change form to the request's actor"
            self.saved = block_edit(
                actor=self.actor,
                block=block,
                expected_version=block.version,
                meta=cast(BlockMeta, merge.meta),
                data=merge.patch,
                publish=publish,
            )
        except errors.CmsError as exc:
            self.data_value = merge.data
            self.report(exc)
            return True
        self.after_save(self.saved)
        if not getattr(self, "done", ""):
            self.done = (
                f"{merge.author} saved this block while you were editing (they changed {theirs}); your changes "
                f"were saved on top of theirs (version {self.saved.version})."
            )
        return True

    def after_save(self, block: SiteBlock) -> None:
        """The translator's workspace buttons, after the page's edits were saved (nothing typed is lost):
        "Keep" one field (`_keep`: its data path) or "Re-sync shared fields" (`_sync_shared`). What was done is
        `self.done` (with `self.done_ok`), the admin's message after the redirect: the edits are saved already,
        so a refusal is that message too, not a form error."""
        self.done, self.done_ok, self.done_field = "", True, ""
        actor = self.actor
        assert actor is not None, "BlockAdmin.get_form binds the change form to the request's actor"
        keep = self.data.get("_keep")
        try:
            if isinstance(keep, str) and keep:
                self.saved = block_keep_translations(
                    actor=actor, block=block, fields=[keep], expected_version=block.version
                )
                # "{field}": the admin names the field by its label path (`editor.problems.label_path`)
                self.done = "“{field}” kept as translated: it counts as translated until the source changes again."
                self.done_field = keep
            elif self.data.get("_sync_shared"):
                results = block_sync_shared_fields(actor=actor, block=block, expected_version=block.version)
                self.saved = next((copy for copy, _ in results if copy.pk == block.pk), block)
                changed = next((fields for copy, fields in results if copy.pk == block.pk), [])
                self.done = (
                    "Shared fields re-synced from the source: " + ", ".join(changed) + "."
                    if changed
                    else "Shared fields were already in step with the source; nothing changed."
                )
        except errors.CmsError as exc:
            problems = " ".join((exc.fields or {}).values()) or exc.message
            self.done, self.done_ok = f"Your edits were saved, but not that: {problems}", False

    def refused_unparsed(self, block: SiteBlock, patch: dict) -> bool:
        """Report what the free-form editor could not parse (a word in a number row, a repeated key), with
        the validator's errors of the rest of the patch, so one save shows every problem; nothing is saved."""
        unparsed = draft_errors(patch)
        if not unparsed:
            return False
        rest = {key: value for key, value in patch.items() if not draft_errors(value, (key,))}
        try:
            compiled_for(block.schema).apply_patch(block.data, rest)
        except errors.ValidationFailed as exc:
            unparsed = {**(exc.fields or {}), **unparsed}
        self.report(errors.ValidationFailed(fields=unparsed))
        return True


#: field changes that can carry, convert or strand existing values
CONTENT_CHANGES = {"renamed", "moved", "typeChanged", "removed"}


def needs_review(report: dict) -> bool:
    """Whether a schema change's report (`meta.schemaChange`) says it can touch stored content: a field renamed,
    moved, retyped, removed or its `localized` toggled, or any value of any copy moved, converted, failed to
    convert or orphaned. Only adding fields or changing other options cannot, and is saved without a review."""
    for change in report.get("fields", []):
        if CONTENT_CHANGES & set(change.get("changes", ())) or "localized" in change.get("options", ()):
            return True
    kinds = ("moved", "converted", "failed", "orphaned")
    return any(copy.get(kind) for copy in report.get("copies", []) for kind in kinds)


class BlockSchemaForm(_ServiceForm):
    """The schema page's form: the builder's schema and the version it was opened at.

    A save is first a dry run (`block_replace_schema(dry_run=True)`, the API's `?dryRun=true`). When the change
    can touch stored content (`editor.schema_review.needs_review`) nothing is written: `review` holds the report
    for the preview page, whose confirm posts the same schema and version back with `confirmed`. Otherwise, and
    once confirmed, the change is written (`saved`, `report`); a block changed in between is a stale write.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    schema_json = SchemaJSONField(label="Schema")
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.update(version=self.instance.version, schema_json=self.instance.schema)
        self.review: dict | None = None
        self.report_: dict | None = None
        self.unchanged = False

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        block, schema = self.instance, cleaned["schema_json"]
        if schema == block.schema:
            self.unchanged = True
            return cleaned
        if self.refused_nul({"schema": schema}):
            return cleaned
        try:
            if not cleaned.get("confirmed"):
                _, report = block_replace_schema(
                    actor=self.actor, block=block, schema=schema, expected_version=cleaned["version"], dry_run=True
                )
                if needs_review(report):
                    self.review = report
                    return cleaned
            self.saved, self.report_ = block_replace_schema(
                actor=self.actor, block=block, schema=schema, expected_version=cleaned["version"]
            )
        except errors.CmsError as exc:
            self.report(exc)
        return cleaned


class CopyToLocaleForm(forms.Form):
    locale = forms.ChoiceField(help_text="A locale the site enables.")
    overwrite = forms.BooleanField(
        required=False, help_text="Replace the schema and data of an existing copy in that locale."
    )

    def __init__(self, *args, locales: list[str], existing: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["locale"]).choices = [
            (code, f"{code} (has a copy)" if code in existing else code) for code in locales
        ]
