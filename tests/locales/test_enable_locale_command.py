"""`manage.py enable_locale` (issue 21): the docs' example (enable Spanish on the demo site, then copy the site
into it) runs as written, which `copy_site_to_locale demo es` alone never did; and its refusals."""

from __future__ import annotations

import shlex
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from blocks.models import SiteBlock
from locales.models import SiteLocale
from tests.docs.markdown import snippet

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(tmp_path, settings):
    settings.BASE_DIR = tmp_path  # seed_demo keeps the admin password under BASE_DIR/var
    call_command("seed_demo", stdout=StringIO())


def run(line: str) -> str:
    """One `.venv/bin/python manage.py …` line of the docs, run as that command."""
    words = shlex.split(line)
    assert words[:2] == [".venv/bin/python", "manage.py"], line
    out = StringIO()
    call_command(*words[2:], stdout=out)
    return out.getvalue()


def test_the_docs_example_enables_spanish_then_copies_the_site_into_it(demo):
    lines = [line for line in snippet("management-api.md", "enable-locale.sh").splitlines() if line.strip()]
    assert len(lines) == 2
    assert run(lines[0]).strip() == "Enabled `es` on `demo`, falling back to `en`."
    row = SiteLocale.objects.get(site__slug="demo", locale__code="es")
    assert row.is_enabled and row.fallback is not None and row.fallback.code == "en"
    assert run(lines[1]).startswith("Copied into `es`: 3 created")
    spanish = SiteBlock.objects.filter(site__slug="demo", locale="es")
    assert sorted(spanish.values_list("slug", flat=True)) == ["about", "footer", "header"]
    # Run again (a setup script run twice): nothing changes, nothing fails.
    assert run(lines[0]).strip() == "`es` is already enabled on `demo`; nothing changed."


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["nowhere", "es"], "No site `nowhere`; create it with `manage.py create_site`."),
        (
            ["demo", "not a code"],
            "Not enabled: The request did not validate. code: `not a code` is not a BCP 47 language tag "
            "(such as `en`, `fr-CA`, `pt-BR`).",
        ),
        (
            ["demo", "es", "--fallback", "de"],
            "Not enabled: The request did not validate. fallback: `de` is not a locale this site enables.",
        ),
    ],
)
def test_refusals_name_the_problem_and_enable_nothing(demo, args, complaint):
    with pytest.raises(CommandError) as refused:
        call_command("enable_locale", *args, stdout=StringIO())
    assert str(refused.value) == complaint
    assert not SiteLocale.objects.filter(locale__code="es").exists()
