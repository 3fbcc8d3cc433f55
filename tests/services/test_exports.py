"""Attendee exports: one row per attendee, CSV and XLSX that spreadsheets open safely and intact."""

import codecs
import csv
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook

from exchange.extensions import db
from exchange.models import RegistrationStatus
from exchange.services import exports
from exchange.services.exports import COLUMN_TITLES, EXPORT_COLUMNS, attendee_rows, csv_chunks, export_filename, write_xlsx
from exchange.services.registrations import register

KOREAN, LAO, KHMER, VIETNAMESE = "이서연", "ສົມພອນ", "សុខ សុភា", "Nguyễn Thị Lan Anh"
HO_CHI_MINH = ZoneInfo("Asia/Ho_Chi_Minh")


def _records(rows):
    return [dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows]


def _read_csv(chunks):
    data = b"".join(chunks)
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _read_xlsx(rows, lang="en"):
    buffer = io.BytesIO()
    write_xlsx(rows, buffer, lang)
    buffer.seek(0)
    return load_workbook(buffer).active


def _row(**values):
    return [values.get(key, "") for key in EXPORT_COLUMNS]


def test_an_individual_gives_one_row_and_a_delegation_one_row_per_delegate(make_event, individual, delegation):
    event = make_event()
    person = register(event.id, individual(phone="+84912345678", organization="Đại học Cần Thơ")).registration
    group = register(event.id, delegation(size=3)).registration
    group.delegates[1].position = "Interpreter"
    group.delegates[1].dietary = "Vegetarian"
    db.session.commit()

    records = _records(attendee_rows(event))

    assert len(records) == 4
    assert records[3] == {
        "reference": person.reference,
        "status": "confirmed",
        "kind": "individual",
        "full_name": "Nguyễn Thị Lan",
        "email": "lan@example.com",
        "phone": "+84912345678",
        "organization": "Đại học Cần Thơ",
        "country": "VN",
        "category": "student",
        "position": "",
        "nationality": "",
        "dietary": "",
        "interpreter_language": "",
        "language": "vi",
        "registered_at": person.created_at.astimezone(HO_CHI_MINH).isoformat(timespec="seconds"),
        "checked_in_at": "",
    }
    assert [record["full_name"] for record in records[:3]] == ["Delegate 1", "Delegate 2", "Delegate 3"]
    second = records[1]
    assert second["reference"] == group.reference
    assert (second["status"], second["kind"], second["category"]) == ("pending", "delegation", "")
    assert (second["email"], second["organization"], second["country"]) == (
        "consulate@example.org",
        "Consulate General of Korea",
        "KR",
    )
    assert (second["position"], second["nationality"], second["dietary"], second["interpreter_language"]) == (
        "Interpreter",
        "KR",
        "Vegetarian",
        "ko",
    )
    assert second["language"] == "ko"


def test_times_are_in_the_event_time_zone_to_the_second(make_event, individual, delegation):
    event = make_event(timezone="Asia/Seoul")
    person = register(event.id, individual()).registration
    group = register(event.id, delegation(size=2)).registration
    person.created_at = datetime(2020, 6, 20, 23, 0, 0, 123456, tzinfo=UTC)
    person.checked_in_at = datetime(2020, 6, 21, 0, 30, tzinfo=UTC)
    group.delegates[1].checked_in_at = datetime(2020, 6, 21, 1, 15, 5, tzinfo=UTC)
    db.session.commit()

    records = _records(attendee_rows(event))

    assert records[2]["registered_at"] == "2020-06-21T08:00:00+09:00"
    assert records[2]["checked_in_at"] == "2020-06-21T09:30:00+09:00"
    assert [record["checked_in_at"] for record in records[:2]] == ["", "2020-06-21T10:15:05+09:00"]


