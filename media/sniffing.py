"""What an uploaded file really is: its type sniffed from the bytes, checked against what its name says.

Why the bytes decide: a name or a `Content-Type` is whatever the client says, and a `.png` whose bytes are HTML
would be served as a page on our origin. Images are recognised by Pillow (which also gives the pixel size,
without decoding the pixels), SVG by parsing it as XML (defusedxml: no entities, no DTDs), PDF by its magic
bytes, a few common binary formats by `filetype` (pure Python magic numbers), plain text and CSV by decoding
as UTF-8 without NUL. Anything else, and HTML whatever its name, is refused: the library holds only types
we know how to serve safely (`ALLOWED`).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import filetype
from defusedxml import ElementTree as SafeET
from PIL import Image, UnidentifiedImageError

from cms import errors
from cms.conf import cms_setting

SVG_NS = "http://www.w3.org/2000/svg"
SVG = "image/svg+xml"

# MIME type -> the extensions a file of that type may carry (the first is the one we give a nameless file).
ALLOWED: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    SVG: (".svg",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt",),
    "text/csv": (".csv",),
    "application/zip": (".zip",),
    "audio/mpeg": (".mp3",),
    "audio/ogg": (".ogg", ".oga"),
    "audio/x-wav": (".wav",),
    "video/mp4": (".mp4",),
    "video/webm": (".webm",),
}
PILLOW_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
RASTER = frozenset(PILLOW_FORMATS.values())
HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<meta", b"<title")

EMPTY = "The file is empty."
UNSUPPORTED = "This type of file is not accepted (allowed: " + ", ".join(ALLOWED) + ")."
HTML_REFUSED = "The content is HTML, which is never accepted."
TOO_MANY_PIXELS = "Too many pixels for an image (a decompression bomb?): width x height must be at most"


@dataclass(frozen=True)
class Sniffed:
    mime_type: str
    width: int | None = None
    height: int | None = None

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")


def extension_of(name: str) -> str:
    base = name.rpartition("/")[2].rpartition("\\")[2]
    dot = base.rfind(".")
    return base[dot:].lower() if dot >= 0 else ""


def sniff(content: bytes, name: str, *, field: str = "file") -> Sniffed:
    """The type of `content`, or `validation_failed` (empty, HTML, unknown type, or a name that disagrees) or
    `payload_too_large` (an image over `CMS["MEDIA_MAX_IMAGE_PIXELS"]`: a decompression bomb)."""
    if not content:
        raise errors.ValidationFailed(fields={field: EMPTY})
    found = _sniff_image(content, field) or _sniff_other(content, name)
    if found is None:
        head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        message = HTML_REFUSED if head.startswith(HTML_STARTS) else UNSUPPORTED
        raise errors.ValidationFailed(fields={field: message})
    allowed = ALLOWED[found.mime_type]
    if extension_of(name) not in allowed:
        raise errors.ValidationFailed(
            fields={
                field: f"The content is {found.mime_type}, but the name `{name}` says otherwise; "
                f"name it with {' or '.join(allowed)}."
            }
        )
    return found


def _sniff_image(content: bytes, field: str) -> Sniffed | None:
    limit = cms_setting("MEDIA_MAX_IMAGE_PIXELS")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=list(PILLOW_FORMATS)) as image:
                width, height = image.size
                mime = PILLOW_FORMATS[str(image.format)]
    except Image.DecompressionBombError:
        raise errors.PayloadTooLarge(
            "The image has too many pixels.", fields={field: f"{TOO_MANY_PIXELS} {limit}."}
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None
    if width * height > limit:
        raise errors.PayloadTooLarge(
            "The image has too many pixels.",
            fields={field: f"{TOO_MANY_PIXELS} {limit}; this one has {width} x {height}."},
        )
    return Sniffed(mime, width, height)


def _sniff_other(content: bytes, name: str) -> Sniffed | None:
    if content.startswith(b"%PDF-"):
        return Sniffed("application/pdf")
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and _is_svg(content):
        return Sniffed(SVG)
    kind = filetype.guess(content)
    if kind is not None:
        mime = "audio/x-wav" if kind.mime in ("audio/wav", "audio/x-wav") else kind.mime
        return Sniffed(mime) if mime in ALLOWED and not mime.startswith("image/") else None
    if extension_of(name) in (".txt", ".csv") and not head.startswith(HTML_STARTS) and b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return Sniffed("text/csv" if extension_of(name) == ".csv" else "text/plain")
    return None


def _is_svg(content: bytes) -> bool:
    try:
        root = SafeET.fromstring(content)
    except Exception:  # defusedxml's refusals (entities, DTDs) and any parse error alike: not an SVG we take
        return False
    return root.tag == f"{{{SVG_NS}}}svg"
