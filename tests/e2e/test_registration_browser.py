"""Registering, editing and cancelling in a real browser, as a student and as a consulate."""

import re

import pytest
from screens import submit, type_into
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Registration

pytestmark = pytest.mark.browser

OVERFLOW = "return document.documentElement.scrollWidth - window.innerWidth"
NAMES = {
    "vi": "Trần Thị Mai",
    "en": "Emily Carter",
    "ko": "이서연",
    "ja": "佐藤 美咲",
    "lo": "ນາງ ສຸດາວັນ",
    "km": "ស្រី ពៅ",
    "th": "สุดารัตน์ ศรีสุข",
    "fr": "Élodie Lefèvre",
}


def _wait_for_status(driver, status: str):
    element = WebDriverWait(driver, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, f'[data-registration-status="{status}"]'))
    )
    return element


@pytest.mark.parametrize("lang", LOCALES)
def test_a_student_registers_edits_and_cancels(live_server, phone, make_event, lang):
    event = make_event(titles={code: f"Event {code}" for code in LOCALES}, capacity=30)
    phone.get(f"{live_server}/{lang}/events/{event.slug}/")
    phone.find_element(By.CSS_SELECTOR, f'a[href="/{lang}/events/{event.slug}/register"]').click()
    assert phone.execute_script(OVERFLOW) <= 0
    type_into(phone, "full_name", NAMES[lang])
    type_into(phone, "email", f"student-{lang}@example.com")
    type_into(phone, "phone", "0912345678")
    Select(phone.find_element(By.NAME, "category")).select_by_value("student")
    Select(phone.find_element(By.NAME, "country")).select_by_value("LA" if lang == "lo" else "VN")
    phone.find_element(By.NAME, "consent").click()
    submit(phone, ".form__actions button")

    status = _wait_for_status(phone, "confirmed")
    assert re.fullmatch(r"CT-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", status.get_attribute("data-reference"))
    assert re.search(rf"/{lang}/r/[A-Za-z0-9_-]{{43}}$", phone.current_url)
    assert phone.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    assert NAMES[lang] in phone.page_source
    assert phone.execute_script(OVERFLOW) <= 0

    phone.find_element(By.CSS_SELECTOR, "details.panel:not(.panel--danger) summary").click()
    type_into(phone, "organization", "Đại học Cần Thơ")
    submit(phone, "details.panel:not(.panel--danger) button[type=submit]")
    _wait_for_status(phone, "confirmed")
    assert phone.find_elements(By.CSS_SELECTOR, ".notice--success")

    phone.find_element(By.CSS_SELECTOR, "details.panel--danger summary").click()
    phone.find_element(By.NAME, "confirm").click()
    submit(phone, "details.panel--danger button[type=submit]")
    _wait_for_status(phone, "cancelled")
    db.session.rollback()
    registration = db.session.scalar(select(Registration))
    assert (registration.organization, registration.status.value, registration.language) == ("Đại học Cần Thơ", "cancelled", lang)


def test_a_consulate_registers_a_delegation_of_ten(live_server, desktop, make_event):
    event = make_event(titles={"en": "Korea Day", "ko": "한국의 날"}, capacity=50, max_delegation_size=12)
    desktop.get(f"{live_server}/ko/events/{event.slug}/delegation")
    type_into(desktop, "organization", "주호찌민 대한민국 총영사관")
    Select(desktop.find_element(By.NAME, "country")).select_by_value("KR")
    type_into(desktop, "contact_name", "김민준")
    type_into(desktop, "contact_position", "영사")
    type_into(desktop, "email", "consulate@example.org")
    type_into(desktop, "phone", "+82 2 1234 5678")
    add = desktop.find_element(By.CSS_SELECTOR, "[data-add-delegate]")
    for _ in range(9):
        add.click()  # handled by the page's own script: no round trip
    rows = desktop.find_elements(By.CSS_SELECTOR, "[data-delegate-row]")
    assert len(rows) == 10
    for index in range(10):
        type_into(desktop, f"delegates-{index}-full_name", f"대표단원 {index + 1}")
        type_into(desktop, f"delegates-{index}-nationality", "대한민국")  # picked from the one shared list, by name
        type_into(desktop, f"delegates-{index}-interpreter_language", "한국어")
    # Remove the third row and add it again: the numbering stays continuous.
    rows[2].find_element(By.CSS_SELECTOR, "[data-remove-delegate]").click()
    add.click()
    type_into(desktop, "delegates-9-full_name", "대표단원 10")
    desktop.find_element(By.NAME, "consent").click()
    # Enter in a delegate's field registers the delegation; it never presses that row's "Remove".
    desktop.find_element(By.NAME, "delegates-0-position").send_keys(Keys.ENTER)
    _wait_for_status(desktop, "pending")
    db.session.rollback()
    registration = db.session.scalar(select(Registration))
    assert registration.seats == 10
    assert [delegate.full_name for delegate in registration.delegates] == [
        f"대표단원 {number}" for number in (1, 2, 4, 5, 6, 7, 8, 9, 10)
    ] + ["대표단원 10"]
    assert {delegate.interpreter_language for delegate in registration.delegates[:9]} == {"ko"}
    assert {delegate.nationality for delegate in registration.delegates[:9]} == {"KR"}