def test_rows_follow_the_alphabet_of_the_reader_and_leave_out_other_events(make_event, individual, delegation):
    event, other = make_event(), make_event()
    for number, name in enumerate(("Zhang Wei", "Đỗ Hùng", "Dương Minh", "Élodie Martin", "Ánh Nguyễn", "Ăn Trần", "Bảo")):
        register(event.id, individual(email=f"p{number}@example.com", full_name=name))
    register(other.id, individual(email="other@example.com", full_name="Other event"))
    group = register(event.id, delegation(size=2)).registration
    group.delegates[0].full_name, group.delegates[1].full_name = "Đặng Văn Lâm", "Anh Kim"
    db.session.commit()

    def names(lang):
        return [record["full_name"] for record in _records(attendee_rows(event, lang=lang))]

    # Vietnamese: A Ă Â B C D Đ E Ê …, whoever registered first; delegates among the others.
    assert names("vi") == [
        "Anh Kim", "Ánh Nguyễn", "Ăn Trần", "Bảo", "Dương Minh", "Đặng Văn Lâm", "Đỗ Hùng", "Élodie Martin", "Zhang Wei",
    ]  # fmt: skip
    # French readers see Đ and Ă as D and A with a mark: "Ăn" comes before "Anh", "Đỗ" before "Dương".
    assert names("fr") == [
        "Ăn Trần", "Anh Kim", "Ánh Nguyễn", "Bảo", "Đặng Văn Lâm", "Đỗ Hùng", "Dương Minh", "Élodie Martin", "Zhang Wei",
    ]  # fmt: skip


