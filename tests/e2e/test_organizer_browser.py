"""An organizer's day in a real browser: sign in, create and translate an event, approve a delegation,
check people in from a phone, download the attendee lists."""

import csv
import io
import time
import urllib.request

import pytest
from openpyxl import load_workbook
from screens import submit
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Event, EventStatus, Registration, RegistrationStatus
from exchange.services.registrations import register

pytestmark = pytest.mark.browser
NAMES = ["Nguyễn Thị Hồng", "김지훈", "ສົມພອນ ວົງສະຫວັນ", "សុខ សុភា"]


def _set(driver, name: str, value: str) -> None:
    element = driver.find_element(By.NAME, name)
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


def _download(driver, url: str) -> bytes:
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})) as response:
        return response.read()


def _download_xlsx(driver, url: str) -> bytes:
    # The export is built in the background: its progress page's download link answers once the file is ready.
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})) as response:
        download = response.geturl() + "download"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with urllib.request.urlopen(urllib.request.Request(download, headers={"Cookie": cookie})) as response:
            if response.headers.get_content_type() != "text/html":
                return response.read()
        time.sleep(0.1)
    raise AssertionError("the XLSX export was not ready in 20 seconds")


def test_an_organizers_day(live_server, browser, make_user, individual, delegation):
    browser.delete_all_cookies()
    browser.set_window_size(1366, 900)
    make_user("organizer@example.org", language="vi")
    browser.get(f"{live_server}/organizer/login")
    browser.find_element(By.NAME, "email").send_keys("organizer@example.org")
    browser.find_element(By.NAME, "password").send_keys("correct horse battery staple")
    submit(browser, ".form__actions button")
    assert browser.current_url == f"{live_server}/organizer/"

    # Create the event in Vietnamese and Korean, then publish it.
    browser.get(f"{live_server}/organizer/events/new")
    browser.find_element(By.NAME, "slug").send_keys("viet-han-friendship-night-2031")
    Select(browser.find_element(By.NAME, "category")).select_by_value("culture")
    times = {
        "starts_at": "2031-12-12T18:00",
        "ends_at": "2031-12-12T21:30",
        "registration_opens_at": "2025-01-01T08:00",
        "registration_closes_at": "2031-12-10T23:00",
    }
    for name, value in times.items():
        _set(browser, name, value)
    browser.find_element(By.NAME, "venue_name").send_keys("Nhà hát Tây Đô")
    browser.find_element(By.NAME, "capacity").send_keys("40")
    browser.find_element(By.NAME, "allows_individuals").click()
    browser.find_element(By.NAME, "allows_delegations").click()
    browser.find_element(By.NAME, "max_delegation_size").send_keys("10")
    browser.find_element(By.NAME, "content-vi-title").send_keys("Đêm hữu nghị Việt – Hàn")
    browser.find_element(By.NAME, "content-ko-title").send_keys("한-베 우정의 밤")
    submit(browser, "form.form--wide > .form__actions button")
    assert "/organizer/events/viet-han-friendship-night-2031/edit" in browser.current_url
    submit(browser, "form[action$='/publish'] button")
    db.session.rollback()
    event = db.session.scalar(select(Event).where(Event.slug == "viet-han-friendship-night-2031"))
    assert event.status == EventStatus.PUBLISHED and {t.lang for t in event.translations} == {"vi", "ko"}

    # People register; a consulate's delegation awaits approval.
    for number, name in enumerate(NAMES[:2]):
        register(event.id, individual(email=f"p{number}@example.com", full_name=name))
    group = register(event.id, delegation(size=2)).registration
    group.delegates[0].full_name, group.delegates[1].full_name = NAMES[2], NAMES[3]
    db.session.commit()
    browser.get(f"{live_server}/organizer/events/{event.slug}/registrations/{group.reference}")
    submit(browser, f"button[formaction$='/{group.reference}/approve']")
    db.session.rollback()
    assert db.session.get(Registration, group.id).status == RegistrationStatus.CONFIRMED

    # At the door, on a phone.
    browser.set_window_size(390, 844)
    browser.get(f"{live_server}/organizer/events/{event.slug}/checkin")
    assert browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0
    search = browser.find_element(By.NAME, "q")
    search.send_keys("ສົມພອນ")
    submit(browser, ".door__search button")
    submit(browser, ".door__button")
    # The event is in 2031: the door asks before checking anyone in on another day.
    assert "2031" in browser.find_element(By.CSS_SELECTOR, ".ticket-result").text
    submit(browser, ".ticket-result form button")
    WebDriverWait(browser, 10).until(expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-arrived]"), "1"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-expected]").text == "4"

    # The attendee lists open cleanly with every script intact.
    data = _download(browser, f"{live_server}/organizer/events/{event.slug}/export.csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert sorted(row["full_name"] for row in rows) == sorted(NAMES)
    assert [row["checked_in_at"] != "" for row in rows if row["full_name"] == NAMES[2]] == [True]
    sheet = load_workbook(io.BytesIO(_download_xlsx(browser, f"{live_server}/organizer/events/{event.slug}/export.xlsx"))).active
    assert sorted(row[3] for row in sheet.iter_rows(min_row=2, values_only=True)) == sorted(NAMES)
    assert sheet.freeze_panes == "A2"
    browser.set_window_size(390, 844)


def test_an_organizer_approves_two_delegates_and_declines_the_third(live_server, browser, make_user, make_event, delegation):
    event = make_event(capacity=10)
    make_user("protocol@example.org", events=[event])
    group = register(event.id, delegation(size=3)).registration
    for delegate, name in zip(group.delegates, ["김민준", "이서연", "박지훈"], strict=True):
        delegate.full_name = name
    db.session.commit()
    ids = [delegate.id for delegate in group.delegates]
    browser.delete_all_cookies()
    browser.set_window_size(390, 844)
    browser.get(f"{live_server}/organizer/login")
    browser.find_element(By.NAME, "email").send_keys("protocol@example.org")
    browser.find_element(By.NAME, "password").send_keys("correct horse battery staple")
    submit(browser, ".form__actions button")
    page = f"{live_server}/organizer/events/{event.slug}/registrations/{group.reference}"
    browser.get(page)

    # The boxes sit in the table, outside the form they belong to (form="delegate-decisions"); a tap on a name ticks it.
    browser.find_element(By.CSS_SELECTOR, f"label[for='delegate-{ids[0]}']").click()
    browser.find_element(By.ID, f"delegate-{ids[1]}").click()
    browser.find_element(By.ID, "delegate-message").send_keys("환영합니다")
    submit(browser, "button[formaction$='/delegates/approve']")
    db.session.rollback()  # see what the server committed
    assert [d.status.value for d in db.session.get(Registration, group.id).all_delegates] == ["approved", "approved", "pending"]
    assert "Approved: 2 · Awaiting approval: 1" in browser.find_element(By.TAG_NAME, "main").text

    browser.find_element(By.ID, f"delegate-{ids[2]}").click()
    submit(browser, "button[formaction$='/delegates/decline']")
    assert "Decline 1 delegate?" in browser.find_element(By.TAG_NAME, "h1").text
    submit(browser, "form button.button--danger")
    db.session.rollback()
    group = db.session.get(Registration, group.id)
    assert (group.status, group.seats) == (RegistrationStatus.CONFIRMED, 2)
    assert "박지훈" in browser.find_element(By.CSS_SELECTOR, ".confirm-list").text  # no longer on the list
