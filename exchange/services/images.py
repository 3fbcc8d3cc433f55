"""Cover images of events: recognised by their content, re-encoded without metadata, kept under fingerprinted names.

An upload is read by Pillow whatever its name or declared type says; only
JPEG, PNG and WebP are opened, and the pixel count is checked from the header
before any decoding (a decompression bomb is refused unread). The picture is
turned upright from its EXIF orientation, converted to sRGB, flattened on
white, and saved at a few widths as WebP and JPEG with no metadata at all (no
GPS position, camera or ICC profile). Each file is named
`<fingerprint>-<width>.<webp|jpg>`, the fingerprint being a hash of the
upload, so its URL can be cached for a year and events may share the files.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import time
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from flask import current_app, url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from PIL import Image, ImageCms, ImageOps
from sqlalchemy import select

from ..errors import ExchangeError
from ..extensions import db
from ..models import Event

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Extension -> (Pillow format, encoder options, Content-Type). WebP first: it is the smaller one.
ENCODINGS = {
    "webp": ("WEBP", {"quality": 80, "method": 4}, "image/webp"),
    "jpg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}, "image/jpeg"),
}
FILE_NAME = re.compile(r"([0-9a-f]{32})-([0-9]{1,5})\.(webp|jpg)")


class ImageRefused(ExchangeError):
    """An uploaded file is not an image this site takes; nothing was stored."""


@dataclass(frozen=True)
class StoredImage:
    """An image as an event refers to it: its fingerprint, its largest size, the widths it is saved at."""

    hash: str
    width: int
    height: int
    widths: tuple[int, ...]

    @classmethod
    def of(cls, event: Event) -> StoredImage | None:
        if not event.image_hash or not event.image_width or not event.image_height:
            return None
        return cls(event.image_hash, event.image_width, event.image_height, tuple(event.image_widths))


@dataclass(frozen=True)
class PreparedImage(StoredImage):
    """A freshly re-encoded upload, its files still in memory (file name -> bytes)."""

    files: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)


def media_dir() -> Path:
    """Where the image files are kept (config MEDIA_DIR, default instance/media)."""
    return Path(current_app.config["MEDIA_DIR"] or Path(current_app.instance_path) / "media")


def megabytes(size: int) -> str:
    """A size in bytes as megabytes (MiB) for people, in the page's locale: "5", "2,5"."""
    return format_decimal(size / (1024 * 1024), format="#,##0.#")


def file_name(image_hash: str, width: int, extension: str) -> str:
    return f"{image_hash}-{width}.{extension}"


