"""Personal data: what a registrant may download, and erasing it (on request, or once events are over).

Erasing keeps what seats and statistics need (status, kind, seats, category,
country, nationality, interpreter language, language, the dates) and never
touches an event's seat counter: the registration keeps its status. The answers
to the event's questions go entirely, with their files; sensitive answers go
first, earlier (`purge_sensitive_answers`, SENSITIVE_ANSWERS_KEPT_DAYS).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from ..database import write_transaction
from ..errors import RegistrationLocked
from ..extensions import db
from ..models import (
    Answer,
    AuditEntry,
    Delegate,
    DelegateToken,
    Event,
    Invitation,
    ManageToken,
    OutboxMessage,
    Question,
    QuestionType,
    Registration,
    RegistrationChange,
    utcnow,
)
from .answer_files import remove_answer_files
from .answers import stable_value, stored_answers
from .mailer import eml_files, remove_eml_files
from .transitions import lock_registration

_BATCH = 500
logger = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    """What a purge erased (or, in a dry run, would erase)."""

    registrations: int = 0
    events: list[str] = field(default_factory=list)  # slugs
    emails: int = 0
    eml_files: int = 0
    answers: int = 0
    answer_files: int = 0


@dataclass
class SensitivePurgeReport:
    """What a purge of sensitive answers erased (or, in a dry run, would erase)."""

    answers: int = 0
    events: list[str] = field(default_factory=list)  # slugs
    answer_files: int = 0


def purge_sensitive_answers(ended_before: datetime, *, dry_run: bool = False) -> SensitivePurgeReport:
    """Delete the answers to sensitive questions (a passport number) of events that ended before `ended_before`,
    with their files.

    `purge-personal-data` runs it first, with its own, earlier cutoff (SENSITIVE_ANSWERS_KEPT_DAYS
    under --retention): what is most dangerous to keep goes soonest. The rest of the
    registration stays until its own purge. Running it again changes nothing more.
    """
    sensitive = (
        select(Question.id, Question.type, Event.slug)
        .join(Event, Question.event_id == Event.id)
        .where(Question.sensitive.is_(True), Event.ends_at < ended_before)
    )
    with write_transaction():
        questions = db.session.execute(sensitive).all()
        ids = [question_id for question_id, _, _ in questions]
        file_ids = [question_id for question_id, kind, _ in questions if kind is QuestionType.FILE]
        chosen = Answer.question_id.in_(ids)
        report = SensitivePurgeReport(answers=db.session.scalar(select(func.count()).where(chosen)) or 0)
        if report.answers:
            report.events = sorted(
                set(db.session.scalars(select(Event.slug).join(Question).join(Answer).where(chosen).distinct()))
            )
        files = list(db.session.scalars(select(Answer.value).where(Answer.question_id.in_(file_ids)))) if file_ids else []
        if dry_run or not report.answers:
            report.answer_files = len(files)
            return report
        db.session.execute(delete(Answer).where(chosen).execution_options(synchronize_session=False))
    report.answer_files = remove_answer_files(files)
    return report


def purge_personal_data(ended_before: datetime, *, dry_run: bool = False) -> PurgeReport:
    """Anonymise every registration of events that ended before `ended_before`.

    Names, e-mail addresses, phone numbers, organisations, positions, notes,
    dietary needs, the free text of their history and audit entries
    (organizers' notes and messages), their manage links, the emails sent to
    them and those emails' .eml files are erased; the history keeps one
    entry saying so. `dry_run` changes nothing and reports what would go.
    Running it again changes nothing more.
    """
    ids = (
        select(Registration.id, Event.slug)
        .join(Event)
        .where(Event.ends_at < ended_before, Registration.anonymised_at.is_(None))
        .order_by(Registration.id)
    )
    with write_transaction():
        chosen = db.session.execute(ids).all()
        report = PurgeReport(registrations=len(chosen), events=sorted({slug for _, slug in chosen}))
        registration_ids = [registration_id for registration_id, _ in chosen]
        message_ids = _message_ids(registration_ids)
        report.emails = len(message_ids)
        answers = _answers_of(registration_ids)
        report.answers = len(answers)
        files = [value for value, is_file in answers if is_file]
        if dry_run or not chosen:
            report.eml_files, report.answer_files = len(eml_files(message_ids)), len(files)
            return report  # nothing was changed: the transaction commits nothing
        for batch_start in range(0, len(registration_ids), _BATCH):
            _anonymise(registration_ids[batch_start : batch_start + _BATCH])
        # The invitations of those events name a partner's contact: the address goes, the organisation stays.
        db.session.execute(
            update(Invitation)
            .where(Invitation.event_id.in_(select(Event.id).where(Event.ends_at < ended_before)), Invitation.email != "")
            .values(email="")
            .execution_options(synchronize_session=False)
        )
    # Files go once the rows are gone for good: a rolled-back purge keeps both.
    report.eml_files = remove_eml_files(message_ids)
    report.answer_files = remove_answer_files(files)
    return report


def may_erase(registration: Registration, now: datetime | None = None) -> bool:
    """Whether the registrant may erase their data now: once it is cancelled or declined, or the event is over."""
    if registration.anonymised_at is not None:
        return False
    return not registration.is_active or registration.event.ends_at <= (now or utcnow())


def erase_registration(registration_id: int) -> None:
    """Erase one registration's personal data at its registrant's request, as a purge would.

    Its manage links stop working. Raises RegistrationLocked while the
    registration still holds or awaits a place for an event to come (cancel first).
    """
    with write_transaction():
        registration = lock_registration(registration_id)  # a cancel or a second erase waits for this one
        if not may_erase(registration):
            raise RegistrationLocked(_l("Cancel your registration first, or wait until the event is over."))
        message_ids = _message_ids([registration_id])
        files = [value for value, is_file in _answers_of([registration_id]) if is_file]
        _anonymise([registration_id])
    remove_eml_files(message_ids)
    remove_answer_files(files)


def _message_ids(registration_ids: list[int]) -> list[str]:
    found: list[str] = []
    for batch_start in range(0, len(registration_ids), _BATCH):
        batch = registration_ids[batch_start : batch_start + _BATCH]
        found += db.session.scalars(select(OutboxMessage.message_id).where(OutboxMessage.registration_id.in_(batch)))
    return found


def _answers_of(registration_ids: list[int]) -> list[tuple[str, bool]]:
    """(stored value, whether it names a file) of every answer of these registrations, their delegates' included."""
    found: list[tuple[str, bool]] = []
    for batch_start in range(0, len(registration_ids), _BATCH):
        batch = registration_ids[batch_start : batch_start + _BATCH]
        rows = db.session.execute(select(Answer.value, Question.type).join(Question).where(Answer.registration_id.in_(batch)))
        found += [(value, kind is QuestionType.FILE) for value, kind in rows]
    return found


def _anonymise(batch: list[int]) -> None:
    now = utcnow()
    db.session.execute(
        update(Registration)
        .where(Registration.id.in_(batch))
        .values(
            full_name="",
            email="",
            # Unique per registration, so the one-active-registration-per-address index never trips.
            email_normalized="anonymised-" + Registration.reference,
            phone="",
            organization="",
            position="",
            notes="",
            search_text=func.lower(Registration.reference),  # what fold_for_search makes of the reference alone
            anonymised_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Delegate)
        .where(Delegate.registration_id.in_(batch))
        .values(full_name="", position="", dietary="", search_text="", email="", ticket_mailed_to="")
        .execution_options(synchronize_session=False)
    )
    statuses = db.session.execute(select(Registration.id, Registration.status).where(Registration.id.in_(batch))).all()
    db.session.execute(delete(RegistrationChange).where(RegistrationChange.registration_id.in_(batch)))
    db.session.add_all(
        RegistrationChange(
            registration_id=registration_id, at=now, action="erased", from_status=status.value, to_status=status.value
        )
        for registration_id, status in statuses
    )
    # Audit entries keep who did what and when; their text (organizers' notes, messages) goes.
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.registration_id.in_(batch))):
        entry.details = {key: value for key, value in entry.details.items() if not isinstance(value, str)}
    db.session.execute(delete(Answer).where(Answer.registration_id.in_(batch)).execution_options(synchronize_session=False))
    db.session.execute(delete(ManageToken).where(ManageToken.registration_id.in_(batch)))
    db.session.execute(
        delete(DelegateToken).where(DelegateToken.delegate_id.in_(select(Delegate.id).where(Delegate.registration_id.in_(batch))))
    )
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(batch)))


