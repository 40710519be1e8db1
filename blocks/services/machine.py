"""Machine pre-translation: a site's provider fills the untranslated fields of its locale copies.

    machine_config(site) -> MachineTranslationConfig | None        the site's provider, if one is set up
    machine_config_set(actor=, provider=, base_url=, api_key=None)  set it up or change it (owners)
    machine_config_remove(actor=)                                   switch the feature off (owners)
    translations_pretranslate(actor=, locale=, block=None) -> dict  the report of one pre-translation

Without a provider the feature is absent: the endpoints answer `not_found` and the admin shows no button.

A pre-translation reads the source and the copies, asks the provider for every **untranslated** text unit
(never an outdated, machine or translated one: a person's work is not overwritten) *before* any row is
locked, then writes each block copy once, through the import's write path (`write_units`): the same schema
validation (a block with an invalid value writes nothing), one revision per block, and every unit written
marked `machine` in the translation status until a person keeps or edits it. A provider that fails or
times out writes nothing at all (502 / 503, the provider's reason in the message).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import Site
from accounts.permissions import Action, Actor
from blocks import exchange, machine_translation
from blocks.models import MachineTranslationConfig, SiteBlock
from blocks.selectors import TRANSLATION_COLUMNS
from blocks.services.common import require_data_write
from blocks.services.exchange import write_units
from blocks.translation_units import UNTRANSLATED, SourceView, unit_states
from cms import errors
from cms.conf import cms_setting

NOT_SET_UP = "Machine translation is not set up for this site: an owner chooses a provider first."


def machine_config(site: Site) -> MachineTranslationConfig | None:
    return MachineTranslationConfig.objects.filter(site=site).first()


def require_provider(site: Site) -> MachineTranslationConfig:
    """The site's provider; `not_found` when there is none (the feature is absent, not refused)."""
    config = machine_config(site)
    if config is None:
        raise errors.NotFound(NOT_SET_UP)
    return config


def machine_config_set(
    *, actor: Actor, provider: str, base_url: str, api_key: str | None = None
) -> MachineTranslationConfig:
    """Choose the site's provider. `api_key=None` keeps the key already stored (the key is never shown back,
    so a form that does not send it again must not erase it); `""` removes it."""
    actor.require(Action.MANAGE)
    problems = {}
    if provider not in machine_translation.PROVIDERS:
        problems["provider"] = "One of: " + ", ".join(f"`{name}`" for name in machine_translation.PROVIDERS) + "."
    base_url = (base_url or "").strip()
    if not base_url.startswith(("https://", "http://")) or len(base_url) > 500 or any(c.isspace() for c in base_url):
        problems["baseUrl"] = "Must be the provider API's http(s) URL, such as `https://api-free.deepl.com`."
    if api_key is not None and len(api_key) > 500:
        problems["apiKey"] = "Must be at most 500 characters long."
    if problems:
        raise errors.ValidationFailed(fields=problems)
    with transaction.atomic():
        config, _created = MachineTranslationConfig.objects.select_for_update().get_or_create(
            site=actor.site, defaults={"provider": provider, "base_url": base_url, "api_key": api_key or ""}
        )
        config.provider, config.base_url = provider, base_url
        if api_key is not None:
            config.api_key = api_key.strip()
        config.save()
    return config


def machine_config_remove(*, actor: Actor) -> None:
    actor.require(Action.MANAGE)
    deleted, _ = MachineTranslationConfig.objects.filter(site=actor.site).delete()
    if not deleted:
        raise errors.NotFound(NOT_SET_UP)


def _provider(site: Site) -> machine_translation.Provider:
    config = require_provider(site)
    return machine_translation.provider_for(
        config.provider,
        base_url=config.base_url,
        api_key=config.api_key,
        timeout=cms_setting("MACHINE_TRANSLATION_TIMEOUT_SECONDS"),
    )


def translations_pretranslate(*, actor: Actor, locale: str, block: SiteBlock | None = None) -> dict:
    """Pre-translate the untranslated text fields of the site's copies in `locale` (or of `block`'s group)."""
    site = actor.site
    provider = _provider(site)
    try:
        locale = exchange.check_target_locale(site, locale)
    except errors.BadRequest as exc:
        raise errors.ValidationFailed(fields=exc.fields) from None
    copies = SiteBlock.objects.filter(site=site).only(*TRANSLATION_COLUMNS).order_by("pk")
    if block is not None:
        copies = copies.filter(translation_key=block.translation_key)
    sources = {copy.translation_key: copy for copy in copies.filter(locale=site.default_locale)}
    pairs = [
        (sources[copy.translation_key], copy)
        for copy in copies.filter(locale=locale)
        if copy.translation_key in sources
    ]
    report: dict[str, Any] = {"locale": locale, "provider": provider.name, "machine": [], "invalid": [], "skipped": []}
    wanted: list[tuple[SiteBlock, SiteBlock, str, str, bool]] = []  # source, target, key, text, rich
    views: dict[int, SourceView] = {}
    for source, target in pairs:
        target.site = site
        require_data_write(actor, target)
        view = views.setdefault(source.pk, SourceView(source))
        fields = exchange.unit_fields(source.schema, source.data)
        for key, state in unit_states(source, target, view=view).items():
            if state != UNTRANSLATED:
                continue
            value = view.values[key]
            if not isinstance(value, str):
                report["skipped"].append(
                    {
                        "id": exchange.unit_id(source.translation_key, key),
                        "reason": "Not a text: translate it yourself.",
                    }
                )
                continue
            wanted.append((source, target, key, value, fields[key].get("type") == "richtext"))
    translated = _translate_all(provider, wanted, source=site.default_locale, target=locale)
    by_block: dict[int, list[exchange.ImportUnit]] = {}
    for (source, target, key, _text, _rich), text in zip(wanted, translated, strict=True):
        by_block.setdefault(target.pk, []).append(
            exchange.ImportUnit(
                id=exchange.unit_id(source.translation_key, key),
                target=text,
                fingerprint=views[source.pk].print_of(key),
                is_json=False,
                fuzzy=False,
            )
        )
    comment = f"Pre-translated by {provider.label}"
    for source, target in pairs:
        units = by_block.get(target.pk)
        if not units:
            continue
        plan = write_units(actor, source, target, units, comment=comment, machine=True)
        written = set(plan.lists["applied"] + plan.lists["kept"])
        report["machine"].extend(unit.id for unit in units if unit.id in written)  # in schema order
        report["invalid"].extend(plan.lists["invalid"])
        report["skipped"].extend(plan.lists["skipped"])
        report["skipped"].extend(
            {"id": unit_id, "reason": "The source changed meanwhile: run it again."}
            for unit_id in plan.lists["outdated"]
        )
    report["counts"] = {name: len(report[name]) for name in ("machine", "invalid", "skipped")}
    return report


def _translate_all(provider: machine_translation.Provider, wanted: list, *, source: str, target: str) -> list[str]:
    """One answer per wanted unit, in order: plain texts and HTML texts asked for apart (their format differs)."""
    answers: list[str | None] = [None] * len(wanted)
    for rich in (False, True):
        indexes = [index for index, item in enumerate(wanted) if item[4] == rich]
        if not indexes:
            continue
        try:
            texts = provider.translate([wanted[i][3] for i in indexes], source=source, target=target, html=rich)
        except machine_translation.ProviderFailed as exc:
            raise (errors.ProviderUnavailable if exc.unavailable else errors.ProviderError)(exc.message) from None
        for index, text in zip(indexes, texts, strict=True):
            answers[index] = text
    return [answer or "" for answer in answers]