def test_the_csv_keeps_codes_where_the_xlsx_names_them_in_the_organizers_language(make_event, individual, delegation):
    event = make_event()
    register(event.id, individual(full_name="Élodie Martin", country="FR"))
    register(event.id, delegation(size=1))

    records = _records(_read_csv(csv_chunks(attendee_rows(event, lang="vi")))[1:])
    sheet = _read_xlsx(attendee_rows(event, lang="vi"), "vi")

    assert [(r["status"], r["kind"], r["category"], r["country"], r["nationality"]) for r in records] == [
        ("pending", "delegation", "", "KR", "KR"),
        ("confirmed", "individual", "student", "FR", ""),
    ]
    by_header = [
        dict(zip((cell.value for cell in sheet[1]), (cell.value for cell in row), strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]
    with force_locale("vi"):
        headers = {key: str(COLUMN_TITLES[key]) for key in ("status", "kind", "category", "country", "nationality", "language")}
    assert [
        (row[headers["status"]], row[headers["kind"]], row[headers["country"]], row[headers["nationality"]]) for row in by_header
    ] == [
        ("Chờ phê duyệt", "Đoàn", "Hàn Quốc", "Hàn Quốc"),
        ("Đã xác nhận", "Cá nhân", "Pháp", None),
    ]
    assert by_header[1][headers["category"]] == "Học sinh, sinh viên"
    assert by_header[1][headers["language"]] == "Tiếng Việt"


def test_xlsx_prints_landscape_fitted_to_the_page_width_with_the_header_on_every_page():
    sheet = _read_xlsx([_row(reference="CT-1", full_name="Lan")])

    assert sheet.page_setup.orientation == "landscape"
    # One page wide: Excel (and XlsxWriter) leave fitToWidth out when it is 1, the default of the format.
    assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"


def test_the_status_filter_keeps_only_registrations_with_that_status(make_event, individual, delegation):
    event = make_event(capacity=4)
    register(event.id, individual(email="first@example.com"))
    register(event.id, delegation(size=3))
    register(event.id, individual(email="third@example.com", full_name="Waiting"))

    assert len(list(attendee_rows(event))) == 5
    confirmed = _records(attendee_rows(event, RegistrationStatus.CONFIRMED))
    assert [(record["email"], record["status"]) for record in confirmed] == [("first@example.com", "confirmed")]
    assert [record["full_name"] for record in _records(attendee_rows(event, RegistrationStatus.PENDING))] == [
        "Delegate 1",
        "Delegate 2",
        "Delegate 3",
    ]
    assert [record["full_name"] for record in _records(attendee_rows(event, RegistrationStatus.WAITLISTED))] == ["Waiting"]
    assert list(attendee_rows(event, RegistrationStatus.CANCELLED)) == []


# 701 names in runs of 64: eleven sorted runs merged, as 100,000 would be; in runs of 16 merged 3 at a time,
# 44 runs and three levels of merges, as a list of millions would be (FAN_IN bounds the open files).
@pytest.mark.parametrize(("run_size", "fan_in"), [(64, exports.FAN_IN), (16, 3)])
def test_a_large_list_comes_out_whole_and_in_order_through_the_temporary_runs(
    make_event, individual, delegation, monkeypatch, run_size, fan_in
):
    monkeypatch.setattr(exports, "RUN_SIZE", run_size)
    monkeypatch.setattr(exports, "FAN_IN", fan_in)
    event = make_event(capacity=2000, max_delegation_size=500)
    first = register(event.id, delegation(size=300, email="a@example.org")).registration
    register(event.id, individual(email="b@example.com"))
    second = register(event.id, delegation(size=400, email="c@example.org")).registration

    records = _records(attendee_rows(event, lang="en"))

    # Numbers in names sort by value; equal names in the order their delegations registered.
    expected = [(f"Delegate {n}", ref) for n in range(1, 301) for ref in (first.reference, second.reference)]
    expected += [(f"Delegate {n}", second.reference) for n in range(301, 401)]
    assert [(record["full_name"], record["reference"]) for record in records[:700]] == expected
    assert [record["full_name"] for record in records[700:]] == ["Nguyễn Thị Lan"]


def test_csv_starts_with_a_bom_and_the_stable_header():
    rows = _read_csv(csv_chunks([]))

    assert rows == [list(EXPORT_COLUMNS)]


def test_csv_neutralises_formulas_and_changes_nothing_else():
    dangerous = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1:A2)", "\tcmd", "\rcmd", "=1+1"]
    harmless = ["Kim Min-jun", "a=b", "1+1", "user@example.com", " leading space", 'quote " and, comma', "line\nbreak"]
    rows = [_row(full_name=value) for value in dangerous + harmless]

    names = [row[EXPORT_COLUMNS.index("full_name")] for row in _read_csv(csv_chunks(rows))[1:]]

    assert names == ["'" + value for value in dangerous] + harmless


def test_csv_neutralises_formulas_wherever_a_spreadsheet_could_start_a_cell():
    dangerous = {
        "Pham;=cmd|' /C calc'!A0": "Pham;'=cmd|' /C calc'!A0",
        "Lan,+1": "Lan,'+1",
        "Vegetarian; -2": "Vegetarian; '-2",
        "x\t@SUM(A1:A2)": "x\t'@SUM(A1:A2)",
        'first line\n=HYPERLINK("http://evil.example")': 'first line\n\'=HYPERLINK("http://evil.example")',
    }
    harmless = ["Min-jun; Lan", "5 - 10 people", "a;b,c", "Cần Thơ, Việt Nam", "e=mc2; c=1"]
    rows = [_row(full_name=value, dietary=value) for value in [*dangerous, *harmless]]
    data = b"".join(csv_chunks(rows)).decode("utf-8-sig")

    names = [row[EXPORT_COLUMNS.index("full_name")] for row in list(csv.reader(io.StringIO(data, newline="")))[1:]]
    assert names == [*dangerous.values(), *harmless]
    # A spreadsheet that splits on ";" or a tab, whatever the quotes, never starts a cell with a trigger.
    for separator in (",", ";", "\t"):
        for record in csv.reader(io.StringIO(data, newline=""), delimiter=separator):
            assert not [cell for cell in record for line in cell.splitlines() if line.lstrip(' "')[:1] in ("=", "+", "-", "@")]


def test_csv_quotes_every_field():
    data = b"".join(csv_chunks([_row(reference="CT-2345-6789", full_name="Lan")])).decode("utf-8-sig")
    for line in data.splitlines():
        assert re.fullmatch(r'"[^"]*"(,"[^"]*")*', line), line


def test_csv_of_real_registrations_keeps_every_script_and_neutralises_the_phone(make_event, individual, delegation):
    event = make_event()
    register(event.id, individual(full_name=VIETNAMESE, phone="+84912345678", organization="=cmd|' /C calc'!A0"))
    group = register(event.id, delegation(size=3)).registration
    for delegate, name in zip(group.delegates, (KOREAN, LAO, KHMER), strict=True):
        delegate.full_name = name
    db.session.commit()

    header, *rows = _read_csv(csv_chunks(attendee_rows(event)))

    assert header == list(EXPORT_COLUMNS)
    records = _records(rows)
    assert [record["full_name"] for record in records] == [VIETNAMESE, LAO, KHMER, KOREAN]  # ICU's order of scripts
    assert records[0]["phone"] == "'+84912345678"
    assert records[0]["organization"] == "'=cmd|' /C calc'!A0"


def test_csv_of_many_rows_streams_in_chunks_without_losing_any():
    rows = [_row(reference=f"CT-{n:05d}", full_name=f"{KOREAN} {n}") for n in range(1200)]

    chunks = list(csv_chunks(rows))

    assert len(chunks) == 3  # about 500 rows each: the response streams instead of building one large body
    assert _read_csv(chunks)[1:] == rows


def test_xlsx_headers_are_in_the_organizers_language(make_event):
    sheet_vi = _read_xlsx([], "vi")
    sheet_en = _read_xlsx([], "en")

    headers = {lang: [cell.value for cell in sheet[1]] for lang, sheet in (("vi", sheet_vi), ("en", sheet_en))}
    for lang in ("vi", "en"):
        with force_locale(lang):
            assert headers[lang] == [str(COLUMN_TITLES[key]) for key in EXPORT_COLUMNS]
    assert headers["en"][0] == "Reference"
    assert headers["vi"][0] != headers["en"][0]
    assert sheet_vi["A1"].font.b


def test_xlsx_has_a_frozen_header_and_a_filter_over_every_row():
    rows = [_row(reference=f"CT-{n}", full_name=f"Person {n}") for n in range(7)]

    sheet = _read_xlsx(rows)

    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:P8"
    assert sheet.max_row == 8
    assert sheet.column_dimensions["E"].width >= 30  # email addresses are readable without resizing


def test_xlsx_cells_are_text_never_formulas():
    rows = [_row(reference="CT-1", full_name="=1+1", organization='=HYPERLINK("http://evil.example")', phone="+84912345678")]

    sheet = _read_xlsx(rows)

    formula, link, phone = sheet["D2"], sheet["G2"], sheet["F2"]
    assert (formula.value, formula.data_type) == ("=1+1", "s")
    assert (link.value, link.data_type) == ('=HYPERLINK("http://evil.example")', "s")
    assert (phone.value, phone.data_type) == ("+84912345678", "s")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_drops_characters_xml_cannot_hold_and_keeps_every_script(make_event, individual, delegation):
    event = make_event()
    register(event.id, individual(full_name="Bell\x07Name", organization=VIETNAMESE))
    group = register(event.id, delegation(size=3)).registration
    for delegate, name in zip(group.delegates, (KOREAN, LAO, KHMER), strict=True):
        delegate.full_name = name
    db.session.commit()

    sheet = _read_xlsx(attendee_rows(event), "ko")

    assert [cell.value for cell in sheet["D"][1:]] == ["BellName", LAO, KHMER, KOREAN]
    assert sheet["G2"].value == VIETNAMESE
    assert sheet.auto_filter.ref == "A1:P5"


def test_xlsx_can_be_saved_to_a_path(tmp_path):
    target = tmp_path / "attendees.xlsx"

    write_xlsx([_row(full_name=LAO)], target, "lo")

    assert load_workbook(target).active["D2"].value == LAO


def test_xlsx_can_be_written_to_an_open_file(tmp_path):
    target = tmp_path / "attendees.xlsx"

    with target.open("wb") as handle:  # as `flask export` does
        write_xlsx([_row(full_name=KHMER)], handle, "km")

    assert load_workbook(target).active["D2"].value == KHMER


def test_export_filename_is_ascii_and_safe_whatever_the_slug(make_event):
    assert export_filename(make_event(slug="yoga-day-2027"), "csv") == "attendees-yoga-day-2027.csv"

    hostile = make_event(slug='Lễ hội Đờn ca/../"x";\r\nSet-Cookie: a')
    name = export_filename(hostile, "xlsx")

    assert name.isascii()
    assert re.fullmatch(r"attendees-[a-z0-9]+(-[a-z0-9]+)*\.xlsx", name)
    assert name == "attendees-le-hoi-don-ca-x-set-cookie-a.xlsx"
