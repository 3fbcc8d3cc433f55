"""On a 390×844 phone, in every language: the event page shows how to register on its first screen,
and a form sent back with mistakes takes the person to a summary that leads to each field."""

import io
from datetime import date, timedelta

import pytest
from screens import save_screenshot, submit
from selenium.webdriver.common.by import By
from sqlalchemy import update

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Event, RegistrationWindow, utcnow
from exchange.services.demo import seed_demo
from exchange.services.events import FeedWindow, public_events
from exchange.services.images import prepare_image, store_image

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", LOCALES)
def test_register_buttons_are_on_the_first_screen(live_server, exact_phone, app, lang):
    seed_demo(today=date.today())
    # Every demo event (long titles, partner countries, delegations only...), its registration opened today.
    db.session.execute(
        update(Event).where(Event.registration_closes_at > utcnow()).values(registration_opens_at=utcnow() - timedelta(days=1))
    )
    db.session.commit()
    open_events = [event for event in public_events(FeedWindow.ALL) if event.registration_window() == RegistrationWindow.OPEN]
    assert len(open_events) >= 12
    for event in open_events:
        exact_phone.get(f"{live_server}/{lang}/events/{event.slug}/")
        assert exact_phone.execute_script("return [window.innerWidth, window.innerHeight]") == [390, 844]
        buttons = exact_phone.find_elements(By.CSS_SELECTOR, ".register-buttons .button")
        assert buttons, event.slug
        for button in buttons:
            bottom = exact_phone.execute_script("return arguments[0].getBoundingClientRect().bottom + window.scrollY", button)
            assert bottom <= 844, f"{lang} {event.slug}: {button.text!r} ends {bottom:.0f} px down"
        # The seats left and the date are above the buttons; the description comes after them.
        for selector in (".seats", ".event__key-facts time"):
            assert exact_phone.find_element(By.CSS_SELECTOR, selector).location["y"] < buttons[0].location["y"]
        assert exact_phone.find_element(By.CSS_SELECTOR, ".prose").location["y"] > buttons[-1].location["y"]
    save_screenshot(exact_phone, f"event-page-{lang}-390x844")


@pytest.mark.parametrize("lang", ["vi", "th"])
def test_a_cover_image_comes_after_the_register_buttons_at_a_width_that_fits(live_server, exact_phone, make_event, app, lang):
    from image_files import photo

    app.config["MEDIA_DIR"] = str(live_server.media_dir)
    with app.test_request_context():
        image = prepare_image(io.BytesIO(photo(2400, 1350)))
        store_image(image)
    event = make_event(
        titles={lang: "Đêm hoa đăng trên sông Hậu, một đêm hội dài với tên rất dài"},
        image_hash=image.hash, image_width=image.width, image_height=image.height, image_widths=list(image.widths),
    )  # fmt: skip
    exact_phone.get(f"{live_server}/{lang}/events/{event.slug}/")
    buttons = exact_phone.find_elements(By.CSS_SELECTOR, ".register-buttons .button")
    bottom = exact_phone.execute_script("return arguments[0].getBoundingClientRect().bottom + window.scrollY", buttons[-1])
    assert bottom <= 844
    picture = exact_phone.find_element(By.CSS_SELECTOR, ".event__cover img")
    assert picture.location["y"] > buttons[-1].location["y"]
    exact_phone.execute_script("arguments[0].scrollIntoView()", picture)
    exact_phone.execute_script("return arguments[0].decode()", picture)
    # 358 CSS px at the phone's pixel ratio: a WebP of that width or the next one up, never the largest by default.
    source = exact_phone.execute_script("return arguments[0].currentSrc", picture)
    ratio = exact_phone.execute_script("return window.devicePixelRatio")
    wanted = next(width for width in (*image.widths, image.widths[-1]) if width >= min(358 * ratio, image.widths[-1]))
    assert source.endswith(f"{image.hash}-{wanted}.webp"), source
    assert exact_phone.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", picture)
    save_screenshot(exact_phone, f"event-page-image-{lang}-390x844")


