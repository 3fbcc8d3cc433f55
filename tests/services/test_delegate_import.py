"""Reading delegates pasted from a spreadsheet or uploaded as CSV or XLSX; hostile input is refused with a reason."""

import io

import pytest
from openpyxl import Workbook

from exchange.services.delegate_import import (
    MAX_FILE_BYTES,
    DelegateListRefused,
    DelegateListRow,
    parse_delegate_text,
    read_delegate_file,
)

SPREADSHEET = (
    "Full name\tPosition\tNationality\tDietary needs\tInterpreter language\r\n"
    "Kim Min-jun\tConsul\tKorea\thalal\tKorean\r\n"
    "Nguyễn Thị Lan\tInterpreter\tViệt Nam\t-\t\r\n"
)


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_tab_separated_rows_copied_from_a_spreadsheet_become_delegates_without_the_header():
    assert parse_delegate_text(SPREADSHEET, 10) == [
        DelegateListRow("Kim Min-jun", "Consul", "Korea", "halal", "Korean"),
        DelegateListRow("Nguyễn Thị Lan", "Interpreter", "Việt Nam", "", ""),
    ]


@pytest.mark.parametrize("header", ["Họ và tên", "이름", "氏名", "ຊື່", "ឈ្មោះ", "ชื่อ", "Nom complet", "NAME"])
def test_a_header_row_in_any_language_is_skipped(header):
    assert [row.full_name for row in parse_delegate_text(f"{header}\nSouphanh\n", 10)] == ["Souphanh"]


def test_one_name_per_line_with_blank_lines_and_extra_spaces():
    rows = parse_delegate_text("  Kim   Min-jun \n\n이서연\n", 10)
    assert [row.full_name for row in rows] == ["Kim Min-jun", "이서연"] and rows[1].position == ""


def test_more_rows_than_the_maximum_are_refused_with_the_counts():
    with pytest.raises(DelegateListRefused, match="The list has 11 delegates; a delegation has at most 10"):
        parse_delegate_text("\n".join(f"Person {n}" for n in range(11)), 10)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Kim\x00Min-jun", "Line 1 contains characters that are not text"),
        ("Kim\n=cmd|' /C calc'!A0\tConsul", "Line 2 holds a spreadsheet formula"),
        ("@SUM(A1)", "spreadsheet formula"),
        ("\tConsul\tKorea", "Line 1 has no name in the first column"),
        ("x" * 201, "longer than 200 characters"),
        ("\n \n\t\n", "No delegates were found"),
        ("\n".join("Person" for _ in range(10_000)), "The list is too long"),
    ],
)
def test_hostile_or_empty_pastes_are_refused_with_a_reason(text, message):
    with pytest.raises(DelegateListRefused, match=message):
        parse_delegate_text(text, 30)


def test_a_ten_thousand_line_list_below_the_size_limit_is_refused_by_its_count():
    with pytest.raises(DelegateListRefused, match="The list has 10000 delegates"):
        parse_delegate_text("\n".join("A" for _ in range(10_000)), 30)


@pytest.mark.parametrize(
    "content",
    [
        "Name,Position\nKim Min-jun,Consul\nLê Văn Hùng,Officer\n".encode("utf-8-sig"),  # Excel's "CSV UTF-8" has a BOM
        "Name;Position\nKim Min-jun;Consul\nLê Văn Hùng;Officer\n".encode(),  # the semicolons of a French Excel
        "Name\tPosition\nKim Min-jun\tConsul\nLê Văn Hùng\tOfficer\n".encode("utf-16"),  # Excel's "Unicode text"
    ],
)
def test_csv_files_in_the_encodings_and_separators_spreadsheets_save(content):
    rows = read_delegate_file("delegates.csv", content, 10)
    assert [(row.full_name, row.position) for row in rows] == [("Kim Min-jun", "Consul"), ("Lê Văn Hùng", "Officer")]


def test_an_xlsx_file_is_read_from_its_first_sheet():
    content = _xlsx([["Full name", "Position", "Nationality"], ["Souphanh Vongsa", "Director", "Laos"], [None, None, None]])
    assert read_delegate_file("list.xlsx", content, 10) == [DelegateListRow("Souphanh Vongsa", "Director", "Laos")]


def test_an_xlsx_formula_is_refused_not_evaluated():
    with pytest.raises(DelegateListRefused, match="spreadsheet formula"):
        read_delegate_file("list.xlsx", _xlsx([["Kim"], ['=HYPERLINK("http://evil")']]), 10)


def test_an_xlsx_longer_than_the_maximum_is_refused_without_reading_it_all():
    with pytest.raises(DelegateListRefused, match="The file has more than 5 delegates; a delegation has at most 5"):
        read_delegate_file("list.xlsx", _xlsx([[f"Person {n}"] for n in range(5000)]), 5)
    # A header and exactly the maximum, then empty formatted rows: accepted.
    rows = [["Name"], *([f"Person {n}"] for n in range(5)), *([None] for _ in range(50))]
    assert len(read_delegate_file("list.xlsx", _xlsx(rows), 5)) == 5


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("list.csv", b"", "The file is empty"),
        ("list.csv", b"x" * (MAX_FILE_BYTES + 1), "The file is too large"),
        ("list.csv", "Élodie Lefèvre,Consule\n".encode("cp1252"), "not in UTF-8"),  # a French Excel's ANSI CSV
        ("list.xlsx", b"PK\x03\x04 not really a zip", "cannot be read as an Excel workbook"),
        ("list.xlsx", b"just text", "cannot be read as an Excel workbook"),
        ("list.csv", b"Kim\x00Min\n", "not text"),
    ],
)
def test_broken_or_hostile_files_are_refused_with_a_reason(filename, content, message):
    with pytest.raises(DelegateListRefused, match=message):
        read_delegate_file(filename, content, 10)
