"""Rich text (HTML) as XLIFF inline codes and back, as pure functions (no XML library here).

A translation tool must not show `<a href="…" rel="…">` to a translator as text to translate, nor let it be
broken: XLIFF carries markup as **inline codes**. A rich-text value is parsed into a small tree of

- text (what the translator translates),
- `Pair`: an element with content (`<strong>…</strong>`, `<a href>…</a>`, `<ul>`, `<li>`): XLIFF 2 `<pc>`,
  XLIFF 1.2 `<g>`;
- `Point`: an element without content (`<br>`, `<img>`, a stray end tag): XLIFF 2 `<ph>`, XLIFF 1.2 `<x/>`.

Each code keeps the exact text of its original tags (`start`, `end`): XLIFF 2 stores them in the unit's
`<originalData>`, XLIFF 1.2 (which has no such place) in a `codes:` note. Rebuilding the HTML from the tree
puts those texts back around the (escaped) text, so a value that went through the sanitiser comes back
byte-identical, and import sanitises it again like every write.

Code ids are given per unit so a code of the target that is the source's (the same tag text, the same
occurrence) gets the source's id, as XLIFF asks; a tag only the translation has gets a new id.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements with no content: a placeholder, never a pair.
VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})

# What a tool may show for a code: XLIFF 2 `type`/`subType` (the `xlf:` values are the spec's own).
FORMATTING = {"b": "xlf:b", "strong": "xlf:b", "i": "xlf:i", "em": "xlf:i", "u": "xlf:u", "br": "xlf:lb"}
# The same idea in XLIFF 1.2's `ctype` of `<g>`/`<x>`.
CTYPES = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underlined", "a": "link"}


@dataclass
class Code:
    id: str
    tag: str  # the element's name (`strong`, `a`); `#` for what is not an element (a comment)
    start: str  # the original start tag (or the whole placeholder)
    end: str | None = None  # the original end tag of a pair


@dataclass
class Pair:
    code: Code
    children: list = field(default_factory=list)


@dataclass
class Point:
    code: Code


Node = str | Pair | Point


class Codes:
    """The ids of a unit's codes: the source's first, then the target's (same tag, same occurrence, same id)."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, int], str] = {}

    def id_for(self, start: str, occurrence: int) -> str:
        key = (start, occurrence)
        if key not in self._ids:
            self._ids[key] = str(len(self._ids) + 1)
        return self._ids[key]


class _TreeBuilder(HTMLParser):
    def __init__(self, codes: Codes) -> None:
        super().__init__(convert_charrefs=True)
        self.codes = codes
        self.root: list[Node] = []
        self.stack: list[Pair] = []
        self.seen: dict[str, int] = {}

    def _add(self, node: Node) -> None:
        (self.stack[-1].children if self.stack else self.root).append(node)

    def _code(self, tag: str, start: str, end: str | None = None) -> Code:
        occurrence = self.seen.get(start, 0)
        self.seen[start] = occurrence + 1
        return Code(id=self.codes.id_for(start, occurrence), tag=tag, start=start, end=end)

    def handle_starttag(self, tag, attrs):
        start = self.get_starttag_text() or f"<{tag}>"
        if tag in VOID:
            self._add(Point(self._code(tag, start)))
            return
        pair = Pair(self._code(tag, start, f"</{tag}>"))
        self._add(pair)
        self.stack.append(pair)

    def handle_startendtag(self, tag, attrs):
        self._add(Point(self._code(tag, self.get_starttag_text() or f"<{tag}/>")))

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1].code.tag == tag:
            self.stack.pop()
        else:  # an end tag with no start: kept as it was, as a placeholder
            self._add(Point(self._code("#", f"</{tag}>")))

    def handle_data(self, data):
        siblings = self.stack[-1].children if self.stack else self.root
        if siblings and isinstance(siblings[-1], str):
            siblings[-1] += data
        else:
            siblings.append(data)

    def handle_comment(self, data):
        self._add(Point(self._code("#", f"<!--{data}-->")))


def parse(value: str, codes: Codes) -> list[Node]:
    """The tree of an HTML fragment; ids come from `codes` (share one between a unit's source and target)."""
    builder = _TreeBuilder(codes)
    builder.feed(value)
    builder.close()
    for pair in builder.stack:  # never closed in the HTML: nothing to put back at its end
        pair.code.end = ""
    return builder.root


def to_html(nodes: list[Node]) -> str:
    """The HTML of a tree: text escaped as the sanitiser writes it, codes as their original tags."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(html.escape(node, quote=False))
        elif isinstance(node, Pair):
            out.append(node.code.start + to_html(node.children) + (node.code.end or ""))
        else:
            out.append(node.code.start)
    return "".join(out)


def codes_of(nodes: list[Node]) -> list[Code]:
    """Every code of a tree, in document order."""
    found: list[Code] = []
    for node in nodes:
        if isinstance(node, Pair):
            found.append(node.code)
            found.extend(codes_of(node.children))
        elif isinstance(node, Point):
            found.append(node.code)
    return found


class MissingCode(ValueError):
    """A code of the file that names no original markup (the message names it)."""
