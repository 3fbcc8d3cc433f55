"""The public catalog as a visitor on a phone sees it, in every language."""

from datetime import date

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from exchange.i18n import LOCALES
from exchange.services.demo import seed_demo
from exchange.services.events import FeedWindow, public_events

pytestmark = pytest.mark.browser

OVERFLOW = "return document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def programme(app):
    seed_demo(today=date.today())
    return public_events(FeedWindow.ALL)


@pytest.mark.parametrize("lang", LOCALES)
def test_every_catalog_page_fits_a_phone(live_server, phone, programme, lang):
    paths = [f"/{lang}/", f"/{lang}/events/"] + [f"/{lang}/events/{event.slug}/" for event in programme]
    for path in paths:
        phone.get(live_server + path)
        assert phone.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, path
        assert phone.execute_script(OVERFLOW) <= 0, f"{path} scrolls sideways on a phone"
        assert phone.find_element(By.TAG_NAME, "h1").text.strip(), path
    # Every event is translated into every language: no page fell back.
    assert phone.find_elements(By.CSS_SELECTOR, ".notice[role=note]") == []


def test_language_switcher_keeps_the_page(live_server, phone, programme):
    event = programme[0]
    phone.get(f"{live_server}/vi/events/{event.slug}/")
    phone.find_element(By.CSS_SELECTOR, ".lang-switch summary").click()
    phone.find_element(By.CSS_SELECTOR, ".lang-switch a[hreflang=ko]").click()
    assert phone.current_url == f"{live_server}/ko/events/{event.slug}/"
    assert phone.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ko"
    assert phone.find_element(By.TAG_NAME, "h1").text == event.content("ko").title
    # The choice is remembered: the site root now opens in Korean.
    phone.get(live_server + "/")
    assert phone.current_url == f"{live_server}/ko/"


def test_catalog_filters_on_a_desktop(live_server, desktop, programme):
    desktop.get(f"{live_server}/en/events/")
    Select(desktop.find_element(By.NAME, "category")).select_by_value("heritage")
    desktop.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()
    WebDriverWait(desktop, 10).until(expected_conditions.url_contains("category=heritage"))
    titles = [element.text for element in desktop.find_elements(By.CSS_SELECTOR, ".card__title")]
    expected = [event.content("en").title for event in programme if event.category.value == "heritage"]
    assert titles == expected and titles
