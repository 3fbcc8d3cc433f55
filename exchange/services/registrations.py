"""Registering, editing, confirming and cancelling: every rule about a registration.

Seats go through `seats`; every state change a registrant should hear about
goes through `notifications.notify`; each public function is one
`write_transaction` and starts its changes through `transitions.begin`,
which locks the rows it decides on.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import ScalarSelect, bindparam, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..database import after_write, for_update, transactional, write_transaction
from ..errors import (
    ExchangeError,
    InvitationRefused,
    NotEnoughSeats,
    RegistrationLocked,
    RegistrationNotFound,
    RegistrationRefused,
    SeatLimitReached,
)
from ..extensions import db
from ..i18n import LOCALES, format_short_date
from ..models import (
    ACTIVE_STATUSES,
    SEAT_HOLDING_STATUSES,
    AskedOf,
    AttendeeCategory,
    Delegate,
    DelegateStatus,
    Event,
    EventTranslation,
    Invitation,
    ManageToken,
    OutboxMessage,
    Registration,
    RegistrationChange,
    RegistrationKind,
    RegistrationStatus,
    RegistrationWindow,
    Transition,
    in_language,
    registration_search_text,
    utcnow,
)
from . import transitions
from .answer_files import remove_answer_files
from .answer_store import Answers, AnswerWriter, has_answers
from .approval_requests import tell_organizers, tell_organizers_of_substitution
from .calendar import CalendarStamp
from .delegate_mail import sync_delegate_mail
from .notifications import Notice, notice_email, notify
from .outbox import outbox_values
from .seats import (
    fill_from_waitlist,
    lock_if_full,
    record_change,
    release_seats_held_by,
    take_seat_if_open,
    take_seats,
    take_seats_for,
)
from .tokens import issue_manage_token, new_manage_token, new_reference, normalize_invitation_code
from .transitions import lock_event

# A duplicate attempt re-sends the manage link at most this often, so nobody
# can flood someone's inbox by submitting their address again and again.
LINK_RESEND_INTERVAL_SECONDS = 15 * 60


@dataclass
class ContactData:
    """What a registrant may change later: who they are and how to reach them."""

    full_name: str
    phone: str = ""
    organization: str = ""
    country: str = ""
    category: AttendeeCategory | None = None
    position: str = ""
    notes: str = ""


@dataclass
class DelegateData:
    full_name: str
    # The `Delegate.key` of the person this row edits; empty for a new person.
    key: str = ""
    position: str = ""
    nationality: str = ""
    dietary: str = ""
    interpreter_language: str = ""
    answers: Answers = field(default_factory=dict)  # to the event's questions asked of each delegate
    # The delegate's own address and email language (one of the UI locales), both optional.
    email: str = ""
    language: str = ""


@dataclass
class RegistrationRequest:
    """A validated registration form, individual or delegation."""

    kind: RegistrationKind
    email: str
    language: str
    contact: ContactData
    delegates: list[DelegateData] = field(default_factory=list)
    # To the event's questions asked of an individual, or of a delegation's contact.
    answers: Answers = field(default_factory=dict)
    # Where the request came from, for the per-event seat cap; only a keyed hash is stored.
    client_address: str = ""
    # A delegation registering through an invitation: its code as typed (or from the /<lang>/i/<code> link).
    invitation_code: str = ""


@dataclass
class RegistrationOutcome:
    """What the registrant's browser should see next.

    `token` opens the new registration's manage page. For a duplicate attempt
    both are None: the existing registrant was emailed, and the page says
    only that.
    """

    registration_id: int | None
    token: str | None

    @property
    def duplicate(self) -> bool:
        return self.registration_id is None

    @property
    def registration(self) -> Registration | None:
        """The new registration, loaded when asked for (the browser needs only the token)."""
        return None if self.registration_id is None else db.session.get(Registration, self.registration_id)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_open_for(event: Event, kind: RegistrationKind, delegate_count: int = 0) -> None:
    """Raise RegistrationRefused unless `event` takes this kind of registration now."""
    window = event.registration_window()
    if window == RegistrationWindow.UNAVAILABLE:
        raise RegistrationRefused(_l("This event does not take registrations."))
    if window == RegistrationWindow.NOT_YET_OPEN:
        raise RegistrationRefused(_l("Registration for this event has not opened yet."))
    if window == RegistrationWindow.CLOSED:
        raise RegistrationRefused(_l("Registration for this event is closed."))
    if kind == RegistrationKind.INDIVIDUAL and not event.allows_individuals:
        raise RegistrationRefused(_l("This event takes registrations from delegations only."))
    if kind == RegistrationKind.DELEGATION:
        if not event.allows_delegations:
            raise RegistrationRefused(_l("This event does not take delegations."))
        _check_delegation_size(event, delegate_count)


def _check_delegation_size(event: Event, delegate_count: int) -> None:
    if not 1 <= delegate_count <= event.max_delegation_size:
        raise RegistrationRefused(
            _l("A delegation has from 1 to %(size)s delegates.", size=event.max_delegation_size),
        )


def register(event_id: int, request: RegistrationRequest, *, seen_full: bool = False) -> RegistrationOutcome:
    """Register a person or a delegation for an event.

    An individual is confirmed while seats are left, else waitlisted. A
    delegation is pending (holding its seats until its contact confirms the
    address, for DELEGATION_CONFIRM_HOURS) while seats for all its delegates
    are left, else waitlisted. An address that already holds an active
    individual registration creates nothing: its registrant is emailed their
    manage link instead. Raises RegistrationRefused when the event does not
    take this registration, SeatLimitReached when this address or client
    already holds the most seats it may. `seen_full`: the caller saw no seat
    left a moment ago, so an individual is first tried for the waiting list
    (a stale hint costs time, never a wrong answer).
    """
    if request.kind == RegistrationKind.INDIVIDUAL and not has_answers(request.answers):
        outcome = _register_individual_at_once(event_id, request, waitlisted=seen_full)
        if outcome is not None:
            return outcome
    try:
        return _register(event_id, request)
    except IntegrityError:
        # Another request registered the same address a moment ago; the unique index caught it.
        return _register(event_id, request)


class _NotAtOnce(Exception):
    """This registration is not the common case: roll back and let `_register` decide it from the start."""


def _register_individual_at_once(event_id: int, request: RegistrationRequest, *, waitlisted: bool) -> RegistrationOutcome | None:
    """Confirm an individual who gets a seat, or waitlist one on a full event, without the unit of work; None otherwise.

    The rush-hour cases, and the only ones done here: the rows go in first and
    the event row is locked last (the seat UPDATE, or a locking read that
    finds it still full), so on PostgreSQL the row every registration for the
    event queues on is held for the last statements and the commit only.
    Anything else (a seat left after all, or none; the window shut; the
    address already registered; a seat cap reached) rolls the whole
    transaction back, and `register` then decides it with `_register`, which
    handles every case.
    """
    now = utcnow()
    email_normalized = normalize_email(request.email)
    client_key = _client_key(request.client_address)
    values = _registration_values(request, email_normalized, client_key, now)
    token, token_hash = new_manage_token()
    status = RegistrationStatus.WAITLISTED if waitlisted else RegistrationStatus.CONFIRMED
    # As notify() would have it: a waiting-list notice carries no calendar file.
    stamp = None if waitlisted else CalendarStamp(method="PUBLISH", sequence=1)
    try:
        with write_transaction():
            connection = db.session.connection()
            title = in_language(dict(connection.execute(_EVENT_TITLES, {"event_id": event_id}).all()), request.language)
            if title is None:
                raise _NotAtOnce
            registration_id = connection.execute(
                insert(Registration).returning(Registration.id), values | {"event_id": event_id, "status": status}
            ).scalar_one()
            connection.execute(
                insert(RegistrationChange),
                {"registration_id": registration_id, "action": "registered", "to_status": status.value, "at": now},
            )
            connection.execute(insert(ManageToken), {"registration_id": registration_id, "token_hash": token_hash})
            email = notice_email(
                Notice(status.value), recipient=request.email, language=request.language,
                title=title, stamp=stamp,
            )  # fmt: skip
            connection.execute(insert(OutboxMessage), outbox_values(**email) | {"registration_id": registration_id})
            if waitlisted:
                if not lock_if_full(event_id, now):
                    raise _NotAtOnce
            else:
                largest_delegation = take_seat_if_open(event_id, now)
                if largest_delegation is None:
                    raise _NotAtOnce
                # After the seat UPDATE locked the event row, as in _register; our own seat is already counted.
                _check_seat_caps(event_id, largest_delegation, email_normalized, client_key, seats=0)
    except (_NotAtOnce, IntegrityError, SeatLimitReached):
        return None
    return RegistrationOutcome(registration_id=registration_id, token=token)


_titles_only = selectinload(Event.translations).load_only(EventTranslation.lang, EventTranslation.title)


@transactional
def _register(event_id: int, request: RegistrationRequest) -> RegistrationOutcome:
    # Fresh seats and window under the write lock; of the content, only the titles (the email's subject).
    event = db.session.get(Event, event_id, populate_existing=True, options=[_titles_only])
    if event is None:
        raise RegistrationNotFound(_l("This event no longer exists."))
    is_delegation = request.kind == RegistrationKind.DELEGATION
    check_open_for(event, request.kind, len(request.delegates))
    email_normalized = normalize_email(request.email)
    if not is_delegation:
        existing = _active_individual(event.id, email_normalized)
        if existing is not None:
            _resend_link(existing)
            return RegistrationOutcome(registration_id=None, token=None)

    seats = len(request.delegates) if is_delegation else 1
    client_key = _client_key(request.client_address)
    invitation = _open_invitation(event, request.invitation_code) if is_delegation else None
    if invitation is not None:
        extra = _draw(invitation, seats)
        if extra:  # seats beyond the reserved ones count against the address's share like anyone's
            _check_seat_caps(event.id, event.max_delegation_size, email_normalized, client_key, extra)
        status = RegistrationStatus.PENDING
    elif take_seats(event, seats):
        # The seat UPDATE locked the event row, so these counts cannot change before commit.
        _check_seat_caps(event.id, event.max_delegation_size, email_normalized, client_key, seats)
        status = RegistrationStatus.PENDING if is_delegation else RegistrationStatus.CONFIRMED
    else:
        status = RegistrationStatus.WAITLISTED
    registration = Registration(event=event, **_registration_values(request, email_normalized, client_key, utcnow()))
    registration.invitation_id = invitation.id if invitation is not None else None
    registration.delegates = [_new_delegate(index, data) for index, data in enumerate(request.delegates)]
    if has_answers(request.answers, *(data.answers for data in request.delegates)):
        answers = AnswerWriter(registration, event)
        answers.write(request.answers, AskedOf.CONTACT if is_delegation else AskedOf.INDIVIDUAL)
        for delegate, data in zip(registration.delegates, request.delegates, strict=True):
            answers.write(data.answers, AskedOf.DELEGATE, delegate)
    if status == RegistrationStatus.PENDING:
        registration.confirm_by = _confirmation_deadline()
    db.session.add(registration)
    record_change(registration, "registered", status)
    token = issue_manage_token(registration, first=True)
    notify(registration, Notice(status.value))
    db.session.flush()
    return RegistrationOutcome(registration_id=registration.id, token=token)


def _open_invitation(event: Event, code: str) -> Invitation | None:
    """The open invitation of `event` a delegation registers through, its row locked; None without a code.

    Raises InvitationRefused for a code that is unknown, another event's, or
    no longer open, and for no code where delegations come by invitation only.
    """
    if not code:
        if event.delegations_by_invitation:
            raise InvitationRefused(_l("Delegations register for this event by invitation only: type your invitation code."))
        return None
    normalized = normalize_invitation_code(code)
    lock_event(event.id)  # event, then invitation: the order every other path takes (services/transitions.py)
    mine = select(Invitation).where(Invitation.code == normalized, Invitation.event_id == event.id)
    found = db.session.scalar(for_update(mine).execution_options(populate_existing=True)) if normalized else None
    if found is None:
        raise InvitationRefused(_l("This invitation code is not known for this event. Check it against your invitation."))
    if not found.is_open:
        raise InvitationRefused(_l("This invitation is no longer open. Register without the code, or write to the organizers."))
    return found


def _draw(invitation: Invitation, seats: int) -> int:
    """Take `seats` for a delegation from the invitation's reserve, and the rest from the free seats if there are enough.

    The reserve is already in the event's counter; only the rest is taken
    now, and its number returned. Raises NotEnoughSeats (and nothing is drawn) when the rest does not fit.
    """
    drawn = min(seats, invitation.seats_left)
    extra = seats - drawn
    if extra and not take_seats(invitation.event, extra):
        raise NotEnoughSeats(
            _ln(
                "Your invitation has %(num)s seat left, and there are not enough other free seats for %(seats)s "
                "delegates. Register fewer delegates, or write to the organizers.",
                "Your invitation has %(num)s seats left, and there are not enough other free seats for %(seats)s "
                "delegates. Register fewer delegates, or write to the organizers.",
                drawn,
                seats=seats,
            )
        )
    if drawn:
        invitation.seats_used += drawn
    return extra


def _registration_values(
    request: RegistrationRequest, email_normalized: str, client_key: str, now: datetime
) -> dict[str, object]:
    """The columns of a new registration (all but its event and status) from the request."""
    # The unique index vouches for the reference: a collision is retried by register() like a duplicate.
    reference = new_reference(checked=False)
    return asdict(request.contact) | {
        "kind": request.kind,
        "reference": reference,
        "seats": len(request.delegates) if request.kind == RegistrationKind.DELEGATION else 1,
        "email": request.email,
        "email_normalized": email_normalized,
        "language": request.language,
        "consent_at": now,
        "consent_version": current_app.config["PRIVACY_NOTICE_VERSION"],
        "client_key": client_key,
        "search_text": registration_search_text(request.contact.full_name, request.contact.organization, reference),
    }


def _client_key(client_address: str) -> str:
    if not client_address:
        return ""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"client:" + client_address.encode(), hashlib.sha256).hexdigest()


def _seats_held_by(who) -> ScalarSelect:
    holding = (Registration.event_id == bindparam("event_id"), Registration.status.in_(SEAT_HOLDING_STATUSES))
    return select(func.coalesce(func.sum(Registration.seats), 0)).where(*holding, who).scalar_subquery()


# Both sums in one round trip, each read through its own index; built once (building costs more than running).
_SEATS_HELD_BY_ADDRESS = _seats_held_by(Registration.email_normalized == bindparam("email"))
_SEATS_HELD = {
    True: select(_SEATS_HELD_BY_ADDRESS, _seats_held_by(Registration.client_key == bindparam("client"))),
    False: select(_SEATS_HELD_BY_ADDRESS, literal(0)),
}
_EVENT_TITLES = select(EventTranslation.lang, EventTranslation.title).where(EventTranslation.event_id == bindparam("event_id"))


def _check_seat_caps(event_id: int, largest_delegation: int, email_normalized: str, client_key: str, seats: int) -> None:
    """Refuse when this address, or this client, would hold more of the event's seats than allowed with `seats` more.

    A cap is never below the event's largest delegation, so one legitimate delegation always fits.
    """
    per_address = max(current_app.config["SEATS_PER_ADDRESS_LIMIT"], largest_delegation)
    client_limit = current_app.config["SEATS_PER_CLIENT_LIMIT"]
    per_client = max(client_limit, largest_delegation) if client_limit and client_key else None
    held = db.session.execute(
        _SEATS_HELD[per_client is not None], {"event_id": event_id, "email": email_normalized, "client": client_key}
    ).one()
    by_address, by_client = int(held[0]), int(held[1])
    if by_address + seats > per_address:
        raise SeatLimitReached(
            _ln(
                "This email address already holds seats for this event; one address may hold at most %(num)s seat.",
                "This email address already holds seats for this event; one address may hold at most %(num)s seats.",
                per_address,
            )
        )
    if per_client is not None and by_client + seats > per_client:
        raise SeatLimitReached(
            _l("Too many seats for this event have been booked from your network. Please contact the organizers.")
        )


def _confirmation_deadline() -> datetime:
    return utcnow() + timedelta(hours=current_app.config["DELEGATION_CONFIRM_HOURS"])


def _active_individual(event_id: int, email_normalized: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event_id,
            Registration.kind == RegistrationKind.INDIVIDUAL,
            Registration.email_normalized == email_normalized,
            Registration.status.in_(ACTIVE_STATUSES),
        )
    )


def _resend_link(registration: Registration) -> None:
    now = utcnow()
    last = registration.link_resent_at
    if last is not None and (now - last).total_seconds() < LINK_RESEND_INTERVAL_SECONDS:
        return
    registration.link_resent_at = now
    notify(registration, Notice.LINK)


def _apply_contact(registration: Registration, contact: ContactData) -> None:
    # ContactData's fields are the registration's contact columns, name for name.
    for column, value in asdict(contact).items():
        setattr(registration, column, value)


def _apply_delegate(delegate: Delegate, index: int, data: DelegateData) -> None:
    delegate.sort_order = index
    delegate.full_name = data.full_name
    delegate.position = data.position
    delegate.nationality = data.nationality
    delegate.dietary = data.dietary
    delegate.interpreter_language = data.interpreter_language
    delegate.email = _own_address(data.email)
    delegate.language = data.language if data.language in LOCALES else ""


def _own_address(email: str) -> str:
    """A delegate's own address, normalised; refused unless it is one (the forms check it first: this is for scripts)."""
    if not email:
        return ""
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ExchangeError(_l("Enter a valid email address, such as name@example.com.")) from None


