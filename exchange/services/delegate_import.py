"""Reading a list of delegates pasted from a spreadsheet or uploaded as a CSV or XLSX file.

Nothing here saves anything: the rows fill the delegation form, which the
visitor checks and submits as if typed. Columns, in order: full name,
position, nationality, dietary needs, interpreter language, the delegate's
own email; a header row naming the first column is skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..errors import ExchangeError
from ..text import fold_for_search

MAX_FILE_BYTES = 256 * 1024
MAX_TEXT_CHARS = 64 * 1024
COLUMNS = ("full_name", "position", "nationality", "dietary", "interpreter_language", "email")
CELL_LIMIT = 200

# What people write at the top of the name column, folded, in our eight languages.
_NAME_HEADERS = {
    fold_for_search(name)
    for name in (
        "name", "full name", "names", "delegate", "họ tên", "họ và tên", "tên", "이름", "성명", "氏名", "名前",
        "ຊື່", "ຊື່ ແລະ ນາມສະກຸນ", "ឈ្មោះ", "ឈ្មោះពេញ", "ชื่อ", "ชื่อ-นามสกุล", "ชื่อ นามสกุล", "nom", "nom complet",
        "nom et prénom", "prénom et nom",
    )
}  # fmt: skip
_FORMULA_STARTS = ("=", "+", "@", "-")


class DelegateListRefused(ExchangeError):
    """A pasted list or file that cannot become delegate rows; nothing in the form changes."""


@dataclass(frozen=True)
class DelegateListRow:
    full_name: str
    position: str = ""
    nationality: str = ""
    dietary: str = ""
    interpreter_language: str = ""
    email: str = ""

    def as_form_data(self) -> dict[str, str]:
        return {column: getattr(self, column) for column in COLUMNS}


def parse_delegate_text(text: str, max_delegates: int) -> list[DelegateListRow]:
    """The delegates of a pasted list: one per line, columns separated by tabs (a spreadsheet's copy)."""
    if len(text) > MAX_TEXT_CHARS:
        raise DelegateListRefused(_l("The list is too long. Paste at most %(size)s delegates.", size=max_delegates))
    dialect = "excel-tab" if "\t" in text else None
    lines = text.splitlines()
    if dialect is None:
        return _delegate_rows([[line] for line in lines], max_delegates)
    return _delegate_rows(_csv_rows(lines, dialect), max_delegates)


def read_delegate_file(filename: str, content: bytes, max_delegates: int) -> list[DelegateListRow]:
    """The delegates of an uploaded CSV (UTF-8 or UTF-16, comma, semicolon or tab) or XLSX file."""
    if len(content) > MAX_FILE_BYTES:
        raise DelegateListRefused(
            _l("The file is too large; a list of delegates fits in %(size)s KB.", size=MAX_FILE_BYTES // 1024)
        )
    if not content:
        raise DelegateListRefused(_l("The file is empty."))
    if content.startswith(b"PK") or filename.lower().endswith(".xlsx"):
        return _delegate_rows(_xlsx_rows(content, max_delegates), max_delegates, read_all=False)
    text = _decode(content)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _delegate_rows(_csv_rows(io.StringIO(text), dialect), max_delegates)


def _csv_rows(lines, dialect) -> list[list[str]]:
    try:
        return list(csv.reader(lines, dialect))
    except csv.Error:
        raise DelegateListRefused(
            _l("This list cannot be read: check that it is a CSV file or columns copied from a spreadsheet.")
        ) from None


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        raise DelegateListRefused(
            _l("The file is not in UTF-8. Save it from your spreadsheet as “CSV UTF-8” or as an Excel workbook.")
        ) from None


def _xlsx_rows(content: bytes, max_delegates: int) -> list[list[str]]:
    """The first sheet's first rows: a header and `max_delegates` + 1, enough to tell that the list is too long."""
    from openpyxl import load_workbook  # only the import needs it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # not a zip, not a workbook, or a damaged one: openpyxl and zipfile raise many kinds
        raise DelegateListRefused(_l("This file cannot be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(max_row=max_delegates + 2, max_col=len(COLUMNS), values_only=True):
            rows.append(["" if value is None else str(value) for value in values])
    except Exception:
        raise DelegateListRefused(_l("This file cannot be read as an Excel workbook (.xlsx).")) from None
    finally:
        workbook.close()
    return rows


def _cell(value: str) -> str:
    """A cell's text with its spaces tidied; a lone dash (a spreadsheet's "none") is empty."""
    value = " ".join(value.split())
    return "" if value in {"-", "–", "—"} else value


def _delegate_rows(rows: list[list[str]], max_delegates: int, read_all: bool = True) -> list[DelegateListRow]:
    """Delegates from a table's rows; `read_all` False when only the first rows were read (the count is then a minimum)."""
    cleaned = [[_cell(cell) for cell in row[: len(COLUMNS)]] for row in rows]
    if cleaned and cleaned[0] and fold_for_search(cleaned[0][0]) in _NAME_HEADERS:
        cleaned = cleaned[1:]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        raise DelegateListRefused(_l("No delegates were found: put one person per line, the full name first."))
    if len(cleaned) > max_delegates and not read_all:
        raise DelegateListRefused(
            _l(
                "The file has more than %(size)s delegates; a delegation has at most %(size)s. Nothing was changed.",
                size=max_delegates,
            )
        )
    if len(cleaned) > max_delegates:
        raise DelegateListRefused(
            _l(
                "The list has %(count)s delegates; a delegation has at most %(size)s. Nothing was changed.",
                count=len(cleaned),
                size=max_delegates,
            )  # fmt: skip
        )
    delegates = []
    for number, row in enumerate(cleaned, start=1):
        for cell in row:
            if any(ord(char) < 32 or 0x7F <= ord(char) < 0xA0 for char in cell):
                raise DelegateListRefused(_l("Line %(number)s contains characters that are not text.", number=number))
            if cell.startswith(_FORMULA_STARTS):
                raise DelegateListRefused(
                    _l(
                        "Line %(number)s holds a spreadsheet formula (%(cell)s); type the value instead.",
                        number=number,
                        cell=cell[:40],
                    )
                )
            if len(cell) > CELL_LIMIT:
                raise DelegateListRefused(
                    _l("Line %(number)s has a value longer than %(size)s characters.", number=number, size=CELL_LIMIT)
                )
        if not row[0]:
            raise DelegateListRefused(_l("Line %(number)s has no name in the first column.", number=number))
        delegates.append(DelegateListRow(*row, *[""] * (len(COLUMNS) - len(row))))
    return delegates
