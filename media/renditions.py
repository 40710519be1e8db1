"""Renditions: an image asset resized to one of a fixed set of widths (optionally cropped first to one of a fixed
set of aspect ratios around its focal point, or fitted whole in a box of that shape), converted to webp, avif
(when this Pillow can write it), jpeg or png at a default or one of a few qualities, made once and kept in the
storage beside the originals.

Why a fixed set: each allowed (width, format, ratio, fit, quality) is at most one file per asset version, so a
client cannot make the server do unbounded work or fill the disk with sizes of its choosing; anything else is a
400 before any work. Why once: the name holds the asset's checksum
(`renditions/<site>/<asset>/<sha256[:16]>-<w>w[-<ar>-…][-q<q>].<fmt>`), so a rendition is found by name, stays
right until the file is replaced (a new checksum, a new name), and parallel
requests for a new one wait for the first to finish it: threads of a process on a lock of their own, processes
on a lock in the shared cache (`CACHE_URL`; Redis in production), polled every 50 ms for at most 30 s.

A rendition never grows an image (a width over the original's keeps the original's), turns it upright
(EXIF orientation), keeps its colour profile and carries no other metadata.
"""

from __future__ import annotations

import io
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, features

from cms import errors
from media.errors import storage_unavailable
from media.models import Asset
from media.sniffing import RASTER

WIDTHS = (160, 320, 480, 640, 800, 1024, 1280, 1600, 1920, 2560)
# `ar=`: crop to this aspect ratio around the focal point (the centre without one), then resize
RATIOS: dict[str, tuple[int, int]] = {
    "1:1": (1, 1),
    "4:3": (4, 3),
    "3:2": (3, 2),
    "16:9": (16, 9),
    "3:4": (3, 4),
    "2:3": (2, 3),
    "9:16": (9, 16),
}
# format -> (Pillow's name, MIME type, save options)
FORMATS: dict[str, tuple[str, str, dict]] = {
    "webp": ("WEBP", "image/webp", {"quality": 80, "method": 4}),
    "jpeg": ("JPEG", "image/jpeg", {"quality": 82, "optimize": True, "progressive": True}),
    "png": ("PNG", "image/png", {"optimize": True}),
}
if features.check("avif"):
    FORMATS["avif"] = ("AVIF", "image/avif", {"quality": 60, "speed": 8})
# `fit=`: with `ar=`, `cover` (the default) crops to that shape around the focal point; `contain` keeps the whole
# image, as large as fits in a box of that shape `w` wide (never grown), so one side is shorter than the box.
FITS = ("cover", "contain")
# `q=`: the encoder's quality for the lossy formats (webp, avif, jpeg); each format has its own default.
QUALITIES = (50, 60, 70, 80, 90)
LOSSY = frozenset({"webp", "avif", "jpeg"})
LOCK_SECONDS = 30
WIDTH_MESSAGE = "Must be one of " + ", ".join(map(str, WIDTHS)) + "."
FORMAT_MESSAGE = "Must be one of " + ", ".join(FORMATS) + "."
RATIO_MESSAGE = "Must be one of " + ", ".join(RATIOS) + "."
FIT_MESSAGE = "Must be one of " + ", ".join(FITS) + "."
FIT_NEEDS_RATIO = "Needs ar=: contain fits the whole image in a box of that shape."
QUALITY_MESSAGE = "Must be one of " + ", ".join(map(str, QUALITIES)) + "."
QUALITY_LOSSLESS = "PNG is lossless: it takes no quality."

_made = 0  # renditions made by this process (the benchmark and tests read it)
_guard = threading.Lock()
_locks: dict[str, threading.Lock] = {}


def made() -> int:
    return _made


@dataclass(frozen=True)
class Spec:
    """One allowed rendition: a width, a format, optionally an aspect ratio to crop to (`fit` cover) or fit in
    (`fit` contain), and a quality (None: the format's default)."""

    width: int
    fmt: str = "webp"
    ratio: str | None = None
    fit: str = "cover"
    quality: int | None = None


def _choice(value: str | None, allowed: tuple[int, ...]) -> int | None:
    """`value` as one of `allowed` (ASCII digits only), else None."""
    if value is None or not (value.isascii() and value.isdigit()) or int(value) not in allowed:
        return None
    return int(value)


