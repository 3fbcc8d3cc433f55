"""Delivering the outbox: the only module that talks to Flask-Mail.

Each message is claimed with a lease in its own short transaction (several
senders on several machines never take the same row), sent, and its result
recorded and committed at once. Temporary failures (4xx replies, no
connection, a timeout) are retried with exponential backoff up to
OUTBOX_MAX_ATTEMPTS; permanent ones (5xx) fail at once. A sender that dies
mid-send leaves a lease that runs out, and the row is sent by the next one.

Each message is rendered as it is sent (services/emails.py), with a manage
link issued for that delivery and revoked if the delivery fails.

With no MAIL_SERVER configured, messages are written as .eml files instead.
"""

from __future__ import annotations

import base64
import email.charset
import email.policy
import os
import smtplib
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from email.utils import formataddr
from pathlib import Path
from typing import cast

from flask import Flask, current_app
from flask_mail import Attachment, BadHeaderError, Connection, Mail, Message
from sqlalchemy import or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql.elements import ColumnElement

from ..database import transactional, write_transaction
from ..extensions import db
from ..models import OutboxAttachment, OutboxMessage, OutboxStatus, utcnow
from .emails import EmailSuperseded, RegistrationGone, RenderedEmail, render
from .outbox import Attachment as StoredAttachment
from .outbox import reply_to, sender
from .tokens import revoke_manage_token

mail = Mail()


def init_app(app: Flask) -> None:
    mail.init_app(app)


class _TimeoutConnection(Connection):
    """Flask-Mail's connection with a socket timeout: a silent server cannot hang the sender."""

    def configure_host(self):
        timeout = current_app.config["MAIL_TIMEOUT"]
        smtp_class = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp_class(self.mail.server, self.mail.port, timeout=timeout)
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


SUPERSEDED = "superseded: what it was about changed before it left (an address, a ticket, an invitation)"


class TemporaryFailure(Exception):
    """Worth trying again later."""


class PermanentFailure(Exception):
    """Trying again would fail the same way."""


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def handled(self) -> list[int]:
        return self.sent + self.retrying + self.failed


def claim_next(now: datetime | None = None, skip: Collection[int] = ()) -> OutboxMessage | None:
    """Take the oldest due message for this sender (other than `skip`), or None; commits the claim.

    PostgreSQL skips rows other senders have locked; everywhere, the
    conditional UPDATE's row count decides who owns the row.
    """
    now = now or utcnow()
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    available: tuple[ColumnElement[bool], ...] = (
        OutboxMessage.status == OutboxStatus.QUEUED,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
    )
    if skip:
        available = (*available, OutboxMessage.id.not_in(skip))
    for _ in range(5):  # on SQLite another sender may win the race for the same row
        with write_transaction():
            candidate = db.session.scalar(
                select(OutboxMessage.id).where(*available).order_by(OutboxMessage.id).limit(1).with_for_update(skip_locked=True)
            )
            if candidate is None:
                return None
            claimed = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == candidate, *available)
                .values(locked_until=now + lease, attempts=OutboxMessage.attempts + 1)
                .execution_options(synchronize_session=False)
            )
        if cast(CursorResult, claimed).rowcount == 1:  # DML gives a CursorResult; Session.execute is typed as returning Result
            return db.session.get(OutboxMessage, candidate, populate_existing=True)
    return None


def encoded_words(text: str) -> str:
    """`text` as RFC 2047 encoded words, each holding its own spaces, folded over lines.

    Python's email package folds long non-ASCII headers with the spaces
    between encoded words, where every reader drops them ("đang chờ" arrives
    as "đangchờ"). Splitting by character keeps each space inside a word.
    """
    if text.isascii():
        return text
    words, chunk = [], ""
    for char in text:
        if len((chunk + char).encode()) > 39:  # 39 bytes: 52 base64 characters, under 78 a line
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(word.encode()).decode()}?=" for word in words)


# Quoted-printable keeps every line within RFC 5322's 998 octets, whatever an
# organizer types in one paragraph (Flask-Mail sends UTF-8 text as 8bit, unwrapped).
_QUOTED_PRINTABLE = email.charset.Charset("utf-8")
_QUOTED_PRINTABLE.body_encoding = email.charset.QP


