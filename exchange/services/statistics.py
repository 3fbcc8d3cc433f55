"""Registration statistics for the back office: one event's figures, and a dashboard overview.

Everything is counted by the database (GROUP BY and aggregates): a handful of
queries per event page, and a constant number for the dashboard however many
events it lists. Nothing here writes.

Attendees are people: 1 per individual, `seats` (its delegates) per
delegation. "Active" means confirmed, pending or waitlisted. A delegation
that holds its seats counts each delegate by their own status: an approved
delegate is a confirmed attendee even while others of the delegation still
await a decision.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Date, String, case, cast, func, select, type_coerce, union_all
from sqlalchemy.sql.elements import ColumnElement, SQLCoreOperations

from ..extensions import db
from ..models import (
    ACTIVE_STATUSES,
    SEAT_HOLDING_STATUSES,
    SEATED_DELEGATE_STATUSES,
    Answer,
    AttendeeCategory,
    Delegate,
    DelegateStatus,
    Event,
    Question,
    QuestionType,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)
from .answers import choice_keys, countable_questions, option_keys, option_label

# Sorted, so that the SQL text (and SQLAlchemy's statement cache key) is stable.
_ACTIVE = tuple(sorted(ACTIVE_STATUSES))


@dataclass(frozen=True)
class EventStatistics:
    """An event's registrations counted every way the statistics page shows them."""

    by_status: dict[RegistrationStatus, int]
    attendees_by_status: dict[RegistrationStatus, int]
    by_kind: dict[RegistrationKind, int]
    # Active individual registrations; individuals without a category are left out.
    by_category: dict[AttendeeCategory, int]
    # Active attendees per ISO country code (a delegation counts under its own country);
    # registrations without a country are left out. Most attendees first, then by code.
    by_country: list[tuple[str, int]]
    # Registrations created per day in the event's time zone, every day from the first to the last.
    per_day: list[tuple[date, int]]
    confirmed_attendees: int
    checked_in: int

    @property
    def check_in_rate(self) -> float:
        """Checked-in share of the confirmed attendees, from 0.0 to 1.0 (0.0 when nobody is confirmed)."""
        if not self.confirmed_attendees:
            return 0.0
        return self.checked_in / self.confirmed_attendees


@dataclass(frozen=True)
class EventOverview:
    """One dashboard row: an event's attendees by state."""

    event: Event
    confirmed_attendees: int
    pending_attendees: int
    waitlisted_attendees: int
    checked_in: int


def event_statistics(event: Event) -> EventStatistics:
    """Count `event`'s registrations by status, kind, category, country and day, and its check-ins."""
    by_status = dict.fromkeys(RegistrationStatus, 0)
    attendees_by_status = dict.fromkeys(RegistrationStatus, 0)
    by_kind = dict.fromkeys(RegistrationKind, 0)
    first = last = None
    rows = db.session.execute(
        select(
            Registration.status,
            Registration.kind,
            func.count(),
            func.sum(Registration.seats),
            func.min(Registration.created_at),
            func.max(Registration.created_at),
        )
        .where(Registration.event_id == event.id)
        .group_by(Registration.status, Registration.kind)
    )
    for status, kind, count, seats, earliest, latest in rows:
        by_status[status] += count
        if not (kind == RegistrationKind.DELEGATION and status.holds_seats):  # their delegates are counted below
            attendees_by_status[status] += seats
        by_kind[kind] += count
        first = earliest if first is None else min(first, earliest)
        last = latest if last is None else max(last, latest)
    for _event_id, status, people in _seated_delegates([event.id]):
        attendees_by_status[status] += people

    return EventStatistics(
        by_status=by_status,
        attendees_by_status=attendees_by_status,
        by_kind=by_kind,
        by_category=_by_category(event),
        by_country=_by_country(event),
        per_day=[] if first is None or last is None else _per_day(event, first, last),
        confirmed_attendees=attendees_by_status[RegistrationStatus.CONFIRMED],
        checked_in=_checked_in([event.id]).get(event.id, 0),
    )


@dataclass(frozen=True)
class AnswerCounts:
    """Attendees of active registrations per answer to one choice or yes/no question."""

    question: Question
    counts: list[tuple[str, int]]  # (choice key or "yes"/"no", attendees), in the question's order

    def labelled(self, lang: str) -> list[tuple[str, int]]:
        """The counts with each option's label in `lang` (yes/no in the current locale)."""
        return [(option_label(self.question, key, lang), count) for key, count in self.counts]


