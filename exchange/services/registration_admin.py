"""What organizers do to registrations: approve, decline, cancel, promote, resend; delegates one by one.

Each action is one write transaction that starts at `transitions.begin`
(the rows it decides on locked, the statuses it leaves from checked),
records the step in the registration's history and in the audit log, and
emails the registrant.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import selectinload

from ..collation import sort_key
from ..database import transactional
from ..errors import ExchangeError, NotEnoughSeats, RegistrationLocked
from ..extensions import db
from ..models import (
    Answer,
    Delegate,
    DelegateStatus,
    Question,
    QuestionType,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Transition,
    utcnow,
)
from . import transitions
from .answers import option_keys, option_label
from .audit import Actor, record, record_now
from .notifications import Notice, notify
from .registrations import notify_promoted
from .search import all_words_in, search_words
from .seats import fill_from_waitlist, record_change, release_seats_held_by, take_seats


def _step(actor: Actor, registration: Registration, action: str, status: RegistrationStatus | None, note: str = "") -> None:
    record_change(registration, action, status)
    registration.changes[-1].user_id = actor.user.id
    registration.changes[-1].note = note
    record(actor, f"registration.{action}", registration=registration, reference=registration.reference, note=note)


@transactional
def approve(actor: Actor, registration_id: int, message: str = "") -> Registration:
    """Confirm a pending delegation (its seats are already held), every delegate in it, and email its tickets.

    Raises RegistrationLocked.
    """
    registration = transitions.begin(registration_id, Transition.APPROVE)
    _vouch_for_address(registration)
    for delegate in registration.delegates:
        delegate.status = DelegateStatus.APPROVED
    _step(actor, registration, "approved", RegistrationStatus.CONFIRMED, message)
    notify(registration, Notice.APPROVED, message=message)
    return registration


def _vouch_for_address(registration: Registration) -> None:
    if registration.address_confirmed_at is None:
        registration.address_confirmed_at, registration.confirm_by = utcnow(), None  # the organizers vouch for it


class DelegateDecision(StrEnum):
    APPROVE = "approve"  # pending delegates of a pending delegation
    DECLINE = "decline"  # pending or approved delegates of a pending or approved delegation

    @property
    def transition(self) -> Transition:
        return Transition.APPROVE if self is DelegateDecision.APPROVE else Transition.DECLINE_DELEGATES


@transactional
def decide_delegates(
    actor: Actor, registration_id: int, delegate_ids: list[int], decision: DelegateDecision, message: str = ""
) -> Registration:
    """Approve or decline some delegates of a delegation; the delegation's status follows from all of them.

    Approving: the chosen pending delegates get their tickets; once none is
    left pending the delegation is approved (its whole approval email). Declining:
    each chosen pending or approved delegate gives their seat back to the
    waiting list; declining the last ones declines the delegation. The contact
    is emailed with `message` either way. The registration's row is locked
    first, so two organizers deciding at once decide each delegate once: the
    later one is refused as a late click would be. Raises RegistrationLocked
    (the delegation, or a chosen delegate, is no longer in a state to decide),
    ExchangeError (no delegate chosen).
    """
    registration = transitions.begin(registration_id, decision.transition)
    chosen = _chosen_delegates(registration, delegate_ids, decision)
    names = ", ".join(delegate.full_name for delegate in chosen)
    note = f"{names}\n{message}" if message else names
    if decision is DelegateDecision.APPROVE:
        _vouch_for_address(registration)
        for delegate in chosen:
            delegate.status = DelegateStatus.APPROVED
        if all(delegate.status == DelegateStatus.APPROVED for delegate in registration.delegates):
            _step(actor, registration, "approved", RegistrationStatus.CONFIRMED, message)
            notify(registration, Notice.APPROVED, message=message)
        else:
            _step(actor, registration, "delegates_approved", None, note)
            notify(registration, Notice.DELEGATES_APPROVED, message=message, delegates=[d.id for d in chosen])
        return registration
    remaining = [delegate for delegate in registration.delegates if delegate not in chosen]
    if not remaining:  # the delegation is declined as a whole; its delegates' list stays as it was
        _withdraw(actor, registration, "declined", RegistrationStatus.DECLINED, Notice.DECLINED, message)
        return registration
    for delegate in chosen:
        delegate.status = DelegateStatus.DECLINED
    registration.seats = len(remaining)
    settled = RegistrationStatus.CONFIRMED if all(d.status == DelegateStatus.APPROVED for d in remaining) else None
    _step(actor, registration, "delegates_declined", settled, note)
    notify(registration, Notice.DELEGATES_DECLINED, message=message, delegates=[d.id for d in chosen])
    release_seats_held_by(registration, len(chosen))
    for promoted in fill_from_waitlist(registration.event):
        notify_promoted(promoted)
    return registration


def _chosen_delegates(registration: Registration, delegate_ids: list[int], decision: DelegateDecision) -> list[Delegate]:
    """The delegation's delegates named by `delegate_ids`, each one the decision may apply to; else refused."""
    if not delegate_ids:
        raise ExchangeError(_l("Tick at least one delegate first: nothing was changed."))
    listed = {delegate.id: delegate for delegate in registration.delegates}
    chosen = []
    for delegate_id in dict.fromkeys(delegate_ids):
        delegate = listed.get(delegate_id)
        if delegate is None:  # declined or replaced a moment ago, or another delegation's (a forged id)
            raise RegistrationLocked(_l("A delegate you ticked is no longer on this delegation's list: nothing was changed."))
        if decision is DelegateDecision.APPROVE and delegate.status == DelegateStatus.APPROVED:
            raise RegistrationLocked(_l("%(name)s is already approved: nothing was changed.", name=delegate.full_name))
        if decision is DelegateDecision.DECLINE and delegate.checked_in_at is not None:
            raise RegistrationLocked(_l("%(name)s has already been checked in: nothing was changed.", name=delegate.full_name))
        chosen.append(delegate)
    return chosen