def check_request(
    asset: Asset,
    width: str | None,
    fmt: str | None,
    ratio: str | None = None,
    fit: str | None = None,
    quality: str | None = None,
) -> Spec:
    """The rendition asked for if it is offered for `asset`, else `bad_request` naming each parameter."""
    problems: dict[str, str] = {}
    chosen_width = _choice(width, WIDTHS)
    if chosen_width is None:
        problems["w"] = WIDTH_MESSAGE
    chosen = fmt if fmt is not None else "webp"
    if chosen not in FORMATS:
        problems["fmt"] = FORMAT_MESSAGE
    if ratio is not None and ratio not in RATIOS:
        problems["ar"] = RATIO_MESSAGE
    chosen_fit = fit if fit is not None else "cover"
    if chosen_fit not in FITS:
        problems["fit"] = FIT_MESSAGE
    elif chosen_fit == "contain" and ratio is None:
        problems["fit"] = FIT_NEEDS_RATIO
    chosen_quality = _choice(quality, QUALITIES) if quality is not None else None
    if quality is not None and chosen_quality is None:
        problems["q"] = QUALITY_MESSAGE
    elif quality is not None and chosen not in LOSSY and "fmt" not in problems:
        problems["q"] = QUALITY_LOSSLESS
    if problems:
        raise errors.BadRequest("This rendition is not offered.", fields=problems)
    if asset.mime_type not in RASTER:
        raise errors.BadRequest(
            f"Renditions are made of PNG, JPEG, GIF and WebP images; asset {asset.pk} is {asset.mime_type}."
        )
    return Spec(int(str(chosen_width)), chosen, ratio, chosen_fit, chosen_quality)


def average_color(content: bytes) -> str:
    """`#rrggbb`: the image's average colour, a placeholder a frontend paints before the image loads (cheap:
    JPEGs decode at 1/8 scale; transparency counts as white); "" for a mode Pillow cannot blend."""
    try:
        with Image.open(io.BytesIO(content)) as source:
            source.draft("RGB", (64, 64))
            image = source.convert("RGBA")
    except (OSError, ValueError):
        return ""
    flat = Image.new("RGBA", image.size, (255, 255, 255, 255))
    flat.alpha_composite(image)
    pixel = flat.convert("RGB").resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    red, green, blue = cast(tuple[int, int, int], pixel)
    return f"#{red:02x}{green:02x}{blue:02x}"


def rendition_folder(site_id: int, asset_id: int) -> str:
    return f"renditions/{site_id}/{asset_id}"


def rendition_name(asset: Asset, spec: Spec) -> str:
    """Named by the file's checksum, and for a crop by the ratio and the focal point: a new file or a moved
    focal point is a new name, never a stale file."""
    crop = ""
    if spec.ratio is not None and spec.fit == "contain":  # nothing is cut off: the focal point plays no part
        crop = f"-{spec.ratio.replace(':', 'x')}-contain"
    elif spec.ratio is not None:
        x, y = _focal(asset)
        crop = f"-{spec.ratio.replace(':', 'x')}-f{round(x * 1000)}x{round(y * 1000)}"
    quality = "" if spec.quality is None else f"-q{spec.quality}"
    return f"{rendition_folder(asset.site_id, asset.pk)}/{asset.sha256[:16]}-{spec.width}w{crop}{quality}.{spec.fmt}"


def _focal(asset: Asset) -> tuple[float, float]:
    if asset.focal_x is None or asset.focal_y is None:
        return 0.5, 0.5
    return asset.focal_x, asset.focal_y


def remove_renditions(site_id: int, asset_id: int, *, keep: str | None = None) -> None:
    """Delete an asset's renditions (all, or those not of the file whose checksum starts with `keep`)."""
    folder = rendition_folder(site_id, asset_id)
    try:
        _, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        if keep is None or not name.startswith(keep[:16]):
            default_storage.delete(f"{folder}/{name}")


