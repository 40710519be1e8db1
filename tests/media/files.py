"""Real files for the media tests, made with Pillow and by hand: small, and each exactly what its name says
(or, for the hostile ones, exactly what it pretends not to be)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825


def png(width: int = 4, height: int = 3, color=(200, 30, 30), *, text: str | None = None) -> bytes:
    image = Image.new("RGB", (width, height), color)
    out = io.BytesIO()
    if text is None:
        image.save(out, "PNG")
    else:
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Comment", text)
        image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_gps(width: int = 8, height: int = 6, *, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation is not None:
        exif[0x0112] = orientation
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def webp_with_exif() -> bytes:
    image = Image.new("RGB", (5, 5), (0, 200, 0))
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "S", 2: (33.0, 51.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "WEBP", exif=exif.tobytes(), lossless=True)
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A PNG that declares width x height pixels of one colour: a few hundred KB that would decode to 1.2 GB.

    Written by hand (one IDAT of zero rows, compressed), so the test never holds the pixels either."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one byte a pixel
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


SVG_WITH_SCRIPT = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="40"
     onload="alert(1)">
  <script>alert(document.cookie)</script>
  <title>Logo</title>
  <style>@import url(https://evil.example/x.css); rect { fill: red }</style>
  <rect id="box" width="120" height="40" fill="#0af" onclick="steal()"/>
  <a xlink:href="javascript:alert(2)"><circle cx="20" cy="20" r="10"/></a>
  <use href="#box" x="5"/>
  <use xlink:href="https://evil.example/sprite.svg#icon"/>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
  <path d="M0 0L10 10" style="fill: url(https://evil.example/p.svg#g)"/>
</svg>
"""

PDF = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
trailer << /Root 1 0 R >>
%%EOF
"""

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
