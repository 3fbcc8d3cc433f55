"""XLSX attendee lists built in a background thread, so a big one never meets the worker timeout.

A job is two files in EXPORTS_DIR (instance/exports/ by default): `<id>.json`,
its state, and `<id>.xlsx` once built. Files rather than rows, so no
migration is needed and every gunicorn worker sees the state whichever of them
runs the thread. Only the account that asked may see or download a job (any
other gets None, like an unknown id); the file is deleted when downloaded, and
every job after EXPORT_LIFETIME. A job whose thread died with its worker stops
updating its state and reads as failed after STALE_AFTER.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import Delegate, Event, Registration, RegistrationKind, RegistrationStatus, User, utcnow
from .exports import BATCH_SIZE, attendee_rows, export_filename, export_questions, write_xlsx

EXPORT_LIFETIME = timedelta(hours=1)
STALE_AFTER = timedelta(minutes=2)
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")
logger = logging.getLogger(__name__)


@dataclass
class ExportJob:
    id: str
    user_id: int
    event_id: int
    slug: str
    filename: str  # the download's name
    status: str | None  # the registration status filter, as in ?status=
    lang: str
    state: str  # running, done, failed or downloaded
    rows_done: int
    rows_total: int
    created_at: str  # ISO 8601, UTC
    updated_at: str
    include_sensitive: bool = False  # the answers to sensitive questions too (the organizer chose them)

    @property
    def percent(self) -> int:
        return 100 if self.state != "running" else min(99, self.rows_done * 100 // max(self.rows_total, 1))


def _directory() -> Path:
    path = Path(current_app.config.get("EXPORTS_DIR") or Path(current_app.instance_path) / "exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save(directory: Path, job: ExportJob) -> None:
    job.updated_at = utcnow().isoformat()
    # Written aside then renamed: a reader in another worker never sees half a file.
    partial = directory / f"{job.id}.json.part"
    partial.write_text(json.dumps(asdict(job)), encoding="utf-8")
    os.replace(partial, directory / f"{job.id}.json")


def _load(directory: Path, job_id: str) -> ExportJob | None:
    try:
        job = ExportJob(**json.loads((directory / f"{job_id}.json").read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError, TypeError):
        return None
    if job.state == "running" and utcnow() - datetime.fromisoformat(job.updated_at) > STALE_AFTER:
        job.state = "failed"
    return job


def purge_expired_exports() -> None:
    """Delete every job (state and file) older than EXPORT_LIFETIME."""
    directory = _directory()
    cutoff = (utcnow() - EXPORT_LIFETIME).timestamp()
    for path in directory.iterdir():
        try:
            old = path.stat().st_mtime < cutoff
        except FileNotFoundError:
            continue  # a build renamed its partial file, or another request removed it, just now
        if old and _JOB_ID.match(path.name.split(".", 1)[0]):
            path.unlink(missing_ok=True)


def _attendee_count(event: Event, status: RegistrationStatus | None) -> int:
    # The export's row count: an individual is a row, a delegation a row per delegate.
    where = [Registration.event_id == event.id] + ([Registration.status == status] if status else [])
    individuals = select(func.count()).where(*where, Registration.kind == RegistrationKind.INDIVIDUAL)
    delegates = select(func.count(Delegate.id)).join(Registration, Delegate.registration_id == Registration.id).where(*where)
    return (db.session.scalar(individuals) or 0) + (db.session.scalar(delegates) or 0)


def start_xlsx_export(
    user: User, event: Event, status: RegistrationStatus | None, lang: str, *, include_sensitive: bool = False
) -> ExportJob:
    """Start building `event`'s attendee list for `user` in a thread, or return the same one already under way.

    The caller records the export in the audit log; this writes no row.
    """
    purge_expired_exports()
    directory = _directory()
    for path in directory.glob("*.json"):
        job = _load(directory, path.stem)
        if (
            job is not None and job.state == "running"
            and (job.user_id, job.event_id, job.status, job.lang, job.include_sensitive)
            == (user.id, event.id, status.value if status else None, lang, include_sensitive)
        ):  # fmt: skip
            return job
    now = utcnow().isoformat()
    job = ExportJob(
        id=secrets.token_urlsafe(16), user_id=user.id, event_id=event.id, slug=event.slug,
        filename=export_filename(event, "xlsx"), status=status.value if status else None, lang=lang, state="running", rows_done=0,
        rows_total=_attendee_count(event, status), created_at=now, updated_at=now, include_sensitive=include_sensitive,
    )  # fmt: skip
    _save(directory, job)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(target=_build, args=(app, directory, job), name=f"export-{job.id}", daemon=True)
    _builds.add(thread)
    thread.start()
    return job


def _counted(rows: Iterable[list[str]], directory: Path, job: ExportJob) -> Iterator[list[str]]:
    for count, row in enumerate(rows, 1):
        yield row
        if count % BATCH_SIZE == 0:
            job.rows_done = count
            _save(directory, job)


# The builds this process started, so that a test (or a shutdown) can wait for them to end.
_builds: set[threading.Thread] = set()


def wait_for_exports(timeout: float = 60) -> None:
    """Wait until the exports this process is building are written (tests call it before emptying the database)."""
    for thread in list(_builds):
        thread.join(timeout)
        _builds.discard(thread)


def _build(app: Flask, directory: Path, job: ExportJob) -> None:
    with app.app_context():
        try:
            event = db.session.get_one(Event, job.event_id)
            questions = export_questions(event, include_sensitive=job.include_sensitive)
            status = RegistrationStatus(job.status) if job.status else None
            rows = attendee_rows(event, status, job.lang, questions, readable=True)
            partial = directory / f"{job.id}.xlsx.part"
            write_xlsx(_counted(rows, directory, job), partial, job.lang, questions)
            os.replace(partial, directory / f"{job.id}.xlsx")
            job.state, job.rows_done = "done", max(job.rows_done, job.rows_total)
        except Exception:
            logger.exception("Building the XLSX export of event %s failed", job.event_id)
            job.state = "failed"
            (directory / f"{job.id}.xlsx.part").unlink(missing_ok=True)
        finally:
            db.session.remove()
        _save(directory, job)


def export_job(job_id: str, user: User) -> ExportJob | None:
    """`user`'s job `job_id`, or None when there is none (unknown, expired, or another account's)."""
    if not _JOB_ID.match(job_id):
        return None
    purge_expired_exports()
    job = _load(_directory(), job_id)
    return job if job is not None and job.user_id == user.id else None


def take_export_file(job: ExportJob):
    """Open the finished file of `job` for reading and delete it (the open handle still reads it); None if gone."""
    directory = _directory()
    path = directory / f"{job.id}.xlsx"
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    path.unlink(missing_ok=True)
    job.state = "downloaded"
    _save(directory, job)
    return handle
