"""The registration forms help: the page's country preselected, a searchable country list,
delegates pasted or imported (previewed, never saved before the visitor submits), phones shown as people write them."""

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Registration
from exchange.services.countries import LOCALE_COUNTRIES

PASTED = "\n".join(
    f"Delegate {number}\tOfficer\t{'Korea' if number % 2 else 'Hàn Quốc'}\t{'halal' if number == 1 else ''}\tKorean"
    for number in range(1, 8)
)
CONTACT = {
    "organization": "Consulate General of the Republic of Korea",
    "country": "KR",
    "contact_name": "Kim Min-jun",
    "email": "consulate@example.org",
    "phone": "+82 10 1234 5678",
    "consent": "y",
}


def _registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def _selected_country(page: str) -> str | None:
    select_html = re.search(r'<select[^>]*name="country".*?</select>', page, re.S).group(0)
    chosen = [
        re.search(r'value="([^"]*)"', tag).group(1) for tag in re.findall(r"<option([^>]*)>", select_html) if " selected" in tag
    ]
    return chosen[0] or None if chosen else None


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("form", ["register", "delegation"])
def test_the_country_is_preselected_from_the_page_language(client, make_event, lang, form):
    page = client.get(f"/{lang}/events/{make_event().slug}/{form}").get_data(as_text=True)
    assert _selected_country(page) == LOCALE_COUNTRIES.get(lang)


def test_a_country_the_visitor_chose_is_kept_over_the_page_language(client, make_event):
    event = make_event()
    page = client.post(f"/ko/events/{event.slug}/register", data={"country": "LA", "full_name": ""}).get_data(as_text=True)
    assert _selected_country(page) == "LA"
    page = client.post(f"/ko/events/{event.slug}/register", data={"country": "", "full_name": ""}).get_data(as_text=True)
    assert _selected_country(page) is None  # "Choose…" stays chosen: the form asks again


def test_country_options_carry_their_other_names_for_the_search_script(client, make_event):
    page = client.get(f"/en/events/{make_event().slug}/register").get_data(as_text=True)
    korea = re.search(r'<option[^>]*value="KR"[^>]*>', page).group(0)
    assert "han quoc" in korea and "한국" in korea and "korea" in korea
    assert "data-country-search=" in page and "/js/country-search" in page


def test_a_typed_nationality_is_resolved_by_its_alias(client, make_event):
    event = make_event()
    data = CONTACT | {"delegates-0-full_name": "Lee Seo-yeon", "delegates-0-nationality": "Korea"}
    assert client.post(f"/fr/events/{event.slug}/delegation", data=data).status_code == 303
    assert db.session.scalar(select(Registration)).delegates[0].nationality == "KR"