def _new_delegate(index: int, data: DelegateData) -> Delegate:
    delegate = Delegate(status=DelegateStatus.PENDING)
    _apply_delegate(delegate, index, data)
    return delegate


def check_still_editable(registration: Registration) -> None:
    if registration.event.registration_window() != RegistrationWindow.OPEN:
        raise RegistrationLocked(_l("Registration has closed, so this registration can no longer be changed."))


@transactional
def update_contact(registration_id: int, contact: ContactData, answers: Answers | None = None) -> Registration:
    """Change the registrant's contact details (the e-mail address stays) and answers. Raises RegistrationLocked."""
    registration = transitions.begin(registration_id, Transition.EDIT)
    check_still_editable(registration)
    _apply_contact(registration, contact)
    if answers:
        writer = AnswerWriter(registration, registration.event)
        writer.write(answers, AskedOf.INDIVIDUAL)
        _remove_after_commit(writer.replaced_files)
    record_change(registration, "edited")
    return registration


def _remove_after_commit(stored_names: list[str]) -> None:
    """Delete replaced file answers once the change is committed (a rolled-back one keeps them)."""
    if stored_names:
        after_write(lambda: remove_answer_files(stored_names))


@dataclass(frozen=True)
class DelegationChange:
    """What saving an edited delegate list would do, for the manage page to say before and after."""

    added: int  # people who were not on the list
    removed: int
    needs_reapproval: bool  # an approved delegation gains people: it goes back to awaiting approval
    settled: bool = False  # the people awaiting a decision were removed: the approved ones are the delegation


