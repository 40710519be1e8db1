"""Reading docs/ as the tests need it: the request/answer examples of each section, and titled code blocks.

A page shows an example as two fenced JSON blocks: the request, titled with its method and path
(```` ```json title="POST /api/v1/site-blocks" ````, its body the block's content, none when empty), then
the answer, titled with its status (```` ```json title="422 Unprocessable Entity" ````); an answer titled
`(abbreviated)` lists only some of the real answer's keys. Other code a test runs (the quickstart's scripts,
the webhook signature checks) is found by its title (```` ```python title="verify.py" ````), also inside tabs.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FENCE = re.compile(r'^```(?P<lang>\w*)(?: title="(?P<title>[^"]*)")?\n(?P<body>.*?)^```\s*$', re.M | re.S)
TITLED = re.compile(r'^(?P<indent>[ ]*)```\w+ title="(?P<title>[^"]+)"\n(?P<body>.*?)^(?P=indent)```\s*$', re.M | re.S)
REQUEST = re.compile(r"^(?P<method>GET|POST|PUT|PATCH|DELETE) (?P<path>/\S*)$")
ANSWER = re.compile(r"^(?P<status>[1-5][0-9]{2})\b")


@dataclass
class Example:
    method: str
    path: str
    body: str
    status: int = 0
    answer: str = ""
    abbreviated: bool = False


@dataclass
class Section:
    page: str
    heading: str
    examples: list[Example] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.page}#{self.heading}"


def sections() -> list[Section]:
    """The sections (`## …`) of docs/*.md that show examples, each with its examples in order."""
    found = []
    for page in sorted(DOCS.glob("*.md")):
        parts = re.split(r"^## (.+)$", page.read_text(), flags=re.M)
        for heading, body in zip(parts[1::2], parts[2::2], strict=True):
            section = Section(page.name, heading.strip())
            for fence in FENCE.finditer(body):
                title = fence["title"] or ""
                if fence["lang"] != "json":
                    continue
                if request := REQUEST.match(title):
                    section.examples.append(Example(request["method"], request["path"], fence["body"].strip()))
                elif answer := ANSWER.match(title):
                    last = section.examples[-1] if section.examples else None
                    assert last is not None and not last.status, f"{section.id}: {title!r} answers no request"
                    last.status, last.answer = int(answer["status"]), fence["body"].strip()
                    last.abbreviated = "(abbreviated)" in title
            if section.examples:
                found.append(section)
    return found


def snippet(page: str, title: str) -> str:
    """The code block titled `title` on `page`, dedented (it may sit in a tab)."""
    for match in TITLED.finditer((DOCS / page).read_text()):
        if match["title"] == title:
            return textwrap.dedent(match["body"])
    raise AssertionError(f"docs/{page} has no code block titled {title!r}")
