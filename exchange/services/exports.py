"""Attendee lists as CSV and XLSX, one row per attendee, in constant memory.

`attendee_rows` is the one row builder (a delegation gives a row per
delegate); `csv_chunks` and `write_xlsx` are separate serialisers of those
rows, shared by the back-office views and `flask export`. Rows are read from
the database in batches, so a view must keep the app context alive while it
streams them (`stream_with_context`).

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
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import BinaryIO
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Row, select

from ..extensions import db
from ..models import Delegate, Event, Registration, RegistrationKind, RegistrationStatus

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
    Delegate.registration_id,
    Delegate.full_name,
    Delegate.position,
    Delegate.nationality,
    Delegate.dietary,
    Delegate.interpreter_language,
    Delegate.checked_in_at,
)


def attendee_rows(event: Event, status: RegistrationStatus | None = None) -> Iterator[list[str]]:
    """Yield one row of strings per attendee of `event` (per delegate for a delegation), in EXPORT_COLUMNS order.

    Registrations come in arrival order, optionally only those with `status`;
    they are read 500 at a time, with one extra query per batch for its delegates.
    """
    zone = ZoneInfo(event.timezone)
    query = select(*_REGISTRATION_COLUMNS).where(Registration.event_id == event.id)
    if status is not None:
        query = query.where(Registration.status == status)
    query = query.order_by(Registration.created_at, Registration.id).execution_options(yield_per=BATCH_SIZE)
    result = db.session.execute(query)
    try:
        for batch in result.partitions():
            delegates = _delegates_of([row.id for row in batch if row.kind == RegistrationKind.DELEGATION])
            for registration in batch:
                if registration.kind == RegistrationKind.DELEGATION:
                    for delegate in delegates.get(registration.id, ()):
                        yield _delegate_row(registration, delegate, zone)
                else:
                    yield _individual_row(registration, zone)
    finally:
        result.close()


def _delegates_of(registration_ids: list[int]) -> dict[int, list[Row]]:
    if not registration_ids:
        return {}
    rows = db.session.execute(
        select(*_DELEGATE_COLUMNS)
        .where(Delegate.registration_id.in_(registration_ids))
        .order_by(Delegate.registration_id, Delegate.sort_order, Delegate.id)
    )
    return {registration_id: list(group) for registration_id, group in groupby(rows, key=itemgetter(0))}


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


def _neutralise(value: str) -> str:
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
    """Save `rows` to `target` as an XLSX sheet with headers in `lang`, frozen and filterable; every cell is text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    with force_locale(lang):
        titles = [str(COLUMN_TITLES[key]) for key in EXPORT_COLUMNS]
    # Widths, panes and print titles go before the rows in the file, so they are set before the first append.
    for index, (key, title) in enumerate(zip(EXPORT_COLUMNS, titles, strict=True), 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(_COLUMN_WIDTHS[key], _display_width(title) + 4)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    bold = Font(bold=True)
    sheet.append([_text_cell(sheet, title, bold) for title in titles])
    last_row = 1
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
        last_row += 1
    # The filter is written after the rows, so its range can cover them all.
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_COLUMNS))}{last_row}"
    workbook.save(target)


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
