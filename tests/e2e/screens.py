"""What the browser tests share: the phone they emulate, how they wait for the next page, the screenshots they keep."""

import os
from collections.abc import Callable
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# A phone's screen in CSS pixels; a 390×844 window would give a smaller viewport (its frame).
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
# EXCHANGE_TEST_ARTIFACTS, else test-artifacts/ (not in git).
ARTIFACTS = Path(os.environ.get("EXCHANGE_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))


def save_screenshot(driver, name: str) -> None:
    """Keep what the browser shows as ARTIFACTS/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def next_page(driver, action: Callable[[], object]) -> None:
    """Do `action` (a click, Enter in a field) and wait until the page it loads has replaced this one."""
    driver.execute_script("window.beforeSubmit = true")  # gone once the next page has loaded
    action()
    WebDriverWait(driver, 10).until(
        lambda current: current.execute_script("return document.readyState === 'complete' && !window.beforeSubmit")
    )


def submit(driver, button) -> None:
    """Click a submit button (a CSS selector, or the element) and wait for the next page."""
    element = driver.find_element(By.CSS_SELECTOR, button) if isinstance(button, str) else button
    next_page(driver, element.click)


def type_into(driver, name: str, value: str) -> None:
    """Replace what the field called `name` holds with `value`."""
    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)
