"""Attendee lists as CSV and XLSX, one row per attendee, in constant memory.

`attendee_rows` is the one row builder (a delegation gives a row per
delegate), in the alphabetical order of the reader's language, the answers to
the event's questions (`export_questions`: sensitive ones only when chosen)
after the fixed columns; `csv_chunks`
(stable codes, for other programs) and `write_xlsx` (names in the reader's
language, for people) are separate serialisers of those rows, shared by the
back-office views and `flask export`. Rows are read from the database in
batches, so a view must keep the app context alive while it streams them
(`stream_with_context`).

Spreadsheets run cells that look like formulas, and a spreadsheet set to
split on ";" or a tab (French or German Excel, among others) starts a new
cell after each of those inside a value. The CSV quotes every field and puts
"'" before a formula trigger wherever a cell could start: at the start of a
value and after a ",", ";", tab or line break ("Pham;=cmd|..." becomes
"Pham;'=cmd|..."); nothing else changes. A phone number "+84..." is such a
trigger too and reads "'+84..." (see docs/architecture.md); the XLSX writes every
value as a string cell, which no spreadsheet evaluates, and keeps it
unchanged.
"""

from __future__ import annotations

import csv
import heapq
import io
import marshal
import os
import re
import struct
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import xlsxwriter
from babel import Locale
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import ColumnElement, DateTime, Select, String, exists, select, type_coerce

from ..collation import sort_key
from ..extensions import db
from ..models import (
    SEAT_HOLDING_STATUSES,
    SEATED_DELEGATE_STATUSES,
    Answer,
    AskedOf,
    AttendeeCategory,
    Delegate,
    DelegateStatus,
    Event,
    Question,
    Registration,
    RegistrationKind,
    RegistrationStatus,
)
from .answers import display_value, stable_value

EXPORT_COLUMNS: tuple[str, ...] = (
    "reference", "status", "kind", "full_name", "email", "phone", "organization", "country", "category", "position",
    "nationality", "dietary", "interpreter_language", "language", "registered_at", "checked_in_at",
)  # fmt: skip

COLUMN_TITLES: dict[str, LazyString] = {
    "reference": _l("Reference"),
    "status": _l("Status"),
    "kind": _l("Registration type"),
    "full_name": _l("Full name"),
    "email": _l("Email"),
    "phone": _l("Phone"),
    "organization": _l("Organisation"),
    "country": _l("Country"),
    "category": _l("Category"),
    "position": _l("Position"),
    "nationality": _l("Nationality"),
    "dietary": _l("Dietary needs"),
    "interpreter_language": _l("Interpreter language"),
    "language": _l("Language"),
    "registered_at": _l("Registered at"),
    "checked_in_at": _l("Checked in at"),
}

# XLSX column widths in characters, chosen before the first row is written (write-only sheets need them up front).
_COLUMN_WIDTHS = {
    "reference": 14, "status": 12, "kind": 12, "full_name": 30, "email": 32, "phone": 16, "organization": 30,
    "country": 9, "category": 14, "position": 22, "nationality": 11, "dietary": 24, "interpreter_language": 12,
    "language": 10, "registered_at": 26, "checked_in_at": 26,
}  # fmt: skip

_ANSWER_WIDTH = 20  # an answer's column, unless its header is wider
_WIDEST = 60  # a long question's label does not widen its column past this

BATCH_SIZE = 500
# Where a spreadsheet could start a cell that Excel, LibreOffice or Google Sheets read as a
# formula: a trigger at the start of the value (a tab, CR or NUL there as well), or after a
# separator a spreadsheet may split on, spaces allowed before it (some trim them).
_FORMULA_START = re.compile(r"(?:^|(?<=[,;\t\r\n]))( *)(?=[=+\-@])|^(?=[\t\r\0])")