def test_a_pasted_spreadsheet_fills_in_the_rows_without_saving_then_registers(client, make_event):
    event = make_event(max_delegation_size=10)
    url = f"/en/events/{event.slug}/delegation"
    response = client.post(url, data=CONTACT | {"delegate_list": PASTED, "import_delegates": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _registrations() == 0
    assert "7 delegates were added from the list" in page
    assert 'value="Delegate 7"' in page and 'name="delegates-7-full_name"' not in page
    # Names resolved to the page's names of the country and language; unknown ones would stay as typed.
    assert re.findall(r'nationality"[^>]*value="([^"]*)"', page) == ["South Korea"] * 7 and 'value="Korean"' in page
    rows = {key: value for key, value in re.findall(r'name="(delegates-\d+-[a-z_]+)"[^>]*value="([^"]*)"', page)}
    assert client.post(url, data=CONTACT | rows).status_code == 303
    registration = db.session.scalar(select(Registration))
    assert [delegate.full_name for delegate in registration.delegates] == [f"Delegate {n}" for n in range(1, 8)]
    assert {delegate.nationality for delegate in registration.delegates} == {"KR"}
    assert registration.delegates[0].dietary == "halal" and registration.delegates[0].interpreter_language == "ko"


def test_rows_already_typed_are_kept_and_the_import_adds_after_them(client, make_event):
    event = make_event(max_delegation_size=10)
    data = CONTACT | {
        "delegates-0-full_name": "Typed By Hand",
        "delegate_list": "Pasted One\nPasted Two",
        "import_delegates": "1",
    }
    page = client.post(f"/en/events/{event.slug}/delegation", data=data).get_data(as_text=True)
    names = re.findall(r'name="delegates-\d+-full_name"[^>]*value="([^"]*)"', page)
    assert names == ["Typed By Hand", "Pasted One", "Pasted Two"]


def test_a_list_over_the_maximum_changes_nothing_and_keeps_the_pasted_text(client, make_event):
    event = make_event(max_delegation_size=5)
    data = CONTACT | {"delegates-0-full_name": "Typed By Hand", "delegate_list": PASTED, "import_delegates": "1"}
    response = client.post(f"/ko/events/{event.slug}/delegation", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _registrations() == 0
    assert "명단에 대표단원이 7명 있습니다. 대표단은 최대 5명입니다." in page
    assert re.findall(r'name="delegates-\d+-full_name"[^>]*value="([^"]*)"', page) == ["Typed By Hand"]
    assert "Delegate 7\tOfficer" in page  # the pasted list is still there to shorten


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_uploaded_xlsx_fills_in_the_rows(client, make_event):
    event = make_event()
    content = _xlsx([["Họ và tên", "Chức vụ", "Quốc tịch"], ["Souphanh Vongsa", "Giám đốc", "Lào"], ["Trần Văn Minh", "", "VN"]])
    data = CONTACT | {"import_delegates": "1", "delegate_file": (io.BytesIO(content), "doan.xlsx")}
    page = client.post(f"/vi/events/{event.slug}/delegation", data=data, content_type="multipart/form-data").get_data(
        as_text=True
    )
    assert 'value="Souphanh Vongsa"' in page and 'value="Lào"' in page and 'value="Việt Nam"' in page
    assert _registrations() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Kim\x00Min-jun\n", "contains characters that are not text"),
        (b"=cmd|' /C calc'!A0\n", "spreadsheet formula"),
        ("\n".join("Person" for _ in range(10_000)).encode(), "The list has 10000 delegates"),
        (b"\xc9lodie\n", "not in UTF-8"),
        (b"PK\x03\x04broken", "cannot be read as an Excel workbook"),
        (b"x" * 300_000, "The file is too large"),
    ],
)
def test_hostile_files_get_a_clear_error_and_nothing_changes(client, make_event, content, message):
    event = make_event()
    data = CONTACT | {
        "delegates-0-full_name": "Typed By Hand",
        "import_delegates": "1",
        "delegate_file": (io.BytesIO(content), "x.csv"),
    }
    response = client.post(f"/en/events/{event.slug}/delegation", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and 'value="Typed By Hand"' in page
    assert _registrations() == 0


def test_a_file_over_the_request_limit_is_refused_without_a_server_error(app, client, make_event):
    app.config["ANSWER_UPLOADS_MAX_BYTES"] = 512 * 1024  # the form's allowance for answer files, kept below this body
    from werkzeug.test import EnvironBuilder

    event = make_event()
    data = CONTACT | {"import_delegates": "1", "delegate_file": (io.BytesIO(b"x" * 2_000_000), "huge.csv")}
    builder = EnvironBuilder(path=f"/en/events/{event.slug}/delegation", method="POST", data=data)
    environ = builder.get_environ()
    try:
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()  # the test client spools a body this large to a temporary file
        builder.close()
    assert response.status_code == 413 and _registrations() == 0


def test_importing_with_nothing_pasted_asks_for_a_list(client, make_event):
    page = client.post(f"/th/events/{make_event().slug}/delegation", data=CONTACT | {"import_delegates": "1"}).get_data(
        as_text=True
    )
    assert "โปรดวางรายชื่อผู้แทนหรือเลือกไฟล์ก่อน" in page and _registrations() == 0


def test_phones_are_shown_as_people_write_them_and_stored_in_e164(client, make_event, make_user, login):
    event = make_event()
    data = {"full_name": "Nguyễn Thị Lan", "email": "lan@example.com", "phone": "+84 292 3832 663", "category": "student"}
    manage = client.post(f"/vi/events/{event.slug}/register", data=data | {"country": "VN", "consent": "y"}).headers["Location"]
    registration = db.session.scalar(select(Registration))
    assert registration.phone == "+842923832663"
    assert 'value="0292 3832 663"' in client.get(manage).get_data(as_text=True)
    login(make_user("organizer@example.org", events=[event]))
    detail = client.get(f"/organizer/events/{event.slug}/registrations/{registration.reference}").get_data(as_text=True)
    assert "0292 3832 663" in detail


def test_a_foreign_phone_keeps_its_country_code_in_its_own_grouping(client, make_event):
    event = make_event()
    data = {"full_name": "이서연", "email": "seoyeon@example.kr", "phone": "+82 10 1234 5678", "category": "student"}
    manage = client.post(f"/ko/events/{event.slug}/register", data=data | {"country": "KR", "consent": "y"}).headers["Location"]
    assert 'value="+82 10-1234-5678"' in client.get(manage).get_data(as_text=True)
    # Saving the page unchanged keeps the number.
    assert db.session.scalar(select(Registration.phone)) == "+821012345678"


def test_a_pasted_column_of_own_addresses_gives_each_delegate_their_email(client, make_event):
    event = make_event(max_delegation_size=10)
    url = f"/en/events/{event.slug}/delegation"
    pasted = "Kim Min-jun\tConsul\tKorea\t\tKorean\tminjun@example.kr\nLee Seo-yeon\tAttaché\tKorea\t\t\t\n"
    page = client.post(url, data=CONTACT | {"delegate_list": pasted, "import_delegates": "1"}).get_data(as_text=True)
    assert re.findall(r'name="delegates-\d+-email"[^>]*value="([^"]*)"', page) == ["minjun@example.kr", ""]
    rows = dict(re.findall(r'name="(delegates-\d+-[a-z_]+)"[^>]*value="([^"]*)"', page))
    assert client.post(url, data=CONTACT | rows).status_code == 303
    assert [d.email for d in db.session.scalar(select(Registration)).delegates] == ["minjun@example.kr", ""]
