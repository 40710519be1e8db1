"""Every management API route, found from the URL configuration, so endpoints added later are covered too.

A route is a `SiteAPIView` (or a viewset built on it) mounted under `/api/v1/`; tests fill its URL arguments
(`slug` with a block's slug, any other argument with `1`) and send each method it answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.api import SiteAPIView

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# Query parameters a route cannot answer without (checked before the block is looked up).
REQUIRED_QUERY = {
    "site-block-revisions-compare": "from=1&to=2",
    "site-block-translations-export": "locale=fr&format=po",
}


@dataclass(frozen=True)
class Route:
    name: str
    arguments: tuple[str, ...]
    methods: tuple[str, ...]

    def url(self, slug: str = "x", **values) -> str:
        kwargs = {name: values.get(name, "1") for name in self.arguments}
        if "slug" in kwargs:
            kwargs["slug"] = slug
        url = reverse(self.name, kwargs=kwargs)
        query = REQUIRED_QUERY.get(self.name.rpartition(":")[2])
        return f"{url}?{query}" if query else url

    def with_query(self, url: str, query: str) -> str:
        return f"{url}{'&' if '?' in url else '?'}{query}"

    @property
    def writes(self) -> tuple[str, ...]:
        return tuple(method for method in self.methods if method != "get")


def _view_methods(callback) -> tuple[str, ...] | None:
    actions = getattr(callback, "actions", None)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None or not issubclass(view_class, SiteAPIView):
        return None
    if actions:
        return tuple(method for method in HTTP_METHODS if method in actions)
    return tuple(method for method in HTTP_METHODS if hasattr(view_class, method))


def site_api_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                methods = _view_methods(pattern.callback)
                if methods:
                    arguments = tuple(pattern.pattern.regex.groupindex)
                    routes.append(Route(f"{namespace}{pattern.name}", arguments, methods))

    walk(get_resolver().url_patterns, "")
    unique = {(route.name, route.arguments): route for route in routes}
    return sorted(unique.values(), key=lambda route: route.name)


def block_routes() -> list[Route]:
    """Routes that address one block by slug."""
    return [route for route in site_api_routes() if "slug" in route.arguments]