def _withdraw(
    actor: Actor, registration: Registration, action: str, status: RegistrationStatus, notice: Notice, message: str
) -> None:
    """End a registration; seats it held go to the waiting list, whose promoted entries are emailed."""
    held = registration.status.holds_seats
    _step(actor, registration, action, status, message)
    notify(registration, notice, message=message)
    if held:
        release_seats_held_by(registration, registration.seats)
        for promoted in fill_from_waitlist(registration.event):
            notify_promoted(promoted)


@transactional
def decline(actor: Actor, registration_id: int, message: str = "") -> Registration:
    """Decline a pending or waiting delegation; held seats go to the waiting list. Raises RegistrationLocked."""
    registration = transitions.begin(registration_id, Transition.DECLINE)
    _withdraw(actor, registration, "declined", RegistrationStatus.DECLINED, Notice.DECLINED, message)
    return registration


@transactional
def cancel_by_organizer(actor: Actor, registration_id: int, message: str = "") -> Registration:
    """Cancel any active registration; its seats go to the waiting list. Raises RegistrationLocked."""
    registration = transitions.begin(registration_id, Transition.CANCEL)
    _withdraw(actor, registration, "cancelled", RegistrationStatus.CANCELLED, Notice.CANCELLED, message)
    return registration


@transactional
def promote(actor: Actor, registration_id: int) -> Registration:
    """Give a waiting registration its seats now, out of turn if need be. Raises NotEnoughSeats, RegistrationLocked."""
    registration = transitions.begin(registration_id, Transition.PROMOTE)
    if not take_seats(registration.event, registration.seats):
        raise NotEnoughSeats(_l("There are not enough free seats for this registration."))
    new_status = RegistrationStatus.PENDING if registration.is_delegation else RegistrationStatus.CONFIRMED
    _step(actor, registration, "promoted", new_status)
    notify_promoted(registration)
    return registration


_NOTICE_FOR_STATUS = {
    RegistrationStatus.CONFIRMED: Notice.CONFIRMED,
    RegistrationStatus.PENDING: Notice.PENDING,
    RegistrationStatus.WAITLISTED: Notice.WAITLISTED,
    RegistrationStatus.DECLINED: Notice.DECLINED,
    RegistrationStatus.CANCELLED: Notice.CANCELLED,
}