def mailbox(name: str, address: str) -> str:
    """An address header's value: the display name as encoded words when it is not ASCII (RFC 2047), quoted when it must be."""
    if name.isascii():
        return formataddr((name, address))
    return f"{encoded_words(name)} <{address}>"


class _Message(Message):
    """Flask-Mail's message with a subject and names that keep their spaces (see encoded_words), text parts quoted-printable.

    `sender` is the bare address (the SMTP envelope's); `display_from` is the From header's name and address.
    """

    display_from: tuple[str, str]

    def _mimetext(self, text, subtype="plain"):
        # The stub says str, but MIMEText passes _charset to set_payload, which takes a Charset.
        return MIMEText(text, _subtype=subtype, _charset=_QUOTED_PRINTABLE)  # type: ignore[arg-type]

    def _message(self):
        mime = super()._message()
        del mime["Subject"]
        mime.policy = email.policy.compat32.clone(linesep="\r\n")  # writes headers as given
        mime["Subject"] = encoded_words(self.subject)
        # Flask-Mail's own headers (Header.encode) would lose a long name's spaces as the subject's did.
        mime.replace_header("From", mailbox(*self.display_from))
        if isinstance(self.reply_to, tuple):
            mime.replace_header("Reply-To", mailbox(*self.reply_to))
        return mime


def _flask_mail_message(row: OutboxMessage, rendered: RenderedEmail) -> Message:
    name, address = sender(row.language)
    message = _Message(
        subject=row.subject,
        recipients=[row.recipient],
        body=rendered.text,
        html=rendered.html,
        sender=address,
        # Staff emails (no registration) are about deciding, not attending: no event contact to answer;
        # an invitation's replies go to its event's organizers.
        reply_to=reply_to(rendered.about or (row.registration.event if row.registration else None)),
        date=time.time(),
        extra_headers={"Auto-Submitted": "auto-generated", "Content-Language": row.language},
    )
    message.msgId = row.message_id
    message.display_from = (name, address)
    items: list[OutboxAttachment | StoredAttachment] = [*row.attachments, *rendered.attachments]
    for item in items:
        headers = {"Content-ID": f"<{item.content_id}>"} if item.content_id else {}
        message.attachments.append(
            Attachment(
                filename=item.filename,
                content_type=item.content_type,
                data=item.content,
                disposition="inline" if item.content_id else "attachment",
                headers=headers,
            )
        )
    return message


def _smtp_code(error: Exception) -> int | None:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return min(codes) if codes else None
    return getattr(error, "smtp_code", None)


def _send(connection: Connection | None, message: Message) -> None:
    """Hand one message to the SMTP server (or write it to a file); classify failures."""
    if connection is None:
        try:
            _write_eml(message)
        except OSError as error:
            raise TemporaryFailure(f"cannot write the .eml file: {error}") from error
        return
    try:
        connection.send(message)
    except BadHeaderError as error:
        raise PermanentFailure("a header would have been split by a line break") from error
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
        code = _smtp_code(error)
        if code is not None and 500 <= code < 600:
            raise PermanentFailure(f"{code} {error}") from error
        raise TemporaryFailure(f"{code} {error}") from error
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(f"{type(error).__name__}: {error}") from error


def _eml_folder() -> Path:
    return Path(current_app.config["MAIL_FILE_DIR"] or Path(current_app.instance_path) / "mail")


def _eml_suffix(message_id: str) -> str:
    return f"-{message_id.strip('<>').split('@')[0]}.eml"


def _write_eml(message: Message) -> None:
    """Write the message where only the app's user can read it (0600 in a 0700 folder): it holds a manage link."""
    folder = _eml_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{stamp}{_eml_suffix(message.msgId)}"
    # O_EXCL never writes through a link planted in the folder, nor over another message.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(message.as_bytes())
    current_app.logger.info("No mail server configured: wrote %s", path)


def eml_files(message_ids: Collection[str]) -> list[Path]:
    """The .eml files written for these Message-IDs."""
    folder = _eml_folder()
    suffixes = tuple({_eml_suffix(message_id) for message_id in message_ids})
    if not suffixes or not folder.is_dir():
        return []
    return [path for path in folder.glob("*.eml") if path.name.endswith(suffixes)]


