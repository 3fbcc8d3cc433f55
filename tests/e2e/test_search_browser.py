"""On a 390×844 phone: the catalog finds an accented title typed without accents, in every language's
catalog, and the door finds "Nguyễn", "Đoàn" and "Élodie" typed as "nguyen", "doan" and "elodie"."""

import pytest
from screens import next_page
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from exchange.i18n import LOCALES
from exchange.services.registrations import register

pytestmark = pytest.mark.browser


def _search(driver, text: str) -> None:
    """Type into the page's search box and press Enter, as on a phone's keyboard."""
    box = driver.find_element(By.CSS_SELECTOR, 'input[type="search"][name="q"]')
    box.clear()
    next_page(driver, lambda: box.send_keys(text, Keys.ENTER))


@pytest.mark.parametrize("lang", LOCALES)
def test_the_catalog_finds_an_accented_title_typed_without_accents(live_server, exact_phone, make_event, lang):
    make_event(slug="banh-dan-gian-2031", titles={"vi": "Lễ hội Bánh dân gian Nam Bộ", "fr": "Fête des gâteaux populaires"})
    make_event(slug="yoga-day-2031", titles={"vi": "Ngày Quốc tế Yoga", "en": "International Yoga Day"})
    exact_phone.get(f"{live_server}/{lang}/events/")
    for typed, expected in (("banh dan gian", "banh-dan-gian-2031"), ("FETE DES GATEAUX", "banh-dan-gian-2031")):
        _search(exact_phone, typed)
        links = [link.get_attribute("href") for link in exact_phone.find_elements(By.CSS_SELECTOR, "main a[href*='/events/']")]
        assert any(f"/events/{expected}/" in link for link in links), (lang, typed, links)
        assert not any("/events/yoga-day-2031/" in link for link in links), (lang, typed)
        assert exact_phone.execute_script("return document.documentElement.scrollWidth") <= 390


def test_the_door_finds_names_typed_without_accents(live_server, exact_phone, make_event, make_user, individual, happening_now):
    event = make_event(slug="door-2031", **happening_now)
    for name, email in (
        ("Nguyễn Thị Lan", "lan@example.com"),
        ("Đoàn Văn Minh", "minh@example.com"),
        ("Élodie Martin", "elodie@example.com"),
    ):
        register(event.id, individual(email=email, full_name=name))
    make_user("door@example.org", events=[event])
    exact_phone.get(f"{live_server}/organizer/login")
    exact_phone.find_element(By.NAME, "email").send_keys("door@example.org")
    exact_phone.find_element(By.NAME, "password").send_keys("correct horse battery staple", Keys.ENTER)
    WebDriverWait(exact_phone, 10).until(lambda current: current.current_url.endswith("/organizer/"))
    exact_phone.get(f"{live_server}/organizer/events/door-2031/checkin")
    for typed, found in (("nguyen", "Nguyễn Thị Lan"), ("doan", "Đoàn Văn Minh"), ("ELODIE", "Élodie Martin")):
        _search(exact_phone, typed)
        page = exact_phone.find_element(By.TAG_NAME, "main").text
        assert found in page, (typed, page[:500])
        others = {"Nguyễn Thị Lan", "Đoàn Văn Minh", "Élodie Martin"} - {found}
        assert not any(name in page for name in others), (typed, page[:500])