# Moments as the driver gives them, without UTCDateTime's conversion to UTC: `local` below converts
# them once, to the event's zone (PostgreSQL's come with their offset, SQLite's without, in UTC).
_TIME = DateTime(timezone=True)
# What a row needs, as the database holds it: the enums as their stored strings (their values),
# which the row keeps, so no Enum object is made and dropped for each of 100,000 rows.
_REGISTRATION_COLUMNS = (
    Registration.id,
    Registration.reference,
    type_coerce(Registration.status, String),
    type_coerce(Registration.kind, String),
    Registration.full_name,
    Registration.email,
    Registration.phone,
    Registration.organization,
    Registration.country,
    type_coerce(Registration.category, String),
    Registration.language,
    type_coerce(Registration.created_at, _TIME),
    type_coerce(Registration.checked_in_at, _TIME),
)
_DELEGATE_COLUMNS = (
    Delegate.id,
    Delegate.full_name,
    Delegate.position,
    Delegate.nationality,
    Delegate.dietary,
    Delegate.interpreter_language,
    type_coerce(Delegate.checked_in_at, _TIME),
    type_coerce(Delegate.status, String),
    Delegate.email,
    Delegate.language,
)
_SEAT_HOLDING_VALUES = frozenset(status.value for status in SEAT_HOLDING_STATUSES)
_APPROVED_AS = RegistrationStatus.CONFIRMED.value


def _delegates_in(status: RegistrationStatus | None) -> list[ColumnElement[bool]]:
    """The delegates an attendee list for `status` holds: those on their delegation's list, by their own decision.

    Declined and replaced delegates are not attendees. In a delegation holding
    its seats an approved delegate counts as confirmed, a pending one as pending,
    whatever the others' state; otherwise the delegation's status is everyone's.
    """
    seated: list[ColumnElement[bool]] = [Delegate.status.in_(sorted(SEATED_DELEGATE_STATUSES))]
    if status is None:
        return seated
    if status.holds_seats:
        own = DelegateStatus.APPROVED if status == RegistrationStatus.CONFIRMED else DelegateStatus.PENDING
        return [Registration.status.in_(sorted(SEAT_HOLDING_STATUSES)), Delegate.status == own]
    return [*seated, Registration.status == status]


# A record of the sort: (ICU sort key of the name, registration id, delegate id or 0, the finished row).
# The ids break ties between equal names: the order in which they registered.
_Record = tuple[bytes, int, int, list[str]]


def export_questions(event: Event, *, include_sensitive: bool = False) -> list[Question]:
    """The questions whose answers an export adds as columns, in the order asked.

    Retired questions stay while some answer to them is kept (a question is retired, never
    deleted, so that its answers outlive it); sensitive ones only when the organizer chose them.
    """
    answered = exists().where(Answer.question_id == Question.id)
    query = select(Question).where(Question.event_id == event.id, Question.retired_at.is_(None) | answered)
    if not include_sensitive:
        query = query.where(Question.sensitive.is_(False))
    return list(db.session.scalars(query.order_by(Question.position, Question.id)))


def question_columns(questions: Sequence[Question]) -> list[str]:
    """The CSV headers of the answer columns: `q_<key>`."""
    return [f"q_{question.key}" for question in questions]


def attendee_rows(
    event: Event,
    status: RegistrationStatus | None = None,
    lang: str | None = None,
    questions: Sequence[Question] = (),
    *,
    readable: bool = False,
) -> Iterator[list[str]]:
    """Yield one row of strings per attendee of `event` (per delegate for a delegation), in EXPORT_COLUMNS order,
    then one value per question of `questions`.

    Attendees come in the alphabetical order of their names for readers of `lang`
    (the default locale if None), optionally only those with `status`. Each row is
    built once, as the database streams it, and sorted in constant memory by
    `_sorted_records`. Answers are stable values (choice keys) for the CSV, or with
    `readable` the text people read in `lang` (labels) for the XLSX; a delegate's row
    holds the delegate's answers to delegate questions and the delegation's (its
    contact's) to the others.
    """
    lang = lang or current_app.config["BABEL_DEFAULT_LOCALE"]
    answers = _AnswerValues(list(questions), lang, readable) if questions else None
    for record in _sorted_records(_attendee_records(event, status, sort_key(lang), answers)):
        yield record[3]


