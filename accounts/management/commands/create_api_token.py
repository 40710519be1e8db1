"""`manage.py create_api_token --site <slug> --user <username> [--role editor] [--scopes read,write,publish]
[--name NAME]`: the user is created when missing and given the role; the secret is printed alone on the last
line of standard output (and never again: only its hash is stored).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Membership, Role, Site
from accounts.services import DEFAULT_TOKEN_SCOPES, TOKEN_SCOPES, membership_set, token_create
from cms import errors
from cms.errors import error_text

DEFAULT_ROLE = Role.EDITOR


class Command(BaseCommand):
    help = "Issue an API token for a user on a site (creating the user and the membership when missing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--site", required=True, help="Slug of the site the token acts on.")
        parser.add_argument("--user", required=True, help="Username; created (without a password) when missing.")
        parser.add_argument(
            "--role",
            choices=Role.values,
            help="Role on the site: set when given; when omitted an existing role is kept, a new member is editor.",
        )
        # From the scope constants, so a scope added to the code is listed here too (`preview` once was not).
        parser.add_argument(
            "--scopes",
            default=",".join(DEFAULT_TOKEN_SCOPES),
            help=f"Comma list of {', '.join(TOKEN_SCOPES)} (default: {','.join(DEFAULT_TOKEN_SCOPES)}).",
        )
        parser.add_argument("--name", default="", help="A label to recognise the token by.")

    def handle(self, *args, **options) -> None:
        site = Site.objects.filter(slug=options["site"]).first()
        if site is None:
            raise CommandError(f"No site `{options['site']}`; create it with `manage.py create_site`.")
        try:
            with transaction.atomic():
                user, created = get_user_model().objects.get_or_create(username=options["user"])
                if created:
                    user.set_unusable_password()
                    user.save(update_fields=["password"])
                role = options["role"]
                if role is None:
                    existing = Membership.objects.filter(user=user, site=site).values_list("role", flat=True).first()
                    role = existing or DEFAULT_ROLE
                membership_set(user=user, site=site, role=role)
                token, secret = token_create(
                    user=user, site=site, name=options["name"], scopes=options["scopes"].split(",")
                )
        except errors.CmsError as error:
            raise CommandError(error_text(error)) from None
        self.stdout.write(
            f"Token {token.display_prefix}… for `{user.username}` ({role}) on `{site.slug}`, "
            f"scopes {','.join(token.scopes)}. Shown once, keep it now:"
        )
        self.stdout.write(secret)
