"""The question editor through HTTP: the page, saving, errors beside fields, the ready-made sets, who may use it."""

import pytest
from page_forms import FormValues, page_form
from question_rows import add_answer, add_question
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import AuditEntry, Question, QuestionType
from exchange.services.registrations import register


@pytest.fixture
def editor(make_user, make_event, login):
    event = make_event(slug="heritage-visit-2031")
    organizer = make_user("organizer@example.org", events=[event])
    login(organizer)
    return event


def _url(event, suffix=""):
    return f"/organizer/events/{event.slug}/questions{suffix}"


def _questions(event):
    db.session.expire_all()
    return list(db.session.scalars(select(Question).where(Question.event_id == event.id).order_by(Question.position)))


TSHIRT = {
    "questions-0-key": "tshirt_size", "questions-0-type": "choice", "questions-0-position": "1",
    "questions-0-asked_of": ["individual", "delegate"], "questions-0-required": "y",
    "questions-0-label_en": "T-shirt size", "questions-0-label_vi": "Cỡ áo", "questions-0-help_en": "For the Yoga Day shirt.",
    "questions-0-choices-0-key": "s", "questions-0-choices-0-label_en": "Small", "questions-0-choices-0-label_vi": "Nhỏ",
    "questions-0-choices-1-key": "m", "questions-0-choices-1-label_en": "Medium",
    "questions-0-choices-2-key": "", "questions-0-choices-2-label_en": "",
    # A spare row left empty (its defaults aside) is not a question.
    "questions-1-key": "", "questions-1-type": "text", "questions-1-position": "2", "questions-1-asked_of": ["individual"],
}  # fmt: skip