@pytest.mark.parametrize("lang", ["vi", "ko", "th", "km"])
def test_a_failed_registration_focuses_a_summary_linking_to_each_field(live_server, exact_phone, make_event, lang):
    event = make_event(titles={lang: f"Event {lang}"}, allows_delegations=True)
    exact_phone.get(f"{live_server}/{lang}/events/{event.slug}/register")
    exact_phone.find_element(By.NAME, "full_name").send_keys("Đỗ Ánh")
    exact_phone.find_element(By.NAME, "email").send_keys("not an address")
    submit(exact_phone, ".form__actions button")

    summary = exact_phone.find_element(By.CSS_SELECTOR, "[data-error-summary]")
    assert summary.get_attribute("role") == "alert" and summary.get_attribute("tabindex") == "-1"
    assert exact_phone.switch_to.active_element == summary
    assert summary.location["y"] < exact_phone.find_element(By.NAME, "full_name").location["y"]
    targets = [link.get_attribute("href").rpartition("#")[2] for link in summary.find_elements(By.TAG_NAME, "a")]
    invalid = [element.get_attribute("id") for element in exact_phone.find_elements(By.CSS_SELECTOR, "[aria-invalid=true]")]
    assert targets == invalid and {"email", "category", "consent"} <= set(targets)
    assert "full_name" not in targets  # a correct field is not listed, and keeps its value
    assert "country" not in targets  # preselected from the page's language
    email = exact_phone.find_element(By.ID, "email")
    assert email.value_of_css_property("border-top-color") == "rgba(180, 35, 24, 1)"
    save_screenshot(exact_phone, f"registration-errors-{lang}-390x844")

    # Following a link puts the cursor in that field.
    summary.find_element(By.CSS_SELECTOR, 'a[href="#email"]').click()
    assert exact_phone.switch_to.active_element == email
    top = exact_phone.execute_script("return arguments[0].getBoundingClientRect().top", email)
    assert 0 <= top <= 844


def test_a_failed_delegation_links_to_the_delegate_row(live_server, exact_phone, make_event):
    event = make_event(titles={"km": "ព្រឹត្តិការណ៍"}, allows_delegations=True)
    exact_phone.get(f"{live_server}/km/events/{event.slug}/delegation")
    submit(exact_phone, ".form__actions button")
    summary = exact_phone.switch_to.active_element
    assert summary.get_attribute("data-error-summary") is not None
    links = {link.get_attribute("href").rpartition("#")[2]: link.text for link in summary.find_elements(By.TAG_NAME, "a")}
    assert "delegates-0-full_name" in links and links["delegates-0-full_name"].startswith("ប្រតិភូទី 1: ")
    for target in links:
        assert exact_phone.find_element(By.ID, target).get_attribute("aria-invalid") == "true"


def test_the_event_editor_summary_keeps_line_breaks(live_server, browser, make_user, make_event):
    event = make_event(titles={"vi": "Sự kiện"})
    make_user("editor@example.org", events=[event])
    browser.delete_all_cookies()
    browser.get(f"{live_server}/organizer/login")
    browser.find_element(By.NAME, "email").send_keys("editor@example.org")
    browser.find_element(By.NAME, "password").send_keys("correct horse battery staple")
    submit(browser, ".form__actions button")
    browser.get(f"{live_server}/organizer/events/{event.slug}/edit")
    summary = browser.find_element(By.NAME, "content-vi-summary")
    summary.clear()
    summary.send_keys("Dòng một\nDòng hai")
    venue = browser.find_element(By.NAME, "venue_name")
    venue.clear()  # a mistake elsewhere: the summary is not among them, and comes back as typed
    submit(browser, "form.form .form__actions button")
    summary_box = browser.switch_to.active_element
    links = [link.get_attribute("href").rpartition("#")[2] for link in summary_box.find_elements(By.TAG_NAME, "a")]
    assert links == ["venue_name"]
    assert browser.find_element(By.NAME, "content-vi-summary").get_attribute("value") == "Dòng một\nDòng hai"
    browser.find_element(By.NAME, "venue_name").send_keys("Bến Ninh Kiều")
    submit(browser, "form.form .form__actions button")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-error-summary]") == []
    browser.get(f"{live_server}/vi/events/{event.slug}/")
    assert browser.find_element(By.CSS_SELECTOR, ".event__summary").text == "Dòng một\nDòng hai"
