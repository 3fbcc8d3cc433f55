"""The back office on a 390 px phone: no sideways scrolling, 44 px touch targets, Sign out in view, confirm before cancel."""

import pytest
from screens import save_screenshot, submit
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Registration, RegistrationStatus
from exchange.services.registrations import register

pytestmark = pytest.mark.browser
NAMES = ["Nguyễn Thị Phương Thảo", "Élodie Marchand-Dubois", "ສົມພອນ ວົງສະຫວັນ", "សុខ សុភា", "김지훈"]


def _sign_in(driver, base_url: str) -> None:
    driver.get(f"{base_url}/organizer/login")
    driver.find_element(By.NAME, "email").send_keys("organizer@example.org")
    driver.find_element(By.NAME, "password").send_keys("correct horse battery staple")
    submit(driver, driver.find_element(By.CSS_SELECTOR, ".form__actions button"))


def _overflow(driver) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _box(driver, element) -> dict:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}", element
    )


@pytest.fixture
def busy_event(make_user, make_event, individual, happening_now):
    soon = make_event(
        slug="dem-huu-nghi-viet-han-2031", titles={"vi": "Đêm hữu nghị Việt – Hàn: âm nhạc và ẩm thực"}, **happening_now
    )
    later = make_event(slug="ngay-hoi-lao-2031", titles={"vi": "Ngày hội văn hoá Lào"})
    make_user("organizer@example.org", language="vi", events=[soon, later])
    for number, name in enumerate(NAMES):
        register(soon.id, individual(email=f"very.long.address.{number}@university-of-can-tho.example.org", full_name=name))
    return soon


def test_the_back_office_fits_a_phone_and_asks_before_cancelling(live_server, exact_phone, busy_event):
    driver = exact_phone
    _sign_in(driver, live_server)

    assert driver.current_url == f"{live_server}/organizer/"
    titles = [link.text for link in driver.find_elements(By.CSS_SELECTOR, ".table td.card__title a")]
    assert titles[0].startswith("Đêm hữu nghị")  # under way today: first, before the later event
    assert _overflow(driver) == 0
    sign_out = driver.find_element(By.CSS_SELECTOR, ".site-nav .link-button")
    box = _box(driver, sign_out)
    assert sign_out.is_displayed() and 0 <= box["x"] and box["x"] + box["w"] <= 390 and box["y"] + box["h"] <= 844
    for entry in driver.find_elements(By.CSS_SELECTOR, ".site-nav a, .site-nav .link-button"):
        assert _box(driver, entry)["h"] >= 44, entry.text
    save_screenshot(driver, "back-office-dashboard-390x844")

    driver.get(f"{live_server}/organizer/events/{busy_event.slug}/registrations")
    assert _overflow(driver) == 0
    ticks = driver.find_elements(By.CSS_SELECTOR, "label.tick")
    assert len(ticks) == len(NAMES)
    for tick in ticks:
        box = _box(driver, tick)
        assert box["w"] >= 44 and box["h"] >= 44 and box["x"] + box["w"] <= 390
    save_screenshot(driver, "back-office-registrations-390x844")
    driver.execute_script("document.querySelector('.result-count').scrollIntoView()")
    save_screenshot(driver, "back-office-registrations-cards-390x844")

    # Ticking by the edge of the 44 px target, then Apply with the default choice: nothing happens.
    for tick in ticks[:2]:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", tick)
        tick.click()
    assert [box.is_selected() for box in driver.find_elements(By.NAME, "selected")][:3] == [True, True, False]
    submit(driver, driver.find_element(By.CSS_SELECTOR, ".bulk button"))
    assert "chưa có gì thay đổi" in driver.find_element(By.TAG_NAME, "main").text
    db.session.rollback()
    statuses = set(db.session.scalars(select(Registration.status).where(Registration.event_id == busy_event.id)))
    assert statuses == {RegistrationStatus.CONFIRMED}

    for tick in driver.find_elements(By.CSS_SELECTOR, "label.tick")[:2]:
        tick.click()
    Select(driver.find_element(By.NAME, "action")).select_by_value("cancel")
    submit(driver, driver.find_element(By.CSS_SELECTOR, ".bulk button"))
    page = driver.find_element(By.TAG_NAME, "main").text
    assert "very.long.address" in page and _overflow(driver) == 0
    save_screenshot(driver, "back-office-confirm-cancel-390x844")
    db.session.rollback()
    assert set(db.session.scalars(select(Registration.status))) == {RegistrationStatus.CONFIRMED}
    submit(driver, driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
    db.session.rollback()
    statuses = list(db.session.scalars(select(Registration.status).where(Registration.event_id == busy_event.id)))
    assert statuses.count(RegistrationStatus.CANCELLED) == 2


def test_the_back_office_on_a_desktop(live_server, desktop, busy_event):
    driver = desktop
    driver.set_window_size(1280, 900)
    _sign_in(driver, live_server)
    assert _overflow(driver) == 0
    save_screenshot(driver, "back-office-dashboard-1280x900")
    driver.get(f"{live_server}/organizer/events/{busy_event.slug}/registrations")
    assert _overflow(driver) == 0
    secondary = driver.find_elements(By.CSS_SELECTOR, "td.secondary")
    assert secondary and all(cell.is_displayed() for cell in secondary)  # every column on a desktop
    save_screenshot(driver, "back-office-registrations-1280x900")
    registration = db.session.scalars(select(Registration).where(Registration.event_id == busy_event.id)).first()
    driver.get(f"{live_server}/organizer/events/{busy_event.slug}/registrations/{registration.reference}")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "button[formaction$='/cancel']"))
    assert registration.email in driver.find_element(By.CSS_SELECTOR, ".notice").text
    assert _overflow(driver) == 0
    save_screenshot(driver, "back-office-confirm-cancel-1280x900")
    db.session.rollback()
    assert db.session.get(Registration, registration.id).status == RegistrationStatus.CONFIRMED
