"""A consulate pastes its delegation from a spreadsheet, and anyone finds a country by typing its name."""

import pytest
from axe_check import blocking_violations
from screens import save_screenshot, submit, type_into
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Registration

pytestmark = pytest.mark.browser
OVERFLOW = "return document.documentElement.scrollWidth - window.innerWidth"

# What a spreadsheet puts on the clipboard: a header, then tab-separated columns, CRLF line ends.
HEADER = "Họ và tên\tChức vụ\tQuốc tịch\tYêu cầu ăn uống\tNgôn ngữ phiên dịch"
DELEGATES = [
    (f"Kim Delegate {number:02d}", "Officer" if number > 1 else "Consul General", "Korea" if number % 3 else "Hàn Quốc",
     "halal" if number in (4, 9) else "", "Korean" if number % 2 else "")
    for number in range(1, 26)
]  # fmt: skip
CLIPBOARD = "\r\n".join([HEADER, *("\t".join(row) for row in DELEGATES)]) + "\r\n"


def _paste(driver, name: str, text: str) -> None:
    """Paste `text` into a field as the clipboard would (typing a tab would move the focus instead)."""
    driver.execute_script(
        """const field = document.getElementsByName(arguments[0])[0];
        const data = new DataTransfer(); data.setData("text/plain", arguments[1]);
        field.focus();
        if (field.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}))) {
          field.setRangeText(arguments[1], field.selectionStart, field.selectionEnd, "end");
          field.dispatchEvent(new Event("input", {bubbles: true}));
        }""",
        name,
        text,
    )


def test_a_consulate_pastes_25_delegates_from_a_spreadsheet_and_registers_them(live_server, phone, make_event):
    event = make_event(titles={"en": "Korea Day", "vi": "Ngày Hàn Quốc"}, capacity=60, max_delegation_size=30)
    phone.get(f"{live_server}/vi/events/{event.slug}/delegation")
    assert Select(phone.find_element(By.NAME, "country")).first_selected_option.get_attribute("value") == "VN"
    type_into(phone, "organization", "Tổng Lãnh sự quán Hàn Quốc tại TP. Hồ Chí Minh")
    phone.find_element(By.ID, "country-search").send_keys("Hàn")
    assert Select(phone.find_element(By.NAME, "country")).first_selected_option.get_attribute("value") == "KR"
    type_into(phone, "contact_name", "Kim Min-jun")
    type_into(phone, "email", "consulate-25@example.org")
    type_into(phone, "phone", "+82 2 1234 5678")
    phone.find_element(By.CSS_SELECTOR, ".delegate-import summary").click()
    _paste(phone, "delegate_list", CLIPBOARD)
    submit(phone, 'button[name="import_delegates"]')

    # The preview: 25 rows filled in, nothing registered yet.
    rows = phone.find_elements(By.CSS_SELECTOR, "[data-delegate-row]")
    assert len(rows) == 25
    assert phone.find_element(By.NAME, "delegates-24-full_name").get_attribute("value") == "Kim Delegate 25"
    assert phone.find_element(By.NAME, "delegates-2-nationality").get_attribute("value") == "Hàn Quốc"
    assert "Đã thêm 25 đại biểu" in phone.find_element(By.CSS_SELECTOR, '[role="status"]').text
    assert phone.execute_script(OVERFLOW) <= 0
    assert blocking_violations(phone) == []
    db.session.rollback()
    assert db.session.scalar(select(Registration)) is None
    save_screenshot(phone, "delegation-pasted-25-vi-390")

    phone.find_element(By.NAME, "consent").click()
    submit(phone, "form.form .form__actions button")
    assert phone.find_elements(By.CSS_SELECTOR, '[data-registration-status="pending"]')
    db.session.rollback()
    registration = db.session.scalar(select(Registration))
    assert registration.seats == 25 and registration.country == "KR"
    assert [delegate.full_name for delegate in registration.delegates] == [row[0] for row in DELEGATES]
    assert {delegate.nationality for delegate in registration.delegates} == {"KR"}
    assert [delegate.dietary for delegate in registration.delegates if delegate.dietary] == ["halal", "halal"]
    assert registration.delegates[0].interpreter_language == "ko" and registration.delegates[1].interpreter_language == ""


KOREA = {"vi": "Hàn Quốc", "en": "Korea", "ko": "한국", "ja": "韓国", "lo": "ເກົາຫຼີ", "km": "កូរ៉េ", "th": "เกาหลี", "fr": "Corée"}


@pytest.mark.parametrize("lang", LOCALES)
def test_typing_korea_selects_south_korea_in_every_language(live_server, desktop, make_event, lang):
    event = make_event(titles={lang: "Korea Day"})
    desktop.get(f"{live_server}/{lang}/events/{event.slug}/register")
    country = Select(desktop.find_element(By.NAME, "country"))
    search = desktop.find_element(By.ID, "country-search")
    for typed in (KOREA[lang], "Korea"):
        search.clear()
        search.send_keys(typed)
        assert country.first_selected_option.get_attribute("value") == "KR", typed
        assert [option.get_attribute("value") for option in country.options[:2]] == ["", "KR"], typed
    # In English, South Korea then North Korea lead the list; Kazakhstan is nowhere near.
    assert [option.get_attribute("value") for option in country.options[1:3]] == ["KR", "KP"]