def plan_delegate_changes(registration: Registration, delegates: list[DelegateData]) -> DelegationChange:
    """Compare an edited list with the delegation's delegates (rows match by `DelegateData.key`)."""
    existing = {delegate.key for delegate in registration.delegates}
    kept = {data.key for data in delegates if data.key in existing}
    added = sum(1 for data in delegates if data.key not in existing)
    return DelegationChange(
        added=added,
        removed=len(existing - kept),
        needs_reapproval=added > 0 and registration.status == RegistrationStatus.CONFIRMED,
    )


@transactional
def update_delegates(
    registration_id: int, contact: ContactData, delegates: list[DelegateData], answers: Answers | None = None
) -> DelegationChange:
    """Save a delegation's contact details and delegate list, updating delegates in place.

    A row whose key names one of this delegation's delegates updates that
    person (their id, ticket and check-in stay); other rows are new people
    (a key from elsewhere counts as new); delegates left out are removed and
    their tickets stop working (they stay on record as cancelled, without
    their answers). More delegates need that many more seats
    (NotEnoughSeats, and nothing changes); fewer free seats for the waiting
    list. An approved delegation that gains people goes back to awaiting
    approval and the organizers are told. `answers` are the contact's; each
    row's own go with it (a removed delegate's go too). Raises RegistrationLocked.
    """
    registration = transitions.begin(registration_id, Transition.EDIT)
    check_still_editable(registration)
    event = registration.event
    _check_delegation_size(event, len(delegates))
    change = plan_delegate_changes(registration, delegates)
    extra = len(delegates) - registration.seats
    if registration.status.holds_seats and extra > 0 and not take_seats_for(registration, extra):
        raise NotEnoughSeats(
            _ln(
                "Only %(num)s more seat is left, so the delegation cannot grow by %(extra)s.",
                "Only %(num)s more seats are left, so the delegation cannot grow by %(extra)s.",
                event.seats_left,
                extra=extra,
            )
        )
    if registration.status.holds_seats and extra < 0:
        release_seats_held_by(registration, -extra)
    registration.seats = len(delegates)
    _apply_contact(registration, contact)
    by_key = {delegate.key: delegate for delegate in registration.delegates}
    updated = []
    for index, data in enumerate(delegates):
        delegate = by_key.pop(data.key, None) or Delegate(status=DelegateStatus.PENDING)
        _apply_delegate(delegate, index, data)
        updated.append(delegate)
    removed = [delegate.id for delegate in by_key.values()]
    # Read the stored answers (and the files of removed delegates) before the removal is flushed.
    writer = AnswerWriter(registration, event) if answers or removed or any(data.answers for data in delegates) else None
    for delegate in by_key.values():  # off the list, on record: the history says who was there
        delegate.status = DelegateStatus.CANCELLED
    registration.delegates.extend(delegate for delegate in updated if delegate.id is None)
    db.session.flush()
    db.session.expire(registration, ["delegates"])  # the list as it now stands, the cancelled ones off it
    if registration.status == RegistrationStatus.PENDING and all(d.status == DelegateStatus.APPROVED for d in updated):
        change = replace(change, settled=True)  # only approved delegates are left: nothing awaits a decision
    if writer is not None:
        writer.forget_delegates(removed)
        writer.write(answers or {}, AskedOf.CONTACT)
        for delegate, data in zip(updated, delegates, strict=True):
            writer.write(data.answers, AskedOf.DELEGATE, delegate)
        _remove_after_commit(writer.replaced_files)
    if change.needs_reapproval:
        record_change(registration, "reapproval", RegistrationStatus.PENDING)
        notify(registration, Notice.PENDING)
        if registration.address_confirmed_at is not None:
            tell_organizers(registration)
    elif change.settled:  # the contact sees it on the page they saved from: nobody needs an email
        record_change(registration, "edited", RegistrationStatus.CONFIRMED)
    else:
        record_change(registration, "edited")
    sync_delegate_mail(registration)  # a removed delegate's ticket, a new address: whether or not the contact is emailed
    if extra < 0:
        for other in fill_from_waitlist(event):
            notify_promoted(other)
    return change


