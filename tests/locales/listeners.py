"""A `locales.events.site_locales_changed` subscriber for tests: records the site ids it was called with."""

CALLS: list[int] = []


def record(*, site_id: int) -> None:
    CALLS.append(site_id)
