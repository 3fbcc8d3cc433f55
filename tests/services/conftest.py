import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def in_english(app):
    """Domain errors are translated; service tests read them in English."""
    with force_locale("en"):
        yield