class _AnswerValues:
    """The answer columns of one streamed batch of rows, read in one query for the batch's registrations."""

    def __init__(self, questions: list[Question], lang: str, readable: bool) -> None:
        self.questions, self.lang, self.readable = questions, lang, readable
        self.by_id = {question.id: question for question in questions}
        self.for_delegates = [AskedOf.DELEGATE.value in question.asked_of for question in questions]
        self.found: dict[tuple[int, int, int], str] = {}

    def load(self, registration_ids: Iterable[int]) -> None:
        """Read the answers of these registrations (their delegates' included), replacing the last batch's."""
        query = select(Answer.registration_id, Answer.delegate_id, Answer.question_id, Answer.value, Answer.file_name).where(
            Answer.registration_id.in_(set(registration_ids)), Answer.question_id.in_(self.by_id)
        )
        with force_locale(self.lang):
            self.found = {
                (registration_id, delegate_id or 0, question_id): self._text(question_id, value, file_name)
                for registration_id, delegate_id, question_id, value, file_name in db.session.execute(query)
            }

    def _text(self, question_id: int, value: str, file_name: str | None) -> str:
        question, answer = self.by_id[question_id], Answer(value=value, file_name=file_name)
        return display_value(question, answer, self.lang) if self.readable else stable_value(question, answer)

    def row(self, registration_id: int, delegate_id: int) -> list[str]:
        found = self.found
        return [
            found.get((registration_id, delegate_id if for_delegate else 0, question.id), "")
            for question, for_delegate in zip(self.questions, self.for_delegates, strict=True)
        ]


def _attendee_records(
    event: Event, status: RegistrationStatus | None, key: Callable[[str], bytes], answers: _AnswerValues | None = None
) -> Iterator[_Record]:
    """The record of every attendee, unsorted: the individuals, then the delegates, each in one streamed query.

    With `answers`, each batch's answers are read in one query as the batch arrives.
    """
    zone = ZoneInfo(event.timezone)

    def local(moment: datetime | None) -> str:
        if moment is None:
            return ""
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone).isoformat(timespec="seconds")

    wanted = [Registration.event_id == event.id]
    if status is not None:
        wanted.append(Registration.status == status)
    individuals = select(*_REGISTRATION_COLUMNS).where(*wanted, Registration.kind == RegistrationKind.INDIVIDUAL)
    for batch in _streamed(individuals):
        if answers:
            answers.load(row[0] for row in batch)
        for (rid, reference, state, kind, name, email, phone, organization, country, category, language, registered,
             checked) in batch:  # fmt: skip
            row = [reference, state, kind, name, email, phone, organization, country, category or "", "", "", "", "",
                   language, local(registered), local(checked)]  # fmt: skip
            if answers:
                row += answers.row(rid, 0)
            yield key(name), rid, 0, row
    delegates = (
        select(*_REGISTRATION_COLUMNS, *_DELEGATE_COLUMNS)
        .join_from(Delegate, Registration)
        .where(Registration.event_id == event.id, *_delegates_in(status))
    )
    for batch in _streamed(delegates):
        if answers:
            answers.load(row[0] for row in batch)
        for (rid, reference, state, kind, _, email, phone, organization, country, _, language, registered, _,
             did, name, position, nationality, dietary, interpreter, checked, own, own_email, own_language) in batch:  # fmt: skip
            if state in _SEAT_HOLDING_VALUES:  # each delegate's own decision: approved ones are confirmed
                state = _APPROVED_AS if own == DelegateStatus.APPROVED.value else RegistrationStatus.PENDING.value
            # The delegate's own email and language where the contact gave them, else the contact's; the phone is the contact's.
            row = [reference, state, kind, name, own_email or email, phone, organization, country, "", position, nationality,
                   dietary, interpreter, own_language or language, local(registered), local(checked)]  # fmt: skip
            if answers:
                row += answers.row(rid, did)
            yield key(name), rid, did, row


def _streamed(query: Select) -> Iterator[Sequence[Sequence[Any]]]:
    # Core rows straight from the connection (the ORM adds nothing to plain columns), in batches of BATCH_SIZE.
    result = db.session.connection().execute(query.execution_options(yield_per=BATCH_SIZE))
    try:
        yield from result.partitions()
    finally:
        result.close()