def rendition(asset: Asset, spec: Spec) -> str:
    """The storage name of `asset` rendered as `spec`, made now unless it exists (see the module docstring).

    A storage that fails (S3 unreachable, a full disk) is 503 `service_unavailable`; only the storage's calls
    are guarded, so a decoding error stays what it is."""
    name = rendition_name(asset, spec)
    with storage_unavailable():
        if default_storage.exists(name):
            return name
    with _thread_lock(name), _process_lock(name):
        with storage_unavailable():
            if default_storage.exists(name):
                return name
            # Read through the storage, whichever it is: whole (at most the upload limit), so Pillow's seeks
            # stay in memory rather than becoming ranged requests to S3.
            with default_storage.open(asset.file.name or "", "rb") as handle:
                original = handle.read()
        content = render(asset, spec, original)
        with storage_unavailable():
            saved = default_storage.save(name, ContentFile(content))
        assert saved == name, f"storage renamed {name} to {saved}"
    return name


def render(asset: Asset, spec: Spec, original: bytes) -> bytes:
    global _made
    pillow_format, _, options = FORMATS[spec.fmt]
    with Image.open(io.BytesIO(original)) as source:
        # JPEG: decode at a smaller scale, still at least `width` wide once turned upright (orientation 5 to 8)
        # and cropped.
        sideways = source.getexif().get(0x0112, 1) in (5, 6, 7, 8)
        across, along = (source.height, source.width) if sideways else (source.width, source.height)
        cropping = spec.ratio is not None and spec.fit == "cover"
        kept = 1.0 if not cropping else min(1.0, _ratio(str(spec.ratio)) * along / max(1, across))
        decoded = math.ceil(spec.width / kept)
        wanted = (decoded, math.ceil(decoded * along / max(1, across)))
        source.draft("RGB", wanted[::-1] if sideways else wanted)
        image = ImageOps.exif_transpose(source)
        icc = source.info.get("icc_profile")
        if cropping:
            image = _crop(image, _ratio(str(spec.ratio)), _focal(asset))
        target = min(spec.width, image.width)
        if spec.ratio is not None and spec.fit == "contain":  # the box is `width` x `width / ratio`
            box_height = spec.width / _ratio(spec.ratio)
            target = min(target, max(1, math.floor(image.width * box_height / image.height)))
        if target < image.width:
            image = image.resize((target, max(1, round(image.height * target / image.width))), Image.Resampling.LANCZOS)
        if pillow_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        elif image.mode == "P":
            image = image.convert("RGBA")
        out = io.BytesIO()
        chosen = options | ({} if spec.quality is None else {"quality": spec.quality})
        image.save(out, pillow_format, **chosen, **({"icc_profile": icc} if icc else {}))
    with _guard:
        _made += 1
    return out.getvalue()


def _ratio(name: str) -> float:
    across, along = RATIOS[name]
    return across / along


def _crop(image: Image.Image, ratio: float, focal: tuple[float, float]) -> Image.Image:
    """The largest part of `image` with aspect `ratio`, centred on the focal point as far as the edges allow."""
    width, height = image.size
    if width / height > ratio:
        crop_width, crop_height = max(1, round(height * ratio)), height
    else:
        crop_width, crop_height = width, max(1, round(width / ratio))
    left = min(max(round(focal[0] * width - crop_width / 2), 0), width - crop_width)
    top = min(max(round(focal[1] * height - crop_height / 2), 0), height - crop_height)
    return image.crop((left, top, left + crop_width, top + crop_height))


@contextmanager
def _thread_lock(name: str) -> Iterator[None]:
    with _guard:
        lock = _locks.setdefault(name, threading.Lock())
    with lock:
        yield
    with _guard:
        _locks.pop(name, None)


@contextmanager
def _process_lock(name: str) -> Iterator[None]:
    key = f"media:rendition:{name}"
    deadline = time.monotonic() + LOCK_SECONDS
    held = cache.add(key, 1, timeout=LOCK_SECONDS)
    while not held and time.monotonic() < deadline and not _exists(name):
        time.sleep(0.05)
        held = cache.add(key, 1, timeout=LOCK_SECONDS)
    try:
        yield
    finally:
        if held:
            cache.delete(key)


def _exists(name: str) -> bool:
    with storage_unavailable():
        return default_storage.exists(name)
