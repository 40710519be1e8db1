"""`python -m tests.clients.seed_server DIR`: prepare the database of the clients' live server (conftest.py) in
one process: migrate, `seed_demo` (its admin password kept under DIR, not in the repository's var/), and a
token with every scope; prints the token's secret on the last line."""

from __future__ import annotations

import sys
from io import StringIO
from pathlib import Path

import django


def main(directory: Path) -> None:
    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    call_command("migrate", "--noinput", verbosity=0)
    with override_settings(BASE_DIR=directory):
        call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command(
        "create_api_token", "--site", "demo", "--user", "clients", "--role", "owner",
        "--scopes", "read,write,publish,preview", stdout=out,
    )  # fmt: skip
    print(out.getvalue().splitlines()[-1])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