def answer_statistics(event: Event) -> list[AnswerCounts]:
    """Per choice, multiple-choice and yes/no question still asked (sensitive ones never), attendees per option.

    Counted like the attendee list's rows: an individual's or a delegate's answer is one
    attendee, a delegation contact's answer counts for each of its delegates. A multiple
    choice counts every option ticked. One query for all the questions.
    """
    questions = countable_questions(event)
    if not questions:
        return []
    attendees = func.sum(case((Answer.delegate_id.is_(None), Registration.seats), else_=1))
    rows = db.session.execute(
        select(Answer.question_id, Answer.value, attendees)
        .join(Registration, Answer.registration_id == Registration.id)
        .where(Answer.question_id.in_([question.id for question in questions]), Registration.status.in_(_ACTIVE))
        .group_by(Answer.question_id, Answer.value)
    )
    found: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_id = {question.id: question for question in questions}
    for row in rows:
        question_id, value, count = int(row[0]), str(row[1]), int(row[2] or 0)
        for key in choice_keys(value) if by_id[question_id].type is QuestionType.MULTIPLE_CHOICE else [value]:
            found[question_id][key] += count
    result = []
    for question in questions:
        counts = [(option, found[question.id].get(option, 0)) for option in option_keys(question)]
        result.append(AnswerCounts(question, counts))
    return result


def overview(events: list[Event]) -> list[EventOverview]:
    """Attendees and check-ins of each event, in the order given; two queries whatever the number of events."""
    if not events:
        return []
    ids = [event.id for event in events]
    attendees: dict[int, dict[RegistrationStatus, int]] = defaultdict(lambda: dict.fromkeys(RegistrationStatus, 0))
    rows = db.session.execute(
        select(Registration.event_id, Registration.status, func.sum(Registration.seats))
        .where(Registration.event_id.in_(ids), Registration.status.in_(_ACTIVE), _NOT_SEATED_DELEGATION)
        .group_by(Registration.event_id, Registration.status)
    )
    for event_id, status, seats in rows:
        attendees[event_id][status] += seats
    for event_id, status, people in _seated_delegates(ids):
        attendees[event_id][status] += people
    checked_in = _checked_in(ids)
    return [
        EventOverview(
            event=event,
            confirmed_attendees=attendees[event.id][RegistrationStatus.CONFIRMED],
            pending_attendees=attendees[event.id][RegistrationStatus.PENDING],
            waitlisted_attendees=attendees[event.id][RegistrationStatus.WAITLISTED],
            checked_in=checked_in.get(event.id, 0),
        )
        for event in events
    ]


# Delegations holding seats are counted delegate by delegate (`_seated_delegates`), the rest registration by registration.
_NOT_SEATED_DELEGATION = ~(
    (Registration.kind == RegistrationKind.DELEGATION) & Registration.status.in_(sorted(SEAT_HOLDING_STATUSES))
)


def _seated_delegates(event_ids: list[int]) -> list[tuple[int, RegistrationStatus, int]]:
    """(event id, status, people) for the delegates of delegations holding seats: approved ones as confirmed."""
    rows = db.session.execute(
        select(Registration.event_id, Delegate.status, func.count())
        .select_from(Delegate)
        .join(Registration, Delegate.registration_id == Registration.id)
        .where(
            Registration.event_id.in_(event_ids),
            Registration.status.in_(sorted(SEAT_HOLDING_STATUSES)),
            Delegate.status.in_(sorted(SEATED_DELEGATE_STATUSES)),
        )
        .group_by(Registration.event_id, Delegate.status)
    )
    as_attendee = {DelegateStatus.APPROVED: RegistrationStatus.CONFIRMED, DelegateStatus.PENDING: RegistrationStatus.PENDING}
    return [(event_id, as_attendee[status], people) for event_id, status, people in rows]


def _by_category(event: Event) -> dict[AttendeeCategory, int]:
    counts = dict.fromkeys(AttendeeCategory, 0)
    rows = db.session.execute(
        select(Registration.category, func.count())
        .where(
            Registration.event_id == event.id,
            Registration.kind == RegistrationKind.INDIVIDUAL,
            Registration.status.in_(_ACTIVE),
            Registration.category.is_not(None),
        )
        .group_by(Registration.category)
    )
    for category, count in rows:
        if category is not None:  # excluded by the query; tells the type checker
            counts[category] = count
    return counts


