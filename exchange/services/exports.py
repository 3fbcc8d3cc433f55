"""Attendee lists as CSV and XLSX, one row per attendee, in constant memory.

`attendee_rows` is the one row builder (a delegation gives a row per
delegate), in the alphabetical order of the reader's language; `csv_chunks`
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
import os
import re
import struct
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from datetime import datetime
from itertools import islice
from typing import BinaryIO
from zoneinfo import ZoneInfo

from babel import Locale
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Row, literal, select

from ..collation import sort_key
from ..extensions import db
from ..models import AttendeeCategory, Delegate, Event, Registration, RegistrationKind, RegistrationStatus

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

BATCH_SIZE = 500
# Where a spreadsheet could start a cell that Excel, LibreOffice or Google Sheets read as a
# formula: a trigger at the start of the value (a tab, CR or NUL there as well), or after a
# separator a spreadsheet may split on, spaces allowed before it (some trim them).
_FORMULA_START = re.compile(r"(?:^|(?<=[,;\t\r\n]))( *)(?=[=+\-@])|^(?=[\t\r\0])")

_REGISTRATION_COLUMNS = (
    Registration.id,
    Registration.kind,
    Registration.reference,
    Registration.status,
    Registration.full_name,
    Registration.email,
    Registration.phone,
    Registration.organization,
    Registration.country,
    Registration.category,
    Registration.language,
    Registration.created_at,
    Registration.checked_in_at,
)
_DELEGATE_COLUMNS = (
    Delegate.id,
    Delegate.registration_id,
    Delegate.full_name,
    Delegate.position,
    Delegate.nationality,
    Delegate.dietary,
    Delegate.interpreter_language,
    Delegate.checked_in_at,
)


def attendee_rows(event: Event, status: RegistrationStatus | None = None, lang: str | None = None) -> Iterator[list[str]]:
    """Yield one row of strings per attendee of `event` (per delegate for a delegation), in EXPORT_COLUMNS order.

    Attendees come in the alphabetical order of their names for readers of `lang`
    (the default locale if None), optionally only those with `status`. The order
    comes from `_attendees_by_name`, in constant memory; the rows are then read 500
    at a time by id, with one query for the batch's registrations and one for its delegates.
    """
    zone = ZoneInfo(event.timezone)
    order = _attendees_by_name(event, status, lang or current_app.config["BABEL_DEFAULT_LOCALE"])
    while batch := list(islice(order, BATCH_SIZE)):
        registrations = {row.id: row for row in _rows_of(_REGISTRATION_COLUMNS, Registration.id, {rid for rid, _ in batch})}
        delegates = {row.id: row for row in _rows_of(_DELEGATE_COLUMNS, Delegate.id, {did for _, did in batch if did})}
        for registration_id, delegate_id in batch:
            registration = registrations.get(registration_id)
            if registration is None:
                continue  # deleted since the names were read
            if not delegate_id:
                yield _individual_row(registration, zone)
            elif delegate_id in delegates:
                yield _delegate_row(registration, delegates[delegate_id], zone)


def _rows_of(columns: tuple, id_column, ids: set[int]) -> list[Row]:
    return list(db.session.execute(select(*columns).where(id_column.in_(ids)))) if ids else []


# A run of names sorted in memory before it goes to a temporary file: well under 1 MiB of sort keys.
RUN_SIZE = 5_000
_RECORD_HEAD = struct.Struct("<qqI")  # registration id, delegate id (0 for an individual), sort key length


def _attendees_by_name(event: Event, status: RegistrationStatus | None, lang: str) -> Iterator[tuple[int, int]]:
    """(registration id, delegate id or 0) of every attendee, in ICU's order of their names for `lang`.

    No database orders names as ICU does for each language, and a column of sort keys
    would need one per language, so this is an external merge sort: the names stream
    from the database, each run of RUN_SIZE is sorted by its ICU sort keys and written
    to a temporary file, and the runs are merged (heapq.merge holds one record of each
    run at a time). Memory stays that of one run whatever the number of attendees; the
    cost is one more read of the names and n·log n comparisons of short byte strings.
    """
    key = sort_key(lang)
    with ExitStack() as files:
        runs: list[Iterator[tuple[bytes, int, int]]] = []
        run: list[tuple[bytes, int, int]] = []
        for registration_id, delegate_id, name in _attendee_names(event, status):
            run.append((key(name), registration_id, delegate_id))
            if len(run) == RUN_SIZE:
                runs.append(_spill(run, files.enter_context(tempfile.TemporaryFile())))
                run = []
        if runs:
            runs.append(_spill(run, files.enter_context(tempfile.TemporaryFile())))
            merged: Iterable[tuple[bytes, int, int]] = heapq.merge(*runs)
        else:
            merged = sorted(run)
        for _key, registration_id, delegate_id in merged:
            yield registration_id, delegate_id


def _attendee_names(event: Event, status: RegistrationStatus | None) -> Iterator[tuple[int, int, str]]:
    """(registration id, delegate id or 0, name) of every attendee: the individuals, then the delegates."""
    wanted = [Registration.event_id == event.id]
    if status is not None:
        wanted.append(Registration.status == status)
    individuals = select(Registration.id, literal(0), Registration.full_name).where(
        *wanted, Registration.kind == RegistrationKind.INDIVIDUAL
    )
    delegates = select(Delegate.registration_id, Delegate.id, Delegate.full_name).join(Registration).where(*wanted)
    for query in (individuals, delegates):
        result = db.session.execute(query.execution_options(yield_per=BATCH_SIZE))
        try:
            for row in result:
                yield row[0], row[1], row[2]
        finally:
            result.close()


def _spill(run: list[tuple[bytes, int, int]], handle) -> Iterator[tuple[bytes, int, int]]:
    """Write `run`, sorted, to the temporary file `handle`; return a reader of its records in that order."""
    run.sort()
    for key, registration_id, delegate_id in run:
        handle.write(_RECORD_HEAD.pack(registration_id, delegate_id, len(key)))
        handle.write(key)
    handle.seek(0)
    return _records_of(handle)


def _records_of(handle) -> Iterator[tuple[bytes, int, int]]:
    while head := handle.read(_RECORD_HEAD.size):
        registration_id, delegate_id, length = _RECORD_HEAD.unpack(head)
        yield handle.read(length), registration_id, delegate_id


def _individual_row(registration: Row, zone: ZoneInfo) -> list[str]:
    return [
        registration.reference,
        registration.status.value,
        registration.kind.value,
        registration.full_name,
        registration.email,
        registration.phone,
        registration.organization,
        registration.country,
        registration.category.value if registration.category is not None else "",
        "",
        "",
        "",
        "",
        registration.language,
        _local_time(registration.created_at, zone),
        _local_time(registration.checked_in_at, zone),
    ]


def _delegate_row(registration: Row, delegate: Row, zone: ZoneInfo) -> list[str]:
    # Email and phone are the contact person's: delegates have none of their own.
    return [
        registration.reference,
        registration.status.value,
        registration.kind.value,
        delegate.full_name,
        registration.email,
        registration.phone,
        registration.organization,
        registration.country,
        "",
        delegate.position,
        delegate.nationality,
        delegate.dietary,
        delegate.interpreter_language,
        registration.language,
        _local_time(registration.created_at, zone),
        _local_time(delegate.checked_in_at, zone),
    ]


def _local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds") if moment is not None else ""


# A value that starts with none of these and holds no separator cannot start a formula.
_UNSAFE_FIRST = frozenset(" =+-@\t\r\0")
_SEPARATOR = re.compile(r"[,;\t\r\n]")


def _neutralise(value: str) -> str:
    if value[:1] not in _UNSAFE_FIRST and not _SEPARATOR.search(value):
        return value  # most values: a name, an email, a date (the expression below costs a third of an export)
    return _FORMULA_START.sub(lambda match: (match[1] or "") + "'", value)


def csv_chunks(rows: Iterable[list[str]]) -> Iterator[bytes]:
    """Yield a UTF-8 CSV (BOM, EXPORT_COLUMNS header, then `rows`) in chunks of about 500 rows.

    Every field is quoted and formulas are neutralised (see the module's docstring).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    buffer.write("\ufeff")
    writer.writerow(EXPORT_COLUMNS)
    for count, row in enumerate(rows, 1):
        writer.writerow([_neutralise(value) for value in row])
        if count % BATCH_SIZE == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_xlsx(rows: Iterable[list[str]], target: str | os.PathLike[str] | BinaryIO, lang: str) -> None:
    """Save `rows` to `target` as an XLSX sheet for people to read and print, in `lang`.

    Headers, statuses, kinds, categories, countries and languages are in `lang` (the
    CSV keeps the codes, for programs). Frozen, filterable header; every cell is text.
    It prints landscape, fitted to the width of the page, the header on every page.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    with force_locale(lang):
        titles = [str(COLUMN_TITLES[key]) for key in EXPORT_COLUMNS]
    readable = _readable_values(lang)
    # Widths, panes and print titles go before the rows in the file, so they are set before the first append.
    for index, (key, title) in enumerate(zip(EXPORT_COLUMNS, titles, strict=True), 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(_COLUMN_WIDTHS[key], _display_width(title) + 4)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the list needs
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, title, bold) for title in titles])
    last_row = 1
    for row in rows:
        row = list(row)  # the caller's list stays as given
        for index, names in readable:
            row[index] = names.get(row[index], row[index])
        sheet.append([_xlsx_value(sheet, value) for value in row])
        last_row += 1
    # The filter is written after the rows, so its range can cover them all.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_COLUMNS))}{last_row}"
    workbook.save(target)


def _readable_values(lang: str) -> list[tuple[int, Mapping[str, str]]]:
    """(column index, code → name in `lang`) for the columns that hold codes."""
    with force_locale(lang):
        statuses = {status.value: status.title for status in RegistrationStatus}
        kinds = {kind.value: kind.title for kind in RegistrationKind}
        categories = {category.value: category.title for category in AttendeeCategory}
    locale = Locale.parse(lang)
    countries, languages = locale.territories, locale.languages
    names: dict[str, Mapping[str, str]] = {
        "status": statuses, "kind": kinds, "category": categories, "country": countries, "nationality": countries,
        "language": languages, "interpreter_language": languages,
    }  # fmt: skip
    return [(EXPORT_COLUMNS.index(column), table) for column, table in names.items()]


def _xlsx_value(sheet, value: str) -> str | Cell | None:
    if not value:
        return None
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    # openpyxl turns a string starting with "=" into a formula; anything else it keeps as a string.
    return _text_cell(sheet, value) if value.startswith("=") else value


def _text_cell(sheet, value: str, font: Font | None = None) -> Cell:  # WriteOnlyCell is a function making a Cell
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _display_width(text: str) -> int:
    # CJK characters take two columns in a spreadsheet.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def export_filename(event: Event, extension: str) -> str:
    """An ASCII download name such as "attendees-yoga-day-2027.csv", whatever the event's slug holds."""
    ascii_slug = unicodedata.normalize("NFKD", event.slug.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_slug.decode().lower()).strip("-")[:80].strip("-") or f"event-{event.id}"
    extension = re.sub(r"[^a-z0-9]", "", extension.lower()) or "txt"
    return f"attendees-{slug}.{extension}"