# A run of records sorted in memory before it goes to a temporary file: about 2 MiB of rows.
RUN_SIZE = 2_000
# Runs merged at once. When one level of the sort holds this many, they are merged into one run of the
# next level, so the open files and the records held while merging stay bounded whatever the list's size.
FAN_IN = 64
_LENGTH = struct.Struct("<I")


def _sorted_records(records: Iterable[_Record]) -> Iterator[_Record]:
    """`records` in order, in the memory of RUN_SIZE records and FAN_IN open files whatever their number.

    No database orders names as ICU does for each language, and a column of sort keys
    would need one per language, so this is an external merge sort of the finished rows:
    each run of RUN_SIZE is sorted by its keys and written to a temporary file, and the
    runs are merged (heapq.merge holds one record of each run at a time). 100,000
    attendees make 50 runs and one merge; a list over FAN_IN runs merges each FAN_IN of
    them into one longer run first.
    """
    with ExitStack() as files:
        levels: list[list[BinaryIO]] = [[]]
        run: list[_Record] = []
        for record in records:
            run.append(record)
            if len(run) == RUN_SIZE:
                run.sort()
                _add_run(levels, run, files)
                run = []
        run.sort()
        spilled = [handle for level in levels for handle in level]
        # The last run stays in memory: it is merged with the files, or is the whole list.
        yield from heapq.merge(*map(_records_of, spilled), run) if spilled else run


def _add_run(levels: list[list[BinaryIO]], run: Iterable[_Record], files: ExitStack) -> None:
    handle = _spill(run, files.enter_context(tempfile.TemporaryFile()))
    for level in levels:
        level.append(handle)
        if len(level) < FAN_IN:
            return
        # A full level becomes one run of the next: its files are read to the end, then closed.
        handle = _spill(heapq.merge(*map(_records_of, level)), files.enter_context(tempfile.TemporaryFile()))
        for merged in level:
            merged.close()
        level.clear()
    levels.append([handle])


def _spill(records: Iterable[_Record], handle: BinaryIO) -> BinaryIO:
    """Write `records` (in order) to the temporary file `handle`, each a length and its marshal bytes; rewind it."""
    write, pack, dumps = handle.write, _LENGTH.pack, marshal.dumps
    for record in records:
        data = dumps(record)
        write(pack(len(data)))
        write(data)
    handle.seek(0)
    return handle


def _records_of(handle: BinaryIO) -> Iterator[_Record]:
    read, unpack, loads, size = handle.read, _LENGTH.unpack, marshal.loads, _LENGTH.size
    while head := read(size):
        yield loads(read(unpack(head)[0]))


# A value that starts with none of these and holds no separator cannot start a formula.
_UNSAFE_FIRST = frozenset(" =+-@\t\r\0")
_TRIGGERS = frozenset("=+-@")
_SEPARATOR = re.compile(r"[,;\t\r\n]")


def _neutralise(value: str) -> str:
    if value[:1] not in _UNSAFE_FIRST and not _SEPARATOR.search(value):
        return value  # most values: a name, an email, a date (the expression below costs a third of an export)
    return _FORMULA_START.sub(lambda match: (match[1] or "") + "'", value)


def _neutralise_start(value: str) -> str:
    """`_neutralise` for a value holding no separator, so that only its start can begin a formula."""
    return "'" + value if value[:1] in _TRIGGERS else _neutralise(value)  # "+84...": most phone numbers


