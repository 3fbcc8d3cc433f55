"""axe-core finds no serious or critical problem on the public pages, their forms (blank and sent
back with mistakes) and the main back-office pages, on a phone and on a desktop."""

from datetime import date

import pytest
from axe_check import blocking_violations
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from exchange.extensions import db
from exchange.models import Event, RegistrationWindow
from exchange.services.demo import seed_demo
from exchange.services.registrations import register

pytestmark = pytest.mark.browser
WIDTHS = [(390, 844), (1280, 900)]
PASSWORD = "correct horse battery staple"


def _submit_blank(driver, selector: str = "form.form .form__actions button") -> None:
    """Send a form as it is (empty) and wait for the page that comes back."""
    driver.execute_script("window.beforeSubmit = true")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 10).until(
        lambda current: current.execute_script("return document.readyState === 'complete' && !window.beforeSubmit")
    )


def _check(driver, label: str, found: dict) -> None:
    violations = blocking_violations(driver)
    if violations:
        found[label] = violations


def _demo_event() -> Event:
    """The first demo event that takes individuals and delegations now."""
    seed_demo(today=date.today())
    events = db.session.scalars(db.select(Event).order_by(Event.starts_at)).all()
    return next(
        event
        for event in events
        if event.registration_window() == RegistrationWindow.OPEN and event.allows_individuals and event.allows_delegations
    )


@pytest.mark.parametrize("width,height", WIDTHS)
@pytest.mark.parametrize("lang", ["en", "km"])
def test_public_pages_and_forms(live_server, browser, app, individual, lang, width, height):
    event = _demo_event()
    token = register(event.id, individual(email=f"axe-{lang}-{width}@example.com", language=lang)).token
    browser.delete_all_cookies()
    browser.set_window_size(width, height)
    found: dict = {}
    base = f"{live_server}/{lang}"
    pages = {
        "home": f"{base}/",
        "catalog": f"{base}/events/",
        "event page": f"{base}/events/{event.slug}/",
        "privacy notice": f"{base}/privacy",
        "manage page": f"{base}/r/{token}",
    }
    try:
        for label, url in pages.items():
            browser.get(url)
            _check(browser, label, found)
        for form in ("register", "delegation"):
            browser.get(f"{base}/events/{event.slug}/{form}")
            _check(browser, f"{form} form", found)
            _submit_blank(browser)
            assert browser.find_elements(By.CSS_SELECTOR, "[data-error-summary]"), form
            _check(browser, f"{form} form with mistakes", found)
    finally:
        browser.set_window_size(390, 844)
    assert found == {}


@pytest.mark.parametrize("width,height", WIDTHS)
def test_back_office_pages(live_server, browser, app, make_user, individual, delegation, width, height):
    event = _demo_event()
    register(event.id, individual())
    register(event.id, delegation(size=2))
    make_user("door-and-desk@example.org", events=[event], language="ko")
    browser.delete_all_cookies()
    browser.set_window_size(width, height)
    found: dict = {}
    try:
        browser.get(f"{live_server}/organizer/login")
        _check(browser, "sign-in", found)
        browser.find_element(By.NAME, "email").send_keys("door-and-desk@example.org")
        browser.find_element(By.NAME, "password").send_keys(PASSWORD)
        _submit_blank(browser, ".form__actions button")
        assert browser.current_url == f"{live_server}/organizer/"
        manage = f"{live_server}/organizer/events/{event.slug}"
        for label, url in {
            "dashboard": f"{live_server}/organizer/",
            "event editor": f"{manage}/edit",
            "registrations": f"{manage}/registrations",
            "door page": f"{manage}/checkin",
            "sign-in sheet": f"{manage}/sign-in-sheet",
        }.items():
            browser.get(url)
            _check(browser, label, found)
        browser.get(f"{manage}/edit")
        browser.find_element(By.NAME, "venue_name").clear()
        _submit_blank(browser)
        assert browser.find_elements(By.CSS_SELECTOR, "[data-error-summary]")
        _check(browser, "event editor with mistakes", found)
    finally:
        browser.set_window_size(390, 844)
    assert found == {}
