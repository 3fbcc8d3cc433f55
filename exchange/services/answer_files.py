"""Files people attach as answers (a student card, a passport page): checked by content, kept under `instance/`.

An upload is taken for what its bytes are, whatever its name or declared type
says: a PDF (it starts with `%PDF-`), or a JPEG or PNG that Pillow reads as
one. It is written at once under a random name in `answer_files_dir()`, which
nothing serves as static, and the form carries a signed token naming it, so a
mistake elsewhere on the form never makes anyone choose the file again.
Files never saved with a registration are deleted by `discard_abandoned_files`.
"""

from __future__ import annotations

import io
import logging
import os
import re
import secrets
import time
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from PIL import Image
from sqlalchemy import select

from ..errors import ExchangeError
from ..extensions import db
from ..models import Answer
from .answers import answer_files_dir
from .images import megabytes

# Content-Type -> the extension a stored and downloaded file gets.
FILE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(pdf|jpg|png)")
DOWNLOAD_NAME_LIMIT = 100
# How long a file sent with a form that had a mistake elsewhere waits for the corrected form.
KEPT_FILE_SECONDS = 24 * 3600
_TOKEN_SALT = "exchange.answer-file"
logger = logging.getLogger(__name__)


class AnswerFileRefused(ExchangeError):
    """The file is not one an answer takes (type or size); nothing was stored."""


@dataclass(frozen=True)
class StoredFile:
    """A checked file in `answer_files_dir()`: the name it is kept under, the name it downloads as, its type."""

    stored_name: str
    download_name: str
    file_type: str


def check_file_content(data: bytes) -> str:
    """The Content-Type of a PDF, JPEG or PNG file, read from its bytes; raises AnswerFileRefused otherwise."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as picture:
                    picture.verify()
                    kind = picture.format
        except Exception as error:  # Pillow raises many types for a damaged or hostile file
            raise AnswerFileRefused(_l("This image could not be read. Please choose another file.")) from error
        if kind in ("JPEG", "PNG"):
            return "image/jpeg" if kind == "JPEG" else "image/png"
    raise AnswerFileRefused(_l("Choose a PDF, JPEG or PNG file."))


def safe_download_name(sent_name: str, file_type: str) -> str:
    """The name a file is downloaded as: the sent name's last part, without control, format or path
    characters, at most DOWNLOAD_NAME_LIMIT characters, with the extension of what the file is."""
    base = re.split(r"[\\/]", sent_name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(char for char in base if unicodedata.category(char)[0] not in "C" and char not in '<>:"|?*')
    base = " ".join(base.split())
    stem = (base.rsplit(".", 1)[0] if "." in base else base).strip(" .")
    extension = FILE_TYPES[file_type]
    return f"{stem[: DOWNLOAD_NAME_LIMIT - len(extension) - 1] or 'file'}.{extension}"


@dataclass(frozen=True)
class CheckedFile:
    """An upload found to be a file an answer takes, not written yet."""

    download_name: str
    file_type: str
    data: bytes


def check_answer_file(sent_name: str, data: bytes) -> CheckedFile:
    """An upload checked by size and content; raises AnswerFileRefused."""
    limit = current_app.config["ANSWER_FILE_MAX_BYTES"]
    if len(data) > limit:
        raise AnswerFileRefused(_l("This file is larger than %(size)s MB. Please choose a smaller one.", size=megabytes(limit)))
    if not data:
        raise AnswerFileRefused(_l("This file is empty. Please choose another one."))
    file_type = check_file_content(data)
    return CheckedFile(safe_download_name(sent_name, file_type), file_type, data)


def write_answer_file(checked: CheckedFile) -> StoredFile:
    """Write a checked file under a new random name (mode 0600) in `answer_files_dir()`."""
    directory = answer_files_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{FILE_TYPES[checked.file_type]}"
    descriptor = os.open(directory / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(checked.data)
    except BaseException:
        (directory / stored_name).unlink(missing_ok=True)
        raise
    return StoredFile(stored_name, checked.download_name, checked.file_type)


def file_token(stored: StoredFile) -> str:
    """A signed token naming a stored file, for the hidden field that carries it to the next submission."""
    return _signer().dumps([stored.stored_name, stored.download_name, stored.file_type])


def file_from_token(token: str) -> StoredFile | None:
    """The file `file_token` named, if the token is genuine, recent and the file is still there; else None."""
    try:
        stored_name, download_name, file_type = _signer().loads(token, max_age=KEPT_FILE_SECONDS)
    except (BadSignature, TypeError, ValueError):
        return None
    if not STORED_NAME.fullmatch(str(stored_name)) or file_type not in FILE_TYPES:
        return None
    if not (answer_files_dir() / stored_name).is_file():
        return None
    return StoredFile(str(stored_name), str(download_name), str(file_type))


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_TOKEN_SALT)


def answer_file_path(stored_name: str) -> Path | None:
    """Where a stored file answer is, or None for a name this module never writes (or a missing file)."""
    if not STORED_NAME.fullmatch(stored_name):
        return None
    path = answer_files_dir() / stored_name
    return path if path.is_file() else None


def discard_abandoned_files(now: float | None = None) -> int:
    """Delete stored files older than KEPT_FILE_SECONDS that no answer names (forms never sent again); how many."""
    directory = answer_files_dir()
    if not directory.is_dir():
        return 0
    cutoff = (now or time.time()) - KEPT_FILE_SECONDS
    old = {path.name for path in directory.iterdir() if STORED_NAME.fullmatch(path.name) and path.stat().st_mtime < cutoff}
    if not old:
        return 0
    used = set(db.session.scalars(select(Answer.value).where(Answer.value.in_(old))))
    for name in old - used:
        (directory / name).unlink(missing_ok=True)
    return len(old - used)


def remove_answer_files(names: Iterable[str]) -> int:
    """Delete these stored file answers (names as `Answer.value` holds them) from `answer_files_dir()`; how many were there."""
    directory, removed = answer_files_dir(), 0
    for name in names:
        if not name or name != name.strip() or "/" in name or "\\" in name or name.startswith("."):
            continue  # not a name this app stores: never a path out of the directory
        try:
            (directory / name).unlink()
            removed += 1
        except FileNotFoundError:
            continue
        except OSError:
            logger.exception("Could not delete a file answer in %s", directory)
    return removed
