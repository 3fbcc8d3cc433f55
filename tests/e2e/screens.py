"""The phone the browser tests emulate, and the screenshots they keep for people to look at."""

import os
from pathlib import Path

# A phone's screen in CSS pixels; a 390×844 window would give a smaller viewport (its frame).
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
# EXCHANGE_TEST_ARTIFACTS, else test-artifacts/ (not in git).
ARTIFACTS = Path(os.environ.get("EXCHANGE_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))


def save_screenshot(driver, name: str) -> None:
    """Keep what the browser shows as ARTIFACTS/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
