"""Making an upload safe to serve: metadata stripped from images, active content removed from SVG.

Privacy: photos carry EXIF (camera, time, often GPS position) and XMP/IPTC text. We remove those segments
from the bytes themselves rather than decoding and re-encoding, so pixels are never recompressed (lossless):
JPEG APP1 (EXIF, XMP), APP13 (IPTC), MPF and comment segments, and whatever follows the image's end (the extra
images phones append, each with its own EXIF); PNG `eXIf`, `tEXt`, `zTXt`, `iTXt` and `tIME`
chunks; WebP `EXIF` and `XMP ` chunks (and their flags in `VP8X`). A JPEG's EXIF orientation is kept (as a
minimal EXIF holding only that tag), so a photo taken sideways still shows upright. Colour profiles stay.

SVG can carry scripts: it is parsed with defusedxml (no entities, no DTDs, no network) and rebuilt from an
allow-list of elements and attributes. Scripts, event handlers (`on*`), `foreignObject`, external references
(any `href` not pointing inside the document, `url(...)` to elsewhere, `@import`) and everything unknown are
dropped; links (`<a>`) become plain groups. What is served is that rebuilt document.
"""

from __future__ import annotations

import io
import re
import struct
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as SafeET
from PIL import Image

from media.sniffing import SVG, SVG_NS

XLINK_NS = "http://www.w3.org/1999/xlink"
ORIENTATION = 0x0112


def clean(content: bytes, mime_type: str) -> bytes:
    """The bytes to store for an upload of `mime_type` (already sniffed)."""
    if mime_type == "image/jpeg":
        return strip_jpeg(content)
    if mime_type == "image/png":
        return strip_png(content)
    if mime_type == "image/webp":
        return strip_webp(content)
    if mime_type == SVG:
        return sanitize_svg(content)
    return content


# -- JPEG ---------------------------------------------------------------------------------------------------
_DROPPED_JPEG = {0xE1, 0xED, 0xFE}  # APP1 (EXIF, XMP), APP13 (IPTC/Photoshop), COM