def remove_eml_files(message_ids: Collection[str]) -> int:
    """Delete the .eml files written for these Message-IDs (erasing a registration); returns how many."""
    paths = eml_files(message_ids)
    for path in paths:
        path.unlink(missing_ok=True)
    return len(paths)


@transactional
def _record(row_id: int, message_id: str, error: Exception | None, now: datetime, manage_token: str | None) -> str:
    """Record the delivery's outcome; a link in an email that did not leave is revoked."""
    row = db.session.get(OutboxMessage, row_id, populate_existing=True)
    if row is None:
        # The registration was erased while its message was out: nothing to record, and no copy may stay.
        remove_eml_files([message_id])
        return "sent" if error is None else "failed"
    row.locked_until = None
    if error is not None and manage_token is not None:
        revoke_manage_token(manage_token)
    if error is None:
        row.status, row.sent_at, row.last_error = OutboxStatus.SENT, now, ""
        outcome = "sent"
    elif isinstance(error, TemporaryFailure) and row.attempts < current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        delay = current_app.config["OUTBOX_RETRY_BASE_SECONDS"] * 2 ** (row.attempts - 1)
        row.next_attempt_at, row.last_error = now + timedelta(seconds=delay), str(error)[:500]
        outcome = "retrying"
    else:
        row.status, row.last_error = OutboxStatus.FAILED, str(error)[:500]
        outcome = "failed"
    return outcome


def send_due(limit: int | None = None) -> DeliveryReport:
    """Deliver due messages, one SMTP connection for the batch; returns what became of each."""
    report = DeliveryReport()
    connection: _TimeoutConnection | None = None
    try:
        while limit is None or len(report.handled) < limit:
            # A message is tried once per batch, however soon its retry falls due.
            row = claim_next(skip=report.handled)
            if row is None:
                break
            row_id, message_id, error, unreachable, manage_token = row.id, row.message_id, None, False, None
            try:
                rendered = _render(row)
                manage_token = rendered.manage_token
                message = _flask_mail_message(row, rendered)
                if connection is None and current_app.config["MAIL_SERVER"]:
                    unreachable = True
                    connection = _open_connection()
                    unreachable = False
                _send(connection, message)
            except (TemporaryFailure, PermanentFailure) as failure:
                error = failure
                if isinstance(failure, TemporaryFailure):
                    _close(connection)
                    connection = None  # the next message tries a fresh connection
            getattr(report, _record(row_id, message_id, error, utcnow(), manage_token)).append(row_id)
            if unreachable:
                break  # the server is down: leave the other messages for the next round
    finally:
        _close(connection)
    return report


def _render(row: OutboxMessage) -> RenderedEmail:
    try:
        return render(row)
    except RegistrationGone as error:
        raise PermanentFailure("the registration this email is about no longer exists") from error
    except EmailSuperseded as error:
        raise PermanentFailure(
            "superseded: what it was about changed before it left (an address, a ticket, an invitation)"
        ) from error
    except Exception as error:
        # A template bug must not stop the sender on this row for every later one; a fixed
        # deploy sends it on a retry.
        current_app.logger.exception("Cannot render outbox message %s", row.id)
        raise TemporaryFailure(f"cannot render: {type(error).__name__}") from error


def _open_connection() -> _TimeoutConnection:
    connection = _TimeoutConnection(current_app.extensions["mail"])
    try:
        connection.__enter__()
    except (smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(f"cannot connect to {connection.mail.server}:{connection.mail.port}: {error}") from error
    return connection


def _close(connection: _TimeoutConnection | None) -> None:
    if connection is not None and connection.host is not None:
        try:
            connection.host.quit()
        except (smtplib.SMTPException, OSError):
            connection.host.close()


@transactional
def retry_message(actor, message_id: int) -> bool:
    """Queue a failed message again with a fresh count of attempts; False if there is no such failed message."""
    from .audit import record

    row = db.session.get(OutboxMessage, message_id)
    if row is None or row.status != OutboxStatus.FAILED:
        return False
    row.status, row.attempts, row.next_attempt_at, row.locked_until = OutboxStatus.QUEUED, 0, utcnow(), None
    record(actor, "outbox.retried", registration=row.registration, message=row.id)
    return True