def test_the_page_shows_the_questions_with_language_tabs_and_spare_rows(client, editor):
    add_question(editor, "dietary_needs", QuestionType.LONG_TEXT, ["individual"], 0)
    page = client.get(_url(editor), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'name="questions-0-key"' in page and 'value="dietary_needs"' in page
    assert 'name="questions-0-label_ko"' in page and 'name="questions-0-choices-0-label_fr"' in page
    assert 'name="questions-3-key"' in page  # three spare rows after the one question
    assert "missing-mark" in page  # no Korean label yet
    assert "Visa letter" in page and f'action="{_url(editor, "/sets")}"' in page
    edit_page = client.get(f"/organizer/events/{editor.slug}/edit").get_data(as_text=True)
    assert f'href="{_url(editor)}"' in edit_page  # the editor links to the questions


def test_saving_a_choice_question(client, editor):
    response = client.post(_url(editor), data=TSHIRT)
    assert response.status_code == 303
    (question,) = _questions(editor)
    assert (question.key, question.type, question.asked_of, question.required) == (
        "tshirt_size",
        QuestionType.CHOICE,
        ["individual", "delegate"],
        True,
    )
    assert question.choices == [{"key": "s", "labels": {"en": "Small", "vi": "Nhỏ"}}, {"key": "m", "labels": {"en": "Medium"}}]
    assert question.labels["en"] == {"label": "T-shirt size", "help": "For the Yoga Day shirt."}
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "event.questions_saved"


def test_a_mistake_is_shown_beside_its_field_and_nothing_is_saved(client, editor):
    bad = TSHIRT | {"questions-0-key": "T-Shirt", "questions-0-label_fr": "x" * 201, "questions-0-min": "abc"}
    response = client.post(_url(editor), data=bad, headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="questions-0-min-error"' in page  # the form's own check, before the service
    assert _questions(editor) == []
    del bad["questions-0-min"]
    page = client.post(_url(editor), data=bad, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="questions-0-key-error"' in page and "A key starts with a lowercase letter" in page
    assert 'id="questions-0-label_fr-error"' in page and "At most 200 characters." in page
    assert "error-summary" in page and 'href="#questions-0-label_fr"' in page
    assert _questions(editor) == []


def test_errors_are_in_the_organizers_language(client, editor, make_user, login):
    login(make_user("vi@example.org", events=[editor], language="vi"))
    page = client.post(_url(editor), data=TSHIRT | {"questions-0-key": "9x"})
    assert 'id="questions-0-key-error"' in page.get_data(as_text=True)
    assert "A key starts with" not in page.get_data(as_text=True)


def test_removing_an_answered_question_keeps_its_answers_and_says_so(client, editor, individual):
    question = add_question(editor, "dietary_needs", QuestionType.LONG_TEXT, ["individual"], 0)
    registration = register(editor.id, individual()).registration
    add_answer(question, registration, "No peanuts")
    removed = {"questions-0-key": "dietary_needs", "questions-0-remove": "y"}
    response = client.post(_url(editor), data=removed, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 answer is kept" in page and "No longer asked" in page
    (kept,) = _questions(editor)
    assert kept.retired_at is not None


def test_changing_the_type_of_an_answered_question_is_refused_beside_the_type(client, editor, individual):
    question = add_question(editor, "dietary_needs", QuestionType.LONG_TEXT, ["individual"], 0)
    add_answer(question, register(editor.id, individual()).registration, "No peanuts")
    data = {"questions-0-key": "dietary_needs", "questions-0-type": "number", "questions-0-asked_of": "individual",
            "questions-0-label_en": "Dietary needs"}  # fmt: skip
    page = client.post(_url(editor), data=data, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'id="questions-0-type-error"' in page and "its type cannot change" in page
    assert _questions(editor)[0].type is QuestionType.LONG_TEXT


def test_adding_a_set_appends_its_questions_once(client, editor):
    add_question(editor, "nationality", QuestionType.COUNTRY, ["individual"], 0)
    response = client.post(_url(editor, "/sets"), data={"set": "visa_letter"}, follow_redirects=True)
    assert "6 questions added" in response.get_data(as_text=True)
    keys = [question.key for question in _questions(editor)]
    assert keys == ["nationality", "passport_number", "passport_expiry", "date_of_birth", "arrival_date", "departure_date",
                    "port_of_entry"]  # fmt: skip
    again = client.post(_url(editor, "/sets"), data={"set": "visa_letter"}, follow_redirects=True)
    assert "already has every question" in again.get_data(as_text=True)
    assert client.post(_url(editor, "/sets"), data={"set": "../etc"}).status_code == 303
    assert len(_questions(editor)) == 7


def test_hostile_row_numbers_and_values_are_a_page_not_an_error(client, editor):
    data = {"questions-99999999999-key": "a\x00b", "questions-0-type": "\u202e", "questions-0-asked_of": "nobody",
            "questions-0-position": "1" * 40, "questions-0-choices-7-key": "x" * 10_000, "questions-0-label_xx": "y"}  # fmt: skip
    assert client.post(_url(editor), data=data).status_code == 200
    assert _questions(editor) == []


@pytest.mark.parametrize("role", ["door", "viewer"])
def test_door_staff_and_viewers_cannot_open_it(client, make_user, make_event, login, role):
    event = make_event()
    login(make_user(f"{role}@example.org", role=role, events=[event]))
    assert client.get(_url(event)).status_code == 404
    assert client.post(_url(event, "/sets"), data={"set": "travel"}).status_code == 404


def test_another_organizers_event_is_a_404(client, editor, make_event):
    other = make_event(slug="someone-elses-2031")
    assert client.get(_url(other)).status_code == 404
    assert client.post(_url(other), data=TSHIRT).status_code == 404
    assert _questions(other) == []


def test_the_page_with_questions_and_with_mistakes_is_valid_html(client, editor, tmp_path):
    from test_html_validity import _skipped_levels, _vnu_errors

    client.post(_url(editor), data=TSHIRT)
    client.post(_url(editor, "/sets"), data={"set": "visa_letter"})
    shown = client.get(_url(editor)).get_data(as_text=True)
    refused = client.post(_url(editor), data=TSHIRT | {"questions-0-key": "Bad", "questions-0-choices-0-key": "S"})
    pages = {"questions": shown, "questions (refused)": refused.get_data(as_text=True)}
    assert 'id="questions-0-choices-0-key-error"' in pages["questions (refused)"]
    problems = _vnu_errors(pages, tmp_path) + [
        f"{path}: h{a} after h{b}" for path, html in pages.items() for b, a in _skipped_levels(html)
    ]
    assert problems == []


def test_saving_questions_makes_the_cached_api_answer_stale(client, editor):
    def labels():
        return [
            question["labels"]["en"]["label"] for question in client.get(f"/api/v1/events/{editor.slug}").get_json()["questions"]
        ]

    client.post(_url(editor), data=TSHIRT)
    assert labels() == labels() == ["T-shirt size"]  # the second from the page cache
    client.post(_url(editor), data=TSHIRT | {"questions-0-label_en": "Shirt size"})  # a label alone changes
    assert labels() == ["Shirt size"]


def test_a_page_older_than_another_organizers_save_is_refused_once_and_saved_on_purpose(client, editor):
    add_question(editor, "size", QuestionType.TEXT, ["individual"], 0)
    stale = page_form(client, _url(editor), action="")
    fresh = page_form(client, _url(editor), action="")
    fresh |= {"questions-1-key": ["shirt"], "questions-1-label_en": ["Shirt"], "questions-1-asked_of": ["individual"]}
    assert client.post(_url(editor), data=fresh).status_code == 303  # the other organizer adds a question

    refused = client.post(_url(editor), data=stale)
    page = refused.get_data(as_text=True)

    assert refused.status_code == 200 and "Another organizer saved these questions while you were editing them" in page
    assert [question.key for question in _questions(editor)] == ["size", "shirt"]
    sent_back = FormValues(action="")
    sent_back.feed(page)
    again = client.post(_url(editor), data=sent_back.values)
    assert again.status_code == 303 and [question.key for question in _questions(editor)] == ["size"]
