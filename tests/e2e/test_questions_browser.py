"""An event's own questions in a real browser: a consulate registers three delegates in Korean with
passport details asked only of those who need a visa letter, and attaches a passport page."""

import pytest
from axe_check import blocking_violations
from question_rows import SIZES
from screens import save_screenshot, submit, type_into
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Answer, Question, QuestionType, Registration

pytestmark = pytest.mark.browser
OVERFLOW = "return document.documentElement.scrollWidth - window.innerWidth"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def _question(event, key, kind, position, labels, **values):
    db.session.add(Question(event_id=event.id, key=key, type=kind, asked_of=["delegate"], position=position,
                            labels={"en": {"label": labels[0]}, "ko": {"label": labels[1]}}, **values))  # fmt: skip


@pytest.fixture
def visa_event(make_event):
    event = make_event(titles={"en": "Korea Day", "ko": "한국의 날"}, capacity=40, max_delegation_size=10)
    _question(event, "size", QuestionType.CHOICE, 1, ("T-shirt size", "티셔츠 사이즈"), choices=SIZES, required=True)
    _question(event, "visa", QuestionType.YES_NO, 2, ("Needs a visa letter", "비자 초청장 필요"))
    _question(event, "passport", QuestionType.TEXT, 3, ("Passport number", "여권 번호"), sensitive=True, required=True,
              show_if_question="visa", show_if_equals="yes")  # fmt: skip
    _question(event, "passport_page", QuestionType.FILE, 4, ("Passport page", "여권 사본"), sensitive=True,
              show_if_question="visa", show_if_equals="yes")  # fmt: skip
    db.session.commit()
    return event


def _shown(driver, name: str) -> bool:
    return driver.find_element(By.NAME, name).is_displayed()


def test_a_consulate_answers_per_delegate_in_korean_and_the_visa_questions_follow_the_answer(
    live_server, phone, visa_event, tmp_path
):
    page_file = tmp_path / "여권 사본.pdf"
    page_file.write_bytes(PDF)
    phone.get(f"{live_server}/ko/events/{visa_event.slug}/delegation")
    type_into(phone, "organization", "주호치민 대한민국 총영사관")
    Select(phone.find_element(By.NAME, "country")).select_by_value("KR")
    type_into(phone, "contact_name", "김민준")
    type_into(phone, "email", "consulate-visa@example.org")
    type_into(phone, "phone", "+82 2 1234 5678")
    for _ in range(2):
        phone.find_element(By.CSS_SELECTOR, "button[data-add-delegate]").click()  # delegates.js adds the row here
    assert "티셔츠 사이즈" in phone.page_source and "비자 초청장 필요" in phone.page_source

    # The passport questions stay hidden until "yes" is chosen, row by row.
    assert not _shown(phone, "delegates-0-q_passport") and not _shown(phone, "delegates-2-q_passport")
    for number, (name, visa) in enumerate([("이서연", "yes"), ("박지훈", "no"), ("최유나", "yes")]):
        type_into(phone, f"delegates-{number}-full_name", name)
        Select(phone.find_element(By.NAME, f"delegates-{number}-q_size")).select_by_value("m")
        Select(phone.find_element(By.NAME, f"delegates-{number}-q_visa")).select_by_value(visa)
    assert _shown(phone, "delegates-0-q_passport") and not _shown(phone, "delegates-1-q_passport")
    assert _shown(phone, "delegates-2-q_passport")
    type_into(phone, "delegates-0-q_passport", "M12345678")
    phone.find_element(By.NAME, "delegates-0-q_passport_page").send_keys(str(page_file))
    assert phone.execute_script(OVERFLOW) <= 0
    save_screenshot(phone, "delegation-questions-ko-390")

    # Row 3 needs a passport number: the form comes back, the file already sent is kept.
    phone.find_element(By.NAME, "consent").click()
    submit(phone, "form.form .form__actions button")
    assert "delegates-2-q_passport-error" in phone.page_source
    assert "첨부됨: 여권 사본.pdf" in phone.page_source
    assert blocking_violations(phone) == []
    type_into(phone, "delegates-2-q_passport", "M87654321")
    if not phone.find_element(By.NAME, "consent").is_selected():
        phone.find_element(By.NAME, "consent").click()
    submit(phone, "form.form .form__actions button")

    assert phone.find_elements(By.CSS_SELECTOR, '[data-registration-status="pending"]')
    assert "M12345678" not in phone.page_source  # the manage page never shows a sensitive answer again
    db.session.rollback()
    group = db.session.scalar(select(Registration))
    values = {(answer.delegate.full_name, answer.question.key): answer for answer in db.session.scalars(select(Answer))}
    assert values[("이서연", "passport")].value == "M12345678" and values[("최유나", "passport")].value == "M87654321"
    assert ("박지훈", "passport") not in values and values[("박지훈", "visa")].value == "no"
    assert values[("이서연", "passport_page")].file_name == "여권 사본.pdf"
    assert (live_server.answer_files_dir / values[("이서연", "passport_page")].value).read_bytes() == PDF
    assert group.seats == 3


def test_a_row_added_by_the_script_starts_with_its_boxes_unticked_and_their_values(live_server, phone, make_event):
    event = make_event(capacity=40, max_delegation_size=5)
    _question(event, "meals", QuestionType.MULTIPLE_CHOICE, 1, ("Meals", "식사"), choices=SIZES)
    db.session.commit()
    phone.get(f"{live_server}/ko/events/{event.slug}/delegation")
    boxes = phone.find_elements(By.NAME, "delegates-0-q_meals")
    boxes[1].click()

    phone.find_element(By.CSS_SELECTOR, "button[data-add-delegate]").click()

    copied = phone.find_elements(By.NAME, "delegates-1-q_meals")
    assert [box.get_attribute("value") for box in copied] == ["s", "m"]
    assert [box.is_selected() for box in copied] == [False, False]
    assert [box.is_selected() for box in phone.find_elements(By.NAME, "delegates-0-q_meals")] == [False, True]