def prepare_image(stream: IO[bytes]) -> PreparedImage:
    """Check and re-encode an upload at the configured widths, in memory.

    Raises ImageRefused (with a message for the organizer) for an empty or too
    large file, anything but a readable JPEG, PNG or WebP, and too many pixels.
    """
    config = current_app.config
    data = stream.read(config["IMAGE_MAX_BYTES"] + 1)
    if not data:
        raise ImageRefused(_l("The file is empty."))
    if len(data) > config["IMAGE_MAX_BYTES"]:
        raise ImageRefused(
            _l("The image is larger than %(size)s MB; choose a smaller one.", size=megabytes(config["IMAGE_MAX_BYTES"]))
        )
    picture = _decode(data, config["IMAGE_MAX_PIXELS"])
    image_hash = hashlib.sha256(data).hexdigest()[:32]
    widths = sorted({w for w in config["IMAGE_WIDTHS"] if w < picture.width} | {min(picture.width, max(config["IMAGE_WIDTHS"]))})
    files: dict[str, bytes] = {}
    height = picture.height
    for width in widths:
        height = max(1, round(picture.height * width / picture.width))
        scaled = (
            picture if width == picture.width else picture.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        scaled.info = {}  # nothing of the upload's metadata may reach an encoder
        for extension, (image_format, options, _mimetype) in ENCODINGS.items():
            out = io.BytesIO()
            scaled.save(out, image_format, **options)
            files[file_name(image_hash, width, extension)] = out.getvalue()
    return PreparedImage(hash=image_hash, width=widths[-1], height=height, widths=tuple(widths), files=files)


def _decode(data: bytes, max_pixels: int) -> Image.Image:
    """The upload as an upright sRGB picture without transparency; ImageRefused if it is not a safe image."""
    too_many = ImageRefused(
        _l("The image has too many pixels (at most %(count)s million); make it smaller.", count=max_pixels // 1_000_000)
    )
    unreadable = ImageRefused(_l("This file is not a JPEG, PNG or WebP image, or it is damaged."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                if probe.width * probe.height > max_pixels:  # from the header, before decoding anything
                    raise too_many
                probe.verify()
            decoded = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            decoded.load()
            return _flatten_to_srgb(ImageOps.exif_transpose(decoded))
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many from None
    # Pillow's decoders raise many kinds of error on hostile files (OSError, SyntaxError, ValueError,
    # struct.error, EOFError...); whichever it is, the file is refused the same way.
    except Exception:
        raise unreadable from None


def _flatten_to_srgb(picture: Image.Image) -> Image.Image:
    profile = picture.info.get("icc_profile")
    if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(background, rgba)
        if profile:
            picture.info["icc_profile"] = profile
    if profile and picture.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            converted = ImageCms.profileToProfile(
                picture, ImageCms.ImageCmsProfile(io.BytesIO(profile)), ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None  # an unreadable profile: the pixels are taken as sRGB
        if converted is not None:
            return converted
    return picture.convert("RGB")


def store_image(image: PreparedImage) -> None:
    """Write the image's files into the media directory (each atomically; files already there are kept)."""
    directory = media_dir()
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in image.files.items():
        target = directory / name
        if target.exists():
            continue
        fd, draft = tempfile.mkstemp(prefix=f".{name}.", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(draft, 0o644)
            os.replace(draft, target)
        except BaseException:
            Path(draft).unlink(missing_ok=True)
            raise


def discard_unused(hashes: Iterable[str | None]) -> list[str]:
    """Delete the files of each image no event refers to any more; returns the file names deleted.

    Call it after the commit that dropped the image, so a rolled-back change keeps its files.
    """
    deleted: list[str] = []
    for image_hash in {h for h in hashes if h}:
        if db.session.scalar(select(Event.id).where(Event.image_hash == image_hash).limit(1)) is not None:
            continue
        for path in media_dir().glob(f"{image_hash}-*"):
            if FILE_NAME.fullmatch(path.name):
                path.unlink(missing_ok=True)
                deleted.append(path.name)
    return deleted


# How long an upload that came with a mistake elsewhere in the editor waits for the corrected form.
KEPT_UPLOAD_SECONDS = 24 * 3600
_KEPT_UPLOAD_SALT = "exchange.kept-cover-image"


def keep_upload(image: PreparedImage) -> str:
    """Store an upload whose form must be sent again, and return the signed token that names it.

    Browsers never send a chosen file twice, so the editor's form carries this
    token instead (in a hidden field); `kept_upload` reads it back. Files of
    uploads that are never saved are deleted by `discard_abandoned`.
    """
    store_image(image)
    return _kept_upload_signer().dumps([image.hash, image.width, image.height, list(image.widths)])


def kept_upload(token: str) -> StoredImage | None:
    """The upload `keep_upload` named, if the token is genuine, recent and its files are still there; else None."""
    try:
        image_hash, width, height, widths = _kept_upload_signer().loads(token, max_age=KEPT_UPLOAD_SECONDS)
        image = StoredImage(str(image_hash), int(width), int(height), tuple(int(w) for w in widths))
    except (BadSignature, TypeError, ValueError):
        return None
    names = [file_name(image.hash, w, extension) for w in image.widths for extension in ENCODINGS]
    if not image.widths or not all(FILE_NAME.fullmatch(name) and (media_dir() / name).is_file() for name in names):
        return None
    return image


def _kept_upload_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_KEPT_UPLOAD_SALT)


def discard_abandoned(now: float | None = None) -> list[str]:
    """Delete the files of kept uploads never saved with an event (older than KEPT_UPLOAD_SECONDS); returns their names."""
    directory = media_dir()
    if not directory.is_dir():
        return []
    cutoff = (now or time.time()) - KEPT_UPLOAD_SECONDS
    stale = {
        match.group(1)
        for path in directory.iterdir()
        if (match := FILE_NAME.fullmatch(path.name)) and path.stat().st_mtime < cutoff
    }
    return discard_unused(stale)


def media_type(name: str) -> str | None:
    """The Content-Type of a media file name, or None if the name is not one this site writes."""
    match = FILE_NAME.fullmatch(name)
    return ENCODINGS[match.group(3)][2] if match else None


@dataclass(frozen=True)
class ImageSources:
    """What a template needs to show an event's image: srcset strings, the largest size, a JPEG for link previews."""

    webp_srcset: str
    jpeg_srcset: str
    fallback: str
    width: int
    height: int


def image_url(image_hash: str, width: int, extension: str, *, external: bool = False) -> str:
    path = url_for("site.media_file", name=file_name(image_hash, width, extension))
    return current_app.config["BASE_URL"].rstrip("/") + path if external else path


def image_sources(event: Event, *, external: bool = False) -> ImageSources | None:
    """The URLs of the event's image, or None when it has none."""
    image = StoredImage.of(event)
    return None if image is None else sources_of(image, external=external)


def sources_of(image: StoredImage, *, external: bool = False) -> ImageSources:
    """The URLs of a stored image (an event's, or an upload kept for the editor's next try)."""

    def srcset(extension: str) -> str:
        return ", ".join(f"{image_url(image.hash, w, extension, external=external)} {w}w" for w in image.widths)

    return ImageSources(
        webp_srcset=srcset("webp"),
        jpeg_srcset=srcset("jpg"),
        fallback=image_url(image.hash, image.widths[-1], "jpg", external=external),
        width=image.width,
        height=image.height,
    )
