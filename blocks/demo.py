"""The demo content `seed_demo` creates: a site with a header, a footer and an about page."""

from typing import Any

DEMO_SITE = {"slug": "demo", "name": "Demo Site"}
DEMO_LOCALES = ("en", "fr")

LINK_ITEMS = {
    "type": "object",
    "fields": [
        {"name": "label", "type": "string", "label": "Label", "required": True},
        {"name": "url", "type": "url", "label": "URL", "required": True},
    ],
}

FOOTER_LINK_ITEMS = {
    "type": "object",
    "fields": [
        {"name": "label", "type": "string", "label": "Label", "required": True},
        {"name": "url", "type": "url", "label": "URL", "required": True, "schemes": ["http", "https", "mailto"]},
    ],
}

DEMO_BLOCKS: list[dict[str, Any]] = [
    {
        "name": "Header",
        "slug": "header",
        "type": "global",
        "tags": ["nav"],
        "schema": [
            {"name": "logo", "type": "image", "label": "Logo", "requireAlt": True},
            {"name": "tagline", "type": "string", "label": "Tagline", "maxLength": 120},
            {"name": "navLinks", "type": "array", "label": "Navigation Links", "items": LINK_ITEMS, "maxItems": 8},
        ],
        "data": {
            "logo": {"url": "https://cdn.example.com/demo/logo.svg", "alt": "Demo logo"},
            "tagline": "Content that ships itself",
            "navLinks": [
                {"label": "Home", "url": "/"},
                {"label": "Blog", "url": "/blog"},
                {"label": "About", "url": "/about"},
            ],
        },
    },
    {
        "name": "Footer",
        "slug": "footer",
        "type": "global",
        "tags": ["nav"],
        "schema": [
            {"name": "copyright", "type": "string", "label": "Copyright", "required": True},
            {"name": "links", "type": "array", "label": "Links", "items": FOOTER_LINK_ITEMS},
            {"name": "accent", "type": "color", "label": "Accent colour", "localized": False},
        ],
        "data": {
            "copyright": "© 2026 Demo Inc.",
            "links": [{"label": "Privacy", "url": "/privacy"}, {"label": "Contact", "url": "mailto:hi@example.com"}],
            "accent": "#0f766e",
        },
    },
    {
        "name": "About Page",
        "slug": "about",
        "type": "page",
        "path": "/about",
        "tags": ["company"],
        "schema": [
            {"name": "title", "type": "string", "label": "Title", "required": True},
            {"name": "body", "type": "richtext", "label": "Body"},
            {"name": "hero", "type": "image", "label": "Hero image"},
            {"name": "publishedOn", "type": "date", "label": "Published on"},
        ],
        "data": {
            "title": "About us",
            "body": "<p>We build <strong>tools for editors</strong>.</p>",
            "hero": {"url": "https://cdn.example.com/demo/hero.jpg", "alt": "Our team"},
            "publishedOn": "2026-01-15",
        },
    },
]

# The second locale of the demo: each block's copy, with its localized fields translated (non-localized ones,
# like the footer accent, are the same in every copy).
DEMO_TRANSLATIONS: dict[str, dict[str, dict[str, Any]]] = {
    "fr": {
        "header": {
            "name": "En-tête",
            "data": {
                "logo": {"url": "https://cdn.example.com/demo/logo.svg", "alt": "Logo de démo"},
                "tagline": "Du contenu qui se publie tout seul",
                "navLinks": [
                    {"label": "Accueil", "url": "/"},
                    {"label": "Blog", "url": "/blog"},
                    {"label": "À propos", "url": "/a-propos"},
                ],
            },
        },
        "footer": {
            "name": "Pied de page",
            "data": {
                "copyright": "© 2026 Demo SAS.",
                "links": [
                    {"label": "Confidentialité", "url": "/privacy"},
                    {"label": "Contact", "url": "mailto:hi@example.com"},
                ],
                "accent": "#0f766e",
            },
        },
        "about": {
            "name": "À propos",
            "path": "/a-propos",  # each locale copy has its own path (delivery: `meta.alternates`)
            "data": {
                "title": "À propos de nous",
                "body": "<p>Nous créons <strong>des outils pour les rédacteurs</strong>.</p>",
                "hero": {"url": "https://cdn.example.com/demo/hero.jpg", "alt": "Notre équipe"},
                "publishedOn": "2026-01-15",
            },
        },
    }
}
