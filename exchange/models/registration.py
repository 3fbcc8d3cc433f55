"""Registrations (individuals and delegations), their delegates and their history."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.event import listens_for
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..text import fold_for_search
from .event import Event, db_enum
from .types import UTCDateTime, utcnow


def new_ticket_key() -> str:
    """128 random bits naming one attendee's ticket (services/tickets signs it into the QR code)."""
    return secrets.token_urlsafe(16)


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING = "pending"  # a delegation awaiting approval; holds its seats
    DECLINED = "declined"
    CANCELLED = "cancelled"

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_STATUS_TITLES[self])

    @property
    def holds_seats(self) -> bool:
        return self in SEAT_HOLDING_STATUSES


_STATUS_TITLES = {
    RegistrationStatus.CONFIRMED: _l("Confirmed"),
    RegistrationStatus.WAITLISTED: _l("On the waiting list"),
    RegistrationStatus.PENDING: _l("Awaiting approval"),
    RegistrationStatus.DECLINED: _l("Declined"),
    # Not the event's "Cancelled": some languages word a cancelled registration differently.
    RegistrationStatus.CANCELLED: lazy_pgettext("registration status", "Cancelled"),
}
SEAT_HOLDING_STATUSES = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING})
ACTIVE_STATUSES = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED})


class Transition(enum.StrEnum):
    """A change of a registration's state. `sources` are the statuses it may leave from.

    Services enforce them on the locked row (`services.transitions`);
    templates ask `registration.may(...)` instead of comparing statuses.
    """

    CANCEL = "cancel"  # confirmed|pending|waitlisted -> cancelled (registrant or organizer)
    EDIT = "edit"  # confirmed|pending|waitlisted -> the same, or pending when people are added after approval
    APPROVE = "approve"  # pending -> confirmed
    DECLINE = "decline"  # pending|waitlisted -> declined (delegations)
    DECLINE_DELEGATES = "decline_delegates"  # pending|confirmed -> the same, or declined with its last delegates
    SUBSTITUTE = "substitute"  # pending|confirmed -> the same, or pending when the substitute awaits approval
    PROMOTE = "promote"  # waitlisted -> confirmed|pending
    CONFIRM_ADDRESS = "confirm_address"  # pending (address unconfirmed) -> pending (confirmed address)
    LAPSE = "lapse"  # pending (address unconfirmed, too late) -> cancelled
    RESEND = "resend"  # any status: the same email again

    @property
    def sources(self) -> frozenset[RegistrationStatus]:
        return _TRANSITION_SOURCES[self]


_TRANSITION_SOURCES = {
    Transition.CANCEL: ACTIVE_STATUSES,
    Transition.EDIT: ACTIVE_STATUSES,
    Transition.APPROVE: frozenset({RegistrationStatus.PENDING}),
    Transition.DECLINE: frozenset({RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED}),
    Transition.DECLINE_DELEGATES: SEAT_HOLDING_STATUSES,
    Transition.SUBSTITUTE: SEAT_HOLDING_STATUSES,
    Transition.PROMOTE: frozenset({RegistrationStatus.WAITLISTED}),
    Transition.CONFIRM_ADDRESS: frozenset({RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED}),
    Transition.LAPSE: frozenset({RegistrationStatus.PENDING}),
    Transition.RESEND: frozenset(RegistrationStatus),
}


class DelegateStatus(enum.StrEnum):
    """One delegate's own state; the delegation's `Registration.status` is derived from its delegates'.

    Pending and approved delegates are the delegation (`Registration.delegates`)
    and hold one seat each; the others stay on record (`all_delegates`).
    """

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    SUBSTITUTED = "substituted"
    CANCELLED = "cancelled"

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_DELEGATE_STATUS_TITLES[self])

    @property
    def holds_seat(self) -> bool:
        return self in SEATED_DELEGATE_STATUSES