def personal_data(registration: Registration) -> dict:
    """Everything kept about a registration, for its registrant to download (JSON-ready)."""
    event = registration.event
    content = event.content(registration.language)
    emails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.registration_id == registration.id).order_by(OutboxMessage.id)
    )
    # Answers as the API gives them (keys and codes). A sensitive one is named, not given: this file opens with
    # the same link as the manage page, which never shows it again either; the organizers give it on request.
    questions = {question.id: question for question in event.questions}
    answers: dict[int, dict[str, str | None]] = {}
    for (owner, question_id), answer in stored_answers(registration.id).items():
        question = questions[question_id]
        answers.setdefault(owner, {})[question.key] = None if question.sensitive else stable_value(question, answer)
    return {
        "reference": registration.reference,
        "event": {
            "slug": event.slug,
            "title": content.title if content else "",
            "starts_at": _iso(event.starts_at),
            "ends_at": _iso(event.ends_at),
        },
        "kind": registration.kind.value,
        "status": registration.status.value,
        "email": registration.email,
        "full_name": registration.full_name,
        "phone": registration.phone,
        "organization": registration.organization,
        "position": registration.position,
        "country": registration.country,
        "category": registration.category.value if registration.category else None,
        "notes": registration.notes,
        "language": registration.language,
        "consent": {"given_at": _iso(registration.consent_at), "privacy_notice_version": registration.consent_version},
        "registered_at": _iso(registration.created_at),
        "updated_at": _iso(registration.updated_at),
        "checked_in_at": _iso(registration.checked_in_at),
        "answers": answers.get(0, {}),
        "delegates": [
            {
                "full_name": delegate.full_name,
                "status": delegate.status.value,
                "position": delegate.position,
                "nationality": delegate.nationality,
                "dietary": delegate.dietary,
                "interpreter_language": delegate.interpreter_language,
                "email": delegate.email,
                "language": delegate.language,
                "checked_in_at": _iso(delegate.checked_in_at),
                "answers": answers.get(delegate.id, {}),
            }
            for delegate in registration.all_delegates  # declined and removed ones are still held, so given too
        ],
        "history": [
            {"at": _iso(change.at), "action": change.action, "status": change.to_status, "note": change.note}
            for change in registration.changes
        ],
        "emails": [
            {"subject": message.subject, "queued_at": _iso(message.created_at), "sent_at": _iso(message.sent_at)}
            for message in emails
        ],
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