@transactional
def substitute(registration_id: int, delegate_key: str, data: DelegateData) -> Delegate:
    """The contact replaces one delegate by another person, until the event's substitution deadline.

    The replaced delegate stays on record as `substituted` (their ticket stops
    working, their answers go); the substitute takes their place in the list
    and their seat, with a new ticket: approved at once if the replaced person
    was, unless the event wants substitutes approved (then the delegation
    awaits approval again for them alone). The contact is emailed (with the
    new ticket) and the organizers are told. The registration's row is locked
    first, so two substitutions of one delegate at once make one: the later
    finds the delegate gone. Raises RegistrationLocked (past the deadline, the
    delegation not holding its seats, the delegate no longer on the list).
    """
    registration = transitions.begin(registration_id, Transition.SUBSTITUTE)
    event = registration.event
    if not event.takes_substitutions():
        raise RegistrationLocked(substitutions_closed(event))
    replaced = next((delegate for delegate in registration.delegates if delegate.key == delegate_key), None)
    if replaced is None:  # replaced or declined a moment ago, or a key from elsewhere
        raise RegistrationLocked(_l("This delegate is no longer on the delegation's list: nothing was changed."))
    keeps_approval = replaced.status == DelegateStatus.APPROVED and not event.substitutes_need_approval
    substitute = Delegate(status=DelegateStatus.APPROVED if keeps_approval else DelegateStatus.PENDING, replaces_id=replaced.id)
    _apply_delegate(substitute, replaced.sort_order, data)
    writer = AnswerWriter(registration, event)
    writer.forget_delegates([replaced.id])
    replaced.status = DelegateStatus.SUBSTITUTED
    registration.delegates.append(substitute)
    db.session.flush()
    db.session.expire(registration, ["delegates"])
    writer.write(data.answers, AskedOf.DELEGATE, substitute)
    _remove_after_commit(writer.replaced_files)
    back_for_approval = registration.status == RegistrationStatus.CONFIRMED and not keeps_approval
    record_change(registration, "substituted", RegistrationStatus.PENDING if back_for_approval else None)
    registration.changes[-1].note = f"{replaced.full_name} → {substitute.full_name}"
    notify(registration, Notice.SUBSTITUTED, delegates=[replaced.id, substitute.id])
    tell_organizers_of_substitution(registration, substitute)
    return substitute