_DELEGATE_STATUS_TITLES = {
    DelegateStatus.PENDING: _l("Awaiting approval"),
    DelegateStatus.APPROVED: lazy_pgettext("delegate status", "Approved"),
    DelegateStatus.DECLINED: lazy_pgettext("delegate status", "Declined"),
    DelegateStatus.SUBSTITUTED: _l("Replaced"),
    DelegateStatus.CANCELLED: lazy_pgettext("delegate status", "Cancelled"),
}
SEATED_DELEGATE_STATUSES = frozenset({DelegateStatus.PENDING, DelegateStatus.APPROVED})
_SEATED_DELEGATE_VALUES = ", ".join(f"'{status.value}'" for status in sorted(SEATED_DELEGATE_STATUSES))


class RegistrationKind(enum.StrEnum):
    INDIVIDUAL = "individual"
    DELEGATION = "delegation"

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_l("Individual") if self == RegistrationKind.INDIVIDUAL else _l("Delegation"))


class AttendeeCategory(enum.StrEnum):
    STUDENT = "student"
    YOUTH = "youth"
    PROFESSIONAL = "professional"
    PARTNER = "partner"
    OTHER = "other"

    # Shadows str.title() on purpose: templates show every status and category as `.title`.
    @property
    def title(self) -> str:  # type: ignore[override]
        return str(_CATEGORY_TITLES[self])


_CATEGORY_TITLES = {
    AttendeeCategory.STUDENT: _l("Student"),
    AttendeeCategory.YOUTH: _l("Young person"),
    AttendeeCategory.PROFESSIONAL: _l("Professional"),
    AttendeeCategory.PARTNER: _l("Partner organisation"),
    AttendeeCategory.OTHER: _l("Other"),
}