@transactional
def resend(actor: Actor, registration_id: int) -> Registration:
    """Email the registrant their current status again, with a fresh manage link; once per minute at most."""
    registration = transitions.begin(registration_id, Transition.RESEND)
    now = utcnow()
    last = registration.link_resent_at
    if last is not None and (now - last).total_seconds() < current_app.config["RESEND_INTERVAL_SECONDS"]:
        raise RegistrationLocked(_l("This registrant was emailed a moment ago."))
    registration.link_resent_at = now
    notify(registration, _NOTICE_FOR_STATUS[registration.status])
    record(actor, "registration.resent", registration=registration, reference=registration.reference)
    return registration


ACTIONS: dict[str, Callable[..., Registration]] = {
    "approve": approve,
    "decline": decline,
    "cancel": cancel_by_organizer,
    "promote": promote,
    "resend": resend,
}
_WITH_MESSAGE = {"approve", "decline", "cancel"}


def perform(actor: Actor, action: str, registration_id: int, message: str = "") -> Registration:
    """Run one of ACTIONS; the organizer's message goes with those that email a decision."""
    arguments = (message,) if action in _WITH_MESSAGE else ()
    return ACTIONS[action](actor, registration_id, *arguments)


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)  # references
    refused: list[tuple[str, str]] = field(default_factory=list)  # (reference, why)


def apply_to_many(actor: Actor, action: str, registrations: list[Registration], message: str = "") -> BulkResult:
    """Apply one action to several registrations, each in its own transaction; a refusal skips only that one."""
    result = BulkResult()
    for registration in registrations:
        reference = registration.reference
        try:
            perform(actor, action, registration.id, message)
        except ExchangeError as error:
            result.refused.append((reference, str(error.message)))
        else:
            result.done.append(reference)
    return result


class ListOrder(StrEnum):
    """How the back-office list is sorted (`?sort=`)."""

    NEWEST = "newest"
    NAME = "name"  # by the name the list shows, in the reader's language

    # Shadows str.title() on purpose, like the models' enums: templates show each choice as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_l("Newest first") if self == ListOrder.NEWEST else _l("By name (A–Z)"))


@dataclass(frozen=True)
class AnswerFilter:
    """Registrations where someone (the registrant, the contact or a delegate) answered `value` (a choice key, yes/no)."""

    question_id: int
    value: str
    multiple: bool = False  # a multiple-choice question: `value` is one of the keys ticked


@dataclass(frozen=True)
class RegistrationFilters:
    search: str = ""
    status: RegistrationStatus | None = None
    kind: str = ""
    country: str = ""
    category: str = ""
    order: ListOrder = ListOrder.NEWEST
    answers: tuple[AnswerFilter, ...] = ()


def answer_options(question: Question, lang: str) -> list[tuple[str, str]]:
    """(value, text in `lang`) of each answer a filter may ask for, in the question's order."""
    return [(key, option_label(question, key, lang)) for key in option_keys(question)]


def answer_filters(questions: list[Question], wanted: Mapping[str, str]) -> tuple[AnswerFilter, ...]:
    """The filters asked for by `wanted` (`answer_<key>` → value): unknown keys and values are ignored."""
    chosen = []
    for question in questions:
        value = wanted.get(f"answer_{question.key}", "")
        if value and value in option_keys(question):
            chosen.append(AnswerFilter(question.id, value, question.type is QuestionType.MULTIPLE_CHOICE))
    return tuple(chosen)


def _matching(event_id: int, filters: RegistrationFilters) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the back-office list: this event, the search, the filters.

    The search finds a registration whose name, organisation, reference or email holds
    every word, or one of whose delegates' names does (see services/search).
    """
    conditions: list[ColumnElement[bool]] = [Registration.event_id == event_id]
    if words := search_words(filters.search):
        delegate_match = exists().where(Delegate.registration_id == Registration.id, all_words_in(words, Delegate.search_text))
        conditions.append(or_(all_words_in(words, Registration.search_text, Registration.email_normalized), delegate_match))
    if filters.status:
        conditions.append(Registration.status == filters.status)
    if filters.kind:
        conditions.append(Registration.kind == filters.kind)
    if filters.country:
        conditions.append(Registration.country == filters.country)
    if filters.category:
        conditions.append(Registration.category == filters.category)
    for wanted in filters.answers:
        # A multiple choice holds a JSON list of keys: the key in quotes is one of them (and no other's part).
        value = Answer.value.contains(f'"{wanted.value}"', autoescape=True) if wanted.multiple else Answer.value == wanted.value
        conditions.append(
            exists().where(Answer.registration_id == Registration.id, Answer.question_id == wanted.question_id, value)
        )
    return conditions


def registrations_query(event_id: int, filters: RegistrationFilters):
    """A select() of an event's registrations for the back-office table: search and filters, newest first."""
    return (
        select(Registration)
        .where(*_matching(event_id, filters))
        .options(selectinload(Registration.delegates))
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    )