@dataclass(frozen=True)
class OwnDetails:
    """What a delegate may correct of themselves from their personal link (not their address: the contact gave it)."""

    full_name: str
    position: str = ""
    dietary: str = ""
    interpreter_language: str = ""
    language: str = ""


@transactional
def correct_delegate_details(delegate_id: int, details: OwnDetails) -> Delegate:
    """A delegate corrects their own details from their personal link, until registration closes.

    Only their own row changes (their ticket, status and check-in stay). The
    registration's row is locked as for the contact's edits. Raises
    RegistrationLocked (registration closed, the delegation or the delegate no longer on the list).
    """
    registration_id = db.session.scalar(select(Delegate.registration_id).where(Delegate.id == delegate_id))
    if registration_id is None:
        raise RegistrationNotFound(_l("This registration no longer exists."))
    registration = transitions.begin(registration_id, Transition.EDIT)
    check_still_editable(registration)
    delegate = next((d for d in registration.delegates if d.id == delegate_id), None)
    if delegate is None:
        raise RegistrationLocked(_l("You are no longer on the delegation's list, so your details can no longer be changed here."))
    delegate.full_name = details.full_name
    delegate.position = details.position
    delegate.dietary = details.dietary
    delegate.interpreter_language = details.interpreter_language
    delegate.language = details.language if details.language in LOCALES else ""
    record_change(registration, "delegate_corrected")
    registration.changes[-1].note = delegate.full_name
    return delegate


