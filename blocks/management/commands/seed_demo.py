"""`manage.py seed_demo`: a demo site to explore, and an admin login printed at the end.

Idempotent: run by every `make run`. Blocks are created (and published) only when missing; the admin
password is generated once and kept in `var/admin-password.txt` (readable only by its owner) so it can be
printed again on the next run.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership, Role, Site
from accounts.permissions import Actor
from blocks.demo import DEMO_BLOCKS, DEMO_LOCALES, DEMO_SITE, DEMO_TRANSLATIONS
from blocks.models import SiteBlock
from blocks.selectors import copy_translation
from blocks.services import (
    BlockMeta,
    block_copy_to_locale,
    block_create,
    block_keep_translations,
    block_publish,
    block_update_data,
    block_update_meta,
)
from locales.models import Locale, SiteLocale
from locales.sites import site_create

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Create the demo site (header, footer, about page in two locales) and an admin login; print it."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the service will answer, for the printed links (`make run` passes its HOST and PORT).",
        )

    def handle(self, *args, **options) -> None:
        base = options["base_url"].rstrip("/")
        with transaction.atomic():
            site = self._site()
            admin, password = self._admin()
            Membership.objects.get_or_create(user=admin, site=site, defaults={"role": Role.OWNER})
            created = self._blocks(site, admin)
        self.stdout.write(self.style.SUCCESS(f"Demo site `{site.slug}` ready ({created} blocks created)."))
        self.stdout.write(f"Admin:    {base}/admin/")
        self.stdout.write(f"Login:    {ADMIN_USERNAME}")
        if password:
            self.stdout.write(f"Password: {password}")
        else:
            self.stdout.write("Password: (set before; reset it with `.venv/bin/python manage.py changepassword admin`)")
        self.stdout.write(f"Delivery: {base}/api/v1/delivery/{site.slug}/blocks/header")
        self.stdout.write(f"API docs: {base}/api/v1/docs/  (guides: `make docs`, or docs/ in the repository)")
        self.stdout.write("Port:     another one with `PORT=8201 make run` (and `HOST=...`)")

    def _site(self) -> Site:
        site = Site.objects.filter(slug=DEMO_SITE["slug"]).first() or site_create(
            slug=DEMO_SITE["slug"], name=DEMO_SITE["name"], locales=DEMO_LOCALES, default_locale=DEMO_LOCALES[0]
        )
        for code in DEMO_LOCALES:  # a demo site seeded by an older version gets the locales it lacks
            locale, _ = Locale.objects.get_or_create(code=code, defaults={"name": code})
            SiteLocale.objects.get_or_create(site=site, locale=locale)
        return site

    def _admin(self):
        password_file = Path(settings.BASE_DIR) / "var" / "admin-password.txt"
        user_model = get_user_model()
        admin = user_model.objects.filter(username=ADMIN_USERNAME).first()
        if admin is None:
            password = secrets.token_urlsafe(12)
            admin = user_model.objects.create_superuser(
                ADMIN_USERNAME, email="admin@example.com", password=password, first_name="Ada", last_name="Admin"
            )
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            os.chmod(password_file, 0o600)
            return admin, password
        if password_file.exists() and admin.check_password(password_file.read_text().strip()):
            return admin, password_file.read_text().strip()
        return admin, None

    def _blocks(self, site: Site, admin) -> int:
        """Each block in the default locale, then its translations made as locale copies (one group each)."""
        actor = Actor(user=admin, site=site, role=Role.OWNER)
        created = 0
        for spec in DEMO_BLOCKS:
            source = SiteBlock.objects.filter(site=site, locale=site.default_locale, slug=spec["slug"]).first()
            if source is None:
                source = block_create(actor=actor, locale=site.default_locale, **spec)
                source = block_publish(actor=actor, block=source, expected_version=source.version)
                created += 1
            for locale, by_slug in DEMO_TRANSLATIONS.items():
                translation = by_slug.get(spec["slug"])
                if (
                    translation is None
                    or SiteBlock.objects.filter(site=site, locale=locale, slug=spec["slug"]).exists()
                ):
                    continue
                copy = block_copy_to_locale(actor=actor, block=source, locale=locale)
                meta = BlockMeta(name=translation["name"])
                if "path" in translation:  # a page's copy has its own path (`/a-propos`)
                    meta["path"] = translation["path"]
                copy = block_update_meta(actor=actor, block=copy, expected_version=copy.version, changes=meta)
                copy = block_update_data(
                    actor=actor, block=copy, data=translation["data"], expected_version=copy.version, publish=True
                )
                # Values the translation left as the source has them ("Blog", a URL) were checked: kept.
                same = [
                    key
                    for key, state in (copy_translation(copy) or {"states": {}})["states"].items()
                    if state == "untranslated"
                ]
                if same:
                    block_keep_translations(actor=actor, block=copy, fields=same, expected_version=copy.version)
                created += 1
        return created
