"""A `SITE_LOCALES_CHANGED_LISTENERS` entry for tests: records the site ids it was called with."""

CALLS: list[int] = []


def record(*, site_id: int) -> None:
    CALLS.append(site_id)