def substitutions_closed(event: Event):
    """Why a delegate can no longer be replaced here, and what to do instead, in the reader's language."""
    return _l(
        "Delegates could be replaced until %(date)s. To replace someone now, please write to the organizers.",
        date=format_short_date(event.substitutions_close_at, event.timezone),
    )


@transactional
def confirm_address(registration_id: int) -> Registration:
    """The delegation's contact confirmed their address from the emailed link: its seats stay held.

    A pending delegation now awaits the organizers, who are told. Raises
    RegistrationLocked when there is nothing to confirm (already confirmed,
    lapsed, cancelled).
    """
    registration = transitions.begin(registration_id, Transition.CONFIRM_ADDRESS)
    registration.address_confirmed_at = utcnow()
    registration.confirm_by = None
    record_change(registration, "address_confirmed")
    if registration.status == RegistrationStatus.PENDING:
        tell_organizers(registration)
    return registration


@transactional
def cancel(registration_id: int) -> Registration:
    """Cancel a registration; its seats go to the waiting list, whose promoted entries are emailed.

    Raises RegistrationLocked if it is already cancelled or declined, or the event has begun.
    """
    registration = transitions.begin(registration_id, Transition.CANCEL)
    event = registration.event
    if event.starts_at <= utcnow():
        raise RegistrationLocked(_l("The event has begun, so this registration can no longer be cancelled here."))
    held = registration.status.holds_seats
    record_change(registration, "cancelled", RegistrationStatus.CANCELLED)
    notify(registration, Notice.CANCELLED)
    if held:
        release_seats_held_by(registration, registration.seats)
        for promoted in fill_from_waitlist(event):
            notify_promoted(promoted)
    return registration