def _orientation(content: bytes) -> int:
    try:
        with Image.open(io.BytesIO(content)) as image:
            value = image.getexif().get(ORIENTATION, 1)
    except Exception:  # unreadable EXIF is dropped anyway; upright is the safe default
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def strip_jpeg(content: bytes) -> bytes:
    """The JPEG without its metadata segments (anywhere, between scans too) and without anything after its end
    (EOI): phones append more images there (MPF: depth maps, previews), each with its own EXIF and GPS."""
    orientation = _orientation(content)
    out = bytearray(content[:2])  # SOI
    pos, size = 2, len(content)
    inserted = False
    while pos + 2 <= size and content[pos] == 0xFF:
        marker = content[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI: the image ends here
            out += b"\xff\xd9"
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            out += content[pos : pos + 2]
            pos += 2
            continue
        if pos + 4 > size:
            break
        (length,) = struct.unpack(">H", content[pos + 2 : pos + 4])
        segment = content[pos : pos + 2 + length]
        multi_picture = marker == 0xE2 and segment[4:8] == b"MPF\x00"
        if marker not in _DROPPED_JPEG and not multi_picture:
            out += segment
            if not inserted and marker == 0xE0 and orientation != 1:  # right after JFIF's APP0
                out += _orientation_segment(orientation)
                inserted = True
        pos += 2 + length
        if marker == 0xDA:  # a scan: entropy-coded data up to the next marker
            end = _scan_end(content, pos)
            out += content[pos:end]
            pos = end
    if orientation != 1 and not inserted:
        out[2:2] = _orientation_segment(orientation)
    return bytes(out)


def _scan_end(content: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at `pos` ends: the first 0xFF that starts a marker (0xFF00 is a
    stuffed byte, 0xFFD0-D7 are restart markers inside the scan)."""
    while True:
        found = content.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(content):
            return len(content)
        following = content[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos = found + 2
        elif following == 0xFF:
            pos = found + 1
        else:
            return found


def _orientation_segment(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    payload = exif.tobytes()  # b"Exif\0\0" + a TIFF header with that one tag
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# -- PNG ----------------------------------------------------------------------------------------------------
_DROPPED_PNG = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def strip_png(content: bytes) -> bytes:
    out = bytearray(content[:8])
    pos = 8
    while pos + 12 <= len(content):
        (length,) = struct.unpack(">I", content[pos : pos + 4])
        kind = content[pos + 4 : pos + 8]
        end = pos + 12 + length
        if kind not in _DROPPED_PNG:
            out += content[pos:end]
        pos = end
        if kind == b"IEND":
            break
    return bytes(out)


# -- WebP ---------------------------------------------------------------------------------------------------
_DROPPED_WEBP = {b"EXIF", b"XMP "}


def strip_webp(content: bytes) -> bytes:
    if len(content) < 12 or content[:4] != b"RIFF" or content[8:12] != b"WEBP":
        return content
    chunks = bytearray()
    pos = 12
    while pos + 8 <= len(content):
        kind = content[pos : pos + 4]
        (length,) = struct.unpack("<I", content[pos + 4 : pos + 8])
        end = pos + 8 + length + (length & 1)
        chunk = bytearray(content[pos:end])
        if kind == b"VP8X" and len(chunk) > 8:
            chunk[8] &= ~0x0C & 0xFF  # the EXIF (0x08) and XMP (0x04) flags
        if kind not in _DROPPED_WEBP:
            chunks += chunk
        pos = end
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + bytes(chunks)


# -- SVG ----------------------------------------------------------------------------------------------------
SVG_ELEMENTS = frozenset(  # a word list reads better than 100 quoted strings
    """svg g defs symbol use title desc path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop clipPath mask pattern marker filter feBlend feColorMatrix
    feComponentTransfer feComposite feFlood feGaussianBlur feMerge feMergeNode feOffset feFuncA feFuncB feFuncG
    feFuncR style switch""".split()  # noqa: SIM905
)
SVG_ATTRIBUTES = frozenset(  # a word list reads better than 100 quoted strings
    """id class style width height x y x1 x2 y1 y2 cx cy r rx ry d points viewBox preserveAspectRatio transform
    fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap stroke-linejoin
    stroke-dasharray stroke-dashoffset stroke-miterlimit opacity color display visibility font-family font-size
    font-weight font-style text-anchor dominant-baseline letter-spacing dx dy rotate offset stop-color
    stop-opacity gradientUnits gradientTransform spreadMethod fx fy clip-path clip-rule mask maskUnits
    maskContentUnits patternUnits patternContentUnits patternTransform markerWidth markerHeight refX refY orient
    markerUnits marker-start marker-mid marker-end filter filterUnits primitiveUnits in in2 result stdDeviation
    mode operator k1 k2 k3 k4 values type flood-color flood-opacity version overflow vector-effect
    shape-rendering text-rendering xml:space lang tabindex role aria-label aria-hidden aria-labelledby focusable
    href""".split()  # noqa: SIM905
)
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_DANGEROUS_CSS = re.compile(r"@import|expression\s*\(|javascript:|behaviou?r\s*:|-moz-binding", re.IGNORECASE)


def _safe_css(text: str) -> bool:
    if _DANGEROUS_CSS.search(text):
        return False
    return all(match.group(2).strip().startswith("#") for match in _URL.finditer(text))


def _local_name(name: str) -> tuple[str, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def _clean_element(element: ET.Element) -> None:
    for child in list(element):
        ns, local = _local_name(child.tag) if isinstance(child.tag, str) else ("", "")
        if ns != SVG_NS or (local not in SVG_ELEMENTS and local != "a"):
            element.remove(child)
            continue
        if local == "a":  # a link becomes a plain group: its shapes stay, the navigation goes
            child.tag = f"{{{SVG_NS}}}g"
        if local == "style" and not _safe_css(child.text or ""):
            element.remove(child)
            continue
        _clean_attributes(child)
        _clean_element(child)


def _clean_attributes(element: ET.Element) -> None:
    for name in list(element.attrib):
        ns, local = _local_name(name)
        value = element.attrib[name]
        keep = ns in ("", XLINK_NS) and local in SVG_ATTRIBUTES and not local.lower().startswith("on")
        if keep and ns == XLINK_NS and local != "href":
            keep = False
        if keep and local == "href" and not value.strip().startswith("#"):
            keep = False
        if keep and not _safe_css(value):
            keep = False
        if not keep:
            del element.attrib[name]


def sanitize_svg(content: bytes) -> bytes:
    """The SVG rebuilt from the allow-list (the root is known to be `<svg>` in the SVG namespace)."""
    root = SafeET.fromstring(content)
    _clean_attributes(root)
    _clean_element(root)
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$")


def svg_size(content: bytes) -> tuple[int | None, int | None]:
    """An SVG's intrinsic size in pixels from `width`/`height` (else its `viewBox`), when it states one."""
    root = SafeET.fromstring(content)
    width, height = (_LENGTH.match(root.get(key, "")) for key in ("width", "height"))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4:
        try:
            return round(float(box[2])), round(float(box[3]))
        except ValueError:
            return None, None
    return None, None