class Registration(Model):
    """One person, or one delegation, registered for an event.

    `seats` is what the registration holds while confirmed or pending: 1 for
    an individual, the number of delegates for a delegation.
    """

    __tablename__ = "registration"
    __table_args__ = (
        CheckConstraint("seats >= 1", name="seats_positive"),
        # One active individual registration per event and e-mail address.
        Index(
            "uq_registration_active_individual_email",
            "event_id",
            "email_normalized",
            unique=True,
            sqlite_where=text("kind = 'individual' AND status IN ('confirmed', 'pending', 'waitlisted')"),
            postgresql_where=text("kind = 'individual' AND status IN ('confirmed', 'pending', 'waitlisted')"),
        ),
        # The waiting list of an event, in arrival order.
        Index("ix_registration_event_status_created", "event_id", "status", "created_at"),
        # Seats held per address and per client, for the per-event caps.
        Index("ix_registration_event_email", "event_id", "email_normalized"),
        Index("ix_registration_event_client", "event_id", "client_key"),
        # Pending delegations whose address confirmation runs out (`flask expire-pending`).
        Index("ix_registration_status_confirm_by", "status", "confirm_by"),
        # The door's and the back office's search scan one event's folded names from the index alone.
        Index("ix_registration_event_search", "event_id", "search_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[RegistrationKind] = mapped_column(db_enum(RegistrationKind, "registration_kind"))
    status: Mapped[RegistrationStatus] = mapped_column(db_enum(RegistrationStatus, "registration_status"))
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    seats: Mapped[int] = mapped_column(default=1)
    # Individual: the person. Delegation: the contact person.
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    email_normalized: Mapped[str] = mapped_column(String(254), index=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    organization: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    category: Mapped[AttendeeCategory | None] = mapped_column(db_enum(AttendeeCategory, "attendee_category"), nullable=True)
    position: Mapped[str] = mapped_column(String(120), default="")  # the contact person's position
    notes: Mapped[str] = mapped_column(Text, default="")
    # The locale the registrant used; their emails go out in it.
    language: Mapped[str] = mapped_column(String(5))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The version of the privacy notice agreed to (PRIVACY_NOTICE_VERSION); "" before versions were kept.
    consent_version: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # An individual's ticket; a delegation's delegates have one each. Always set; nullable in the
    # schema only so SQLite adds the column in place (rebuilding the table would cascade-delete its children).
    ticket_key: Mapped[str] = mapped_column(String(24), nullable=True, unique=True, index=True, default=new_ticket_key)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # When the manage link was last emailed after a duplicate attempt (limits inbox flooding).
    link_resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When the reminder before the event was queued; set once, so nobody is reminded twice.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # An individual's arrival; a delegation's delegates check in one by one.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Who checked them in (the account's email, kept as text like the audit log's).
    checked_in_by: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # Set when personal data was erased: after the event (`flask purge-personal-data`) or by the registrant.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # A delegation's contact proves their address from the emailed link; until then its
    # seats are held only until `confirm_by` (DELEGATION_CONFIRM_HOURS), then it lapses.
    address_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    confirm_by: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # A keyed hash of the client address it came from (never the address itself), for the per-event seat cap.
    client_key: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Name, organisation and reference folded for search (`text.fold_for_search`), kept up to date on every
    # flush by `_fold_registration`; the email is searched in `email_normalized`, which the door may not see.
    search_text: Mapped[str] = mapped_column(String(400), default="", server_default="")
    # The invitation it was registered through, if any (a plain id, as Delegate.replaces_id: SQLite adds no key in place).
    invitation_id: Mapped[int | None] = mapped_column(nullable=True, index=True)

    event: Mapped[Event] = relationship()
    # The delegation as it stands: its pending and approved delegates, who hold its seats.
    delegates: Mapped[list[Delegate]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="Delegate.sort_order",
        lazy="selectin",
        primaryjoin=f"and_(Registration.id == Delegate.registration_id, Delegate.status.in_([{_SEATED_DELEGATE_VALUES}]))",
    )
    # Every delegate ever named, declined and replaced ones included (the history, the personal-data download).
    all_delegates: Mapped[list[Delegate]] = relationship(order_by="Delegate.sort_order, Delegate.id", viewonly=True)
    changes: Mapped[list[RegistrationChange]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="RegistrationChange.id"
    )

    @property
    def is_delegation(self) -> bool:
        return self.kind == RegistrationKind.DELEGATION

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def may(self, transition: Transition | str) -> bool:
        """Whether `transition` may leave from the current status (the services enforce it on the locked row)."""
        transition = Transition(transition)
        if transition in (Transition.CONFIRM_ADDRESS, Transition.LAPSE) and self.address_confirmed_at is not None:
            return False
        if transition in (Transition.DECLINE, Transition.DECLINE_DELEGATES, Transition.SUBSTITUTE) and not self.is_delegation:
            return False
        return self.status in transition.sources

    @property
    def awaits_address_confirmation(self) -> bool:
        return self.is_delegation and self.address_confirmed_at is None and self.status in Transition.CONFIRM_ADDRESS.sources

    def __repr__(self) -> str:
        return f"<Registration {self.reference} {self.status}>"


class ManageToken(Model):
    """A secret link to manage a registration. Only the SHA-256 of the token is kept."""

    __tablename__ = "manage_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    registration: Mapped[Registration] = relationship()


class DelegateToken(Model):
    """A delegate's personal link (their ticket and their own details). Only the SHA-256 of the token is kept."""

    __tablename__ = "delegate_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("delegate.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    delegate: Mapped[Delegate] = relationship()


def new_delegate_key() -> str:
    return secrets.token_urlsafe(12)


class Delegate(Model):
    """A named member of a delegation."""

    __tablename__ = "delegate"
    __table_args__ = (Index("uq_delegate_key", "key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    # Names the row in the edit form, so an edit updates this delegate in place (keeping
    # their ticket and check-in) without a sequential id reaching the registrant.
    # (Nullable in the schema only because SQLite cannot add a NOT NULL column without rebuilding the
    # table, which would cascade-delete its children; the model always fills it.)
    key: Mapped[str] = mapped_column(String(24), nullable=True, default=new_delegate_key)
    sort_order: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str] = mapped_column(String(120), default="")
    nationality: Mapped[str] = mapped_column(String(2), default="")
    dietary: Mapped[str] = mapped_column(String(200), default="")
    interpreter_language: Mapped[str] = mapped_column(String(12), default="")
    # Always set; nullable for the same reason as Registration.ticket_key.
    ticket_key: Mapped[str] = mapped_column(String(24), nullable=True, unique=True, index=True, default=new_ticket_key)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    checked_in_by: Mapped[str] = mapped_column(String(254), default="", server_default="")

    # The name folded for search, kept up to date on every flush by `_fold_delegate`.
    search_text: Mapped[str] = mapped_column(String(150), default="", server_default="")

    status: Mapped[DelegateStatus] = mapped_column(
        db_enum(DelegateStatus, "delegate_status"), default=DelegateStatus.PENDING, server_default=DelegateStatus.PENDING.value
    )
    # The delegate's own address and email language, when the contact gives them: the delegate then gets
    # their own ticket and a personal link (services/delegate_mail.py). An empty language means the contact's.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    language: Mapped[str] = mapped_column(String(5), default="", server_default="")
    # The address this delegate's ticket was last emailed to, "" while none is out (or after it was withdrawn).
    ticket_mailed_to: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # The delegate of the same delegation this one substitutes for (now `substituted`): who replaced whom.
    # A plain id, not a foreign key: SQLite can add a column's key only inline, which its reflection then misreads,
    # and delegates are deleted only with their whole delegation, so it never points at a row that is gone.
    replaces_id: Mapped[int | None] = mapped_column(nullable=True)

    registration: Mapped[Registration] = relationship(back_populates="delegates")

    @property
    def shown_status(self) -> DelegateStatus | RegistrationStatus:
        """What to call this delegate's state: their own, unless the whole delegation is waiting, declined or cancelled."""
        whole = self.registration.status
        return whole if self.status.holds_seat and not whole.holds_seats else self.status

    @property
    def may_enter(self) -> bool:
        """Whether this delegate's ticket lets them in: approved, in a delegation that holds its seats."""
        return self.status == DelegateStatus.APPROVED and self.registration.status.holds_seats

    @property
    def email_language(self) -> str:
        """The language of the delegate's own emails and page: theirs, else their contact's."""
        return self.language or self.registration.language


@listens_for(Registration, "before_insert")
@listens_for(Registration, "before_update")
def _fold_registration(_mapper, _connection, registration: Registration) -> None:
    """Refold the search column from the fields it is made of, whichever service changed them."""
    registration.search_text = registration_search_text(registration.full_name, registration.organization, registration.reference)


def registration_search_text(full_name: str | None, organization: str | None, reference: str | None) -> str:
    """`Registration.search_text` for these fields (a service inserting rows without the ORM sets it with this)."""
    return fold_for_search(full_name or "", organization or "", reference or "")


@listens_for(Delegate, "before_insert")
@listens_for(Delegate, "before_update")
def _fold_delegate(_mapper, _connection, delegate: Delegate) -> None:
    delegate.search_text = fold_for_search(delegate.full_name or "")


class RegistrationChange(Model):
    """One step in a registration's history: what happened, from which status to which."""

    __tablename__ = "registration_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(40))  # registered, promoted, edited, cancelled, ...
    # The organizer who acted; None when the registrant or the system did.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(20), nullable=True)

    registration: Mapped[Registration] = relationship(back_populates="changes")

    @property
    def title(self) -> str:
        """What happened, in the reader's language."""
        return str(_CHANGE_TITLES.get(self.action, self.action))

    @property
    def status_title(self) -> str:
        return RegistrationStatus(self.to_status).title if self.to_status else ""


_CHANGE_TITLES = {
    "registered": _l("Registered"),
    "edited": _l("Details changed"),
    "promoted": _l("Promoted from the waiting list"),
    "approved": _l("Approved"),
    "declined": _l("Declined"),
    "cancelled": lazy_pgettext("registration status", "Cancelled"),
    "event_cancelled": _l("Event cancelled"),
    "address_confirmed": _l("Address confirmed"),
    "lapsed": _l("Lapsed: address not confirmed in time"),
    "reapproval": _l("Sent back for approval: people added"),
    "delegates_approved": _l("Delegates approved"),
    "delegates_declined": _l("Delegates declined"),
    "substituted": _l("Delegate replaced"),
    "delegate_corrected": _l("A delegate corrected their details"),
    "erased": _l("Personal data erased"),
}