def listed_name(kind: RegistrationKind | str, full_name: str, organization: str) -> str:
    """The name a list shows first: a delegation's organisation (its contact's name without one), else the person."""
    return (organization or full_name) if kind == RegistrationKind.DELEGATION else full_name


class _SortedPagination(Pagination):
    """A page of registrations whose order was decided in Python: `ids` is the whole list in order."""

    def _query_items(self) -> list[Registration]:
        start = (self.page - 1) * self.per_page
        wanted = self._query_args["ids"][start : start + self.per_page]
        return load_in_order(wanted)

    def _query_count(self) -> int:
        return len(self._query_args["ids"])


def load_in_order(ids: list[int]) -> list[Registration]:
    """The registrations with these ids, with their delegates, in the order of `ids` (one query and one for delegates)."""
    if not ids:
        return []
    found = {
        registration.id: registration
        for registration in db.session.scalars(
            select(Registration).where(Registration.id.in_(ids)).options(selectinload(Registration.delegates))
        )
    }
    return [found[number] for number in ids if number in found]


def registrations_page(event_id: int, filters: RegistrationFilters, page: int, per_page: int, lang: str) -> Pagination:
    """One page of the back-office list, newest first or by name in `lang`'s alphabetical order.

    No database sorts names the way ICU does for each language (SQLite has no such
    collation, PostgreSQL's differs by build), and a sort-key column would need one
    per reader's language. So the name order reads the id, kind and names of the
    whole filtered set (a few dozen bytes a registration, not the rows), sorts those
    in Python and loads only the page's rows by id: every page is a slice of the same
    complete order, so nobody is skipped or shown twice from one page to the next.
    An event holds at most a few thousand registrations, which this sorts in
    milliseconds. Newest first stays a database ORDER BY with LIMIT/OFFSET.
    """
    if filters.order != ListOrder.NAME:
        return db.paginate(registrations_query(event_id, filters), page=page, per_page=per_page, error_out=False)
    rows = db.session.execute(
        select(Registration.id, Registration.kind, Registration.full_name, Registration.organization).where(
            *_matching(event_id, filters)
        )
    ).all()
    key = sort_key(lang)
    rows = sorted(rows, key=lambda row: (key(listed_name(row.kind, row.full_name, row.organization)), key(row.full_name), row.id))
    return _SortedPagination(page=page, per_page=per_page, max_per_page=None, error_out=False, ids=[row.id for row in rows])


def registration_by_reference(event_id: int, reference: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.reference == reference.upper())
    )


def registrations_by_ids(event_id: int, ids: list[int]) -> list[Registration] | None:
    """The event's registrations with these ids; None if any of them is not one of this event's."""
    wanted = set(ids)
    found = list(
        db.session.scalars(
            select(Registration).where(Registration.event_id == event_id, Registration.id.in_(wanted)).order_by(Registration.id)
        )
    )
    return found if len(found) == len(wanted) else None


# The registration's page: answers ---------------------------------------------------------------


_LARGEST_ANSWER_ID = 2**31 - 1  # answer.id is a 32-bit integer


def reveal_answer(actor: Actor, registration: Registration, answer_id: int, action: str = "answer.revealed") -> Answer | None:
    """The registration's answer `answer_id` (None if it has none such), its reveal (or download, `action`)
    recorded when it is sensitive.

    The audit entry names who, the registration and the question, never the value.
    """
    if not 0 < answer_id <= _LARGEST_ANSWER_ID:
        return None  # a forged id past the column's range, which PostgreSQL would refuse
    answer = db.session.scalar(select(Answer).where(Answer.id == answer_id, Answer.registration_id == registration.id))
    if answer is not None and answer.question.sensitive:
        record_now(
            actor, action, event=registration.event, registration=registration,
            reference=registration.reference, question=answer.question.key,
        )  # fmt: skip
    return answer