def csv_chunks(rows: Iterable[list[str]], questions: Sequence[Question] = ()) -> Iterator[bytes]:
    """Yield a UTF-8 CSV (BOM, EXPORT_COLUMNS then `q_<key>` of each of `questions` as header, then `rows`)
    in chunks of about 500 rows.

    Every field is quoted and formulas are neutralised (see the module's docstring), answers included.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    buffer.write("\ufeff")
    writer.writerow([*EXPORT_COLUMNS, *question_columns(questions)])
    separator, unsafe = _SEPARATOR.search, _UNSAFE_FIRST
    for count, row in enumerate(rows, 1):
        if separator("".join(row)):
            writer.writerow([_neutralise(value) for value in row])
        else:  # most rows: with no separator in the row, only a value's first character can start a formula
            writer.writerow([_neutralise_start(value) if value[:1] in unsafe else value for value in row])
        if count % BATCH_SIZE == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_xlsx(
    rows: Iterable[list[str]], target: str | os.PathLike[str] | BinaryIO, lang: str, questions: Sequence[Question] = ()
) -> None:
    """Save `rows` to `target` as an XLSX sheet for people to read and print, in `lang`.

    Headers, statuses, kinds, categories, countries and languages are in `lang` (the
    CSV keeps the codes, for programs); each of `questions` adds a column headed by its
    label in `lang` (the rows hold readable answers: `attendee_rows(..., readable=True)`).
    Frozen, filterable header; every cell is text. It prints landscape, fitted to the width of the page, the header on every page.
    XlsxWriter in constant-memory mode writes each row to the sheet as it comes, as
    inline strings; a value starting with "=" stays a string, never a formula.
    """
    workbook = xlsxwriter.Workbook(
        os.fspath(target) if isinstance(target, os.PathLike) else target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    sheet = workbook.add_worksheet()
    with force_locale(lang):
        titles = [str(COLUMN_TITLES[key]) for key in EXPORT_COLUMNS] + [question.label_in(lang) for question in questions]
    readable = _readable_values(lang)
    widths = [_COLUMN_WIDTHS[key] for key in EXPORT_COLUMNS] + [_ANSWER_WIDTH] * len(questions)
    for index, (width, title) in enumerate(zip(widths, titles, strict=True)):
        sheet.set_column(index, index, min(max(width, _display_width(title) + 4), _WIDEST))
    sheet.freeze_panes(1, 0)
    sheet.repeat_rows(0)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # as many pages down as the list needs
    sheet.write_row(0, 0, [_ILLEGAL_XML.sub("", title) for title in titles], workbook.add_format({"bold": True}))
    write_row, illegal = sheet.write_row, _ILLEGAL_XML.search
    last_row = 0
    for last_row, row in enumerate(rows, 1):
        row = list(row)  # the caller's list stays as given
        for index, names in readable:
            row[index] = names.get(row[index], row[index])
        if illegal("".join(row)):  # rare: one search a row, then the cells of that row only
            row = [_ILLEGAL_XML.sub("", value) for value in row]
        write_row(last_row, 0, row)
    sheet.autofilter(0, 0, last_row, len(titles) - 1)
    workbook.close()


# Characters XML 1.0 cannot hold (XlsxWriter would write them as _xHHHH_ escapes): dropped from XLSX cells.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _readable_values(lang: str) -> list[tuple[int, Mapping[str, str]]]:
    """(column index, code → name in `lang`) for the columns that hold codes."""
    with force_locale(lang):
        statuses = {status.value: status.title for status in RegistrationStatus}
        kinds = {kind.value: kind.title for kind in RegistrationKind}
        categories = {category.value: category.title for category in AttendeeCategory}
    locale = Locale.parse(lang)
    # Plain dicts: Babel's own look each name up through its aliases, a cost on every cell.
    countries, languages = dict(locale.territories), dict(locale.languages)
    names: dict[str, Mapping[str, str]] = {
        "status": statuses, "kind": kinds, "category": categories, "country": countries, "nationality": countries,
        "language": languages, "interpreter_language": languages,
    }  # fmt: skip
    return [(EXPORT_COLUMNS.index(column), table) for column, table in names.items()]


def _display_width(text: str) -> int:
    # CJK characters take two columns in a spreadsheet.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def export_filename(event: Event, extension: str) -> str:
    """An ASCII download name such as "attendees-yoga-day-2027.csv", whatever the event's slug holds."""
    ascii_slug = unicodedata.normalize("NFKD", event.slug.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_slug.decode().lower()).strip("-")[:80].strip("-") or f"event-{event.id}"
    extension = re.sub(r"[^a-z0-9]", "", extension.lower()) or "txt"
    return f"attendees-{slug}.{extension}"