def notify_promoted(registration: Registration) -> None:
    """Email a registration promoted from the waiting list; a delegation must now confirm its address in time."""
    if registration.is_delegation and registration.address_confirmed_at is None:
        registration.confirm_by = _confirmation_deadline()
    notify(registration, Notice.PROMOTED)
    if registration.is_delegation and registration.address_confirmed_at is not None:
        tell_organizers(registration)


def expire_pending(now: datetime | None = None) -> int:
    """Lapse pending delegations whose contact did not confirm the address in time; returns how many.

    Each lapses in its own transaction, on its locked row, so two machines
    running this at once lapse each delegation once: the second finds it no
    longer pending and skips it. Freed seats go to the waiting list.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(Registration.id)
        .where(
            Registration.status == RegistrationStatus.PENDING,
            Registration.address_confirmed_at.is_(None),
            Registration.confirm_by < now,
        )
        .order_by(Registration.id)
    ).all()
    db.session.rollback()
    lapsed = 0
    for registration_id in due:
        try:
            _lapse(registration_id, now)
        except ExchangeError:
            continue  # confirmed, cancelled or lapsed meanwhile
        lapsed += 1
    return lapsed


@transactional
def _lapse(registration_id: int, now: datetime) -> None:
    registration = transitions.begin(registration_id, Transition.LAPSE)
    if registration.confirm_by is None or registration.confirm_by >= now:
        raise RegistrationLocked(_l("This address is already confirmed."))
    record_change(registration, "lapsed", RegistrationStatus.CANCELLED)
    registration.confirm_by = None
    notify(registration, Notice.LAPSED)
    release_seats_held_by(registration, registration.seats)
    for promoted in fill_from_waitlist(registration.event):
        notify_promoted(promoted)


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.execute(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.created_at < registration.created_at)
            | ((Registration.created_at == registration.created_at) & (Registration.id < registration.id)),
        )
    ).scalar_one()
    return ahead + 1