def _by_country(event: Event) -> list[tuple[str, int]]:
    """Active attendees per country: an individual's country, each delegate's nationality (else their delegation's)."""
    active = (Registration.event_id == event.id, Registration.status.in_(_ACTIVE))
    individuals = select(Registration.country.label("country")).where(*active, Registration.kind == RegistrationKind.INDIVIDUAL)
    delegates = (
        select(func.coalesce(func.nullif(Delegate.nationality, ""), Registration.country).label("country"))
        .select_from(Delegate)
        .join(Registration, Delegate.registration_id == Registration.id)
        .where(*active, Delegate.status.in_(sorted(SEATED_DELEGATE_STATUSES)))
    )
    people = union_all(individuals, delegates).subquery()
    country = type_coerce(people.c.country, String)  # a union's columns come out untyped
    attendees = func.count().label("attendees")
    rows = db.session.execute(
        select(country, attendees).where(country != "").group_by(country).order_by(attendees.desc(), country)
    )
    return [(code, count) for code, count in rows]


def _checked_in(event_ids: Iterable[int]) -> dict[int, int]:
    """Checked-in people per event: confirmed individuals, and approved delegates one by one."""
    event_ids = list(event_ids)
    individuals = (
        select(Registration.event_id, func.count().label("people"))
        .where(
            Registration.event_id.in_(event_ids),
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.kind == RegistrationKind.INDIVIDUAL,
            Registration.checked_in_at.is_not(None),
        )
        .group_by(Registration.event_id)
    )
    delegates = (
        select(Registration.event_id, func.count().label("people"))
        .select_from(Delegate)
        .join(Registration, Delegate.registration_id == Registration.id)
        .where(
            Registration.event_id.in_(event_ids),
            Registration.status.in_(sorted(SEAT_HOLDING_STATUSES)),
            Delegate.status == DelegateStatus.APPROVED,
            Delegate.checked_in_at.is_not(None),
        )
        .group_by(Registration.event_id)
    )
    totals: dict[int, int] = defaultdict(int)
    for event_id, people in db.session.execute(union_all(individuals, delegates)):
        totals[event_id] += people
    return dict(totals)


def _per_day(event: Event, first: datetime, last: datetime) -> list[tuple[date, int]]:
    zone = ZoneInfo(event.timezone)
    day = _local_day(Registration.created_at, zone, first, last).label("local_day")
    # Grouped through a subquery: PostgreSQL would not match the time zone parameter of a
    # GROUP BY expression with the same parameter in the SELECT list.
    created = select(day).where(Registration.event_id == event.id).subquery()
    rows = db.session.execute(select(created.c.local_day, func.count().label("registrations")).group_by(created.c.local_day))
    counts: dict[date, int] = {row.local_day: row.registrations for row in rows}
    start, end = first.astimezone(zone).date(), last.astimezone(zone).date()
    days = (start + timedelta(days=n) for n in range((end - start).days + 1))
    return [(each, counts.get(each, 0)) for each in days]


def _local_day(column: SQLCoreOperations[datetime], zone: ZoneInfo, first: datetime, last: datetime) -> ColumnElement[date]:
    """SQL for the calendar day in `zone` of a UTC timestamp column whose values lie from `first` to `last`."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(zone.key, column), Date)
    # SQLite knows no time zones: shift by the zone's UTC offset, which is constant between
    # the offset changes (daylight saving time) that fall within the registrations' span.
    changes = _offset_changes(zone, first, last)

    def shifted(offset: timedelta) -> ColumnElement[date]:
        return func.date(column, f"{int(offset.total_seconds()):+d} seconds", type_=Date)

    if len(changes) == 1:
        return shifted(changes[0][1])
    # Each WHEN covers the span before the next change, with the offset in force until then.
    whens = [(column < at, shifted(offset)) for (at, _), (_, offset) in zip(changes[1:], changes, strict=False)]
    return case(*whens, else_=shifted(changes[-1][1]))


def _offset_changes(zone: ZoneInfo, first: datetime, last: datetime) -> list[tuple[datetime, timedelta]]:
    """`zone`'s UTC offset at `first`, then each (instant, new offset) up to `last`."""

    def offset_at(second: int) -> timedelta:
        offset = datetime.fromtimestamp(second, UTC).astimezone(zone).utcoffset()
        assert offset is not None  # an aware datetime always has one
        return offset

    start, end = int(first.timestamp()), int(last.timestamp()) + 1
    changes = [(datetime.fromtimestamp(start, UTC), offset_at(start))]
    day = 86_400  # no zone changes its offset twice within a day
    for low in range(start, end, day):
        high = min(low + day, end)
        if offset_at(high) == changes[-1][1]:
            continue
        # Offsets change on whole seconds: find the first second with the new one.
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if offset_at(middle) == changes[-1][1] else (low, middle)
        changes.append((datetime.fromtimestamp(high, UTC), offset_at(high)))
    return changes
