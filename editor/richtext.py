"""The rich-text editor of the content form: django-prose-editor (Tiptap on ProseMirror), configured here.

Why a library and not our own contenteditable: a document model keeps the HTML semantic (`<p>`, `<strong>`,
`<ul><li>`, never the `<div>`/`<b>` soup that `execCommand` writes), the toolbar shows the state at the cursor,
links get a real dialog, and undo, paste clean-up and keyboard shortcuts come with it. The library is kept
by FeinCMS' authors, ships its JavaScript prebuilt (no npm step here) and renders into the textarea it
enhances, so the form still posts plain HTML and the page works without JavaScript (README "Dependencies").

The extensions below are the whole vocabulary an editor can produce, all inside the sanitiser's allow-list
(`schema.sanitize`): the server still sanitises every write, whatever a client sends.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.templatetags.static import static

#: What the toolbar offers. Headings start at 2: the page's title is the frontend's <h1>.
EXTENSIONS: dict[str, Any] = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    "History": True,
    "NoSpellCheck": False,  # the library turns the browser's spell checking off by default; editors want it
}

#: The attribute the library's `configurable` preset looks for; its value is the editor's configuration.
CONFIG_ATTRIBUTE = "data-django-prose-editor-configurable"


@cache
def editor_config() -> str:
    """The JSON the textarea carries (expanded by the library's own rules, so dependencies such as ListItem
    and the menu come along)."""
    from django_prose_editor.config import expand_extensions, js_from_extensions

    return json.dumps(
        {"extensions": expand_extensions(EXTENSIONS), "js_modules": js_from_extensions(EXTENSIONS)},
        separators=(",", ":"),
    )


def import_map() -> str:
    """The import map the library's ES modules need (bare `django-prose-editor/editor` specifiers). It is an
    inline script, so the page sends it with the request's CSP nonce (the admin allows no other inline script)."""
    return json.dumps(
        {
            "imports": {
                "django-prose-editor/editor": static("django_prose_editor/editor.js"),
                "django-prose-editor/configurable": static("django_prose_editor/configurable.js"),
            }
        }
    )


#: Stylesheets of the editor, in the admin's variant (the library's overrides fit it to the admin's theme).
CSS = [
    "django_prose_editor/material-icons.css",
    "django_prose_editor/editor.css",
    "django_prose_editor/overrides.css",
]
