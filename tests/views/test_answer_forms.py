"""The event's own questions on the public forms: one field per question, named `q_<key>` (and
`delegates-N-q_<key>`), checked by type on the server with translated messages, conditions honoured,
hostile input refused, answers saved canonically with the registration."""

import json

import pytest
from question_rows import CONSULATE, SIZES, add_question
from sqlalchemy import func, select

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Answer, Registration, RegistrationStatus
from exchange.models import QuestionType as T

INDIVIDUAL = ["individual"]


def _individual(**answers):
    return {
        "full_name": "Nguyễn Thị Lan", "email": "lan@example.com", "category": "student", "country": "VN",
        "consent": "y", **answers,
    }  # fmt: skip


def _post(client, event, data, lang="en"):
    return client.post(f"/{lang}/events/{event.slug}/register", data=data)


def _answers(registration=None) -> dict[str, str]:
    query = select(Answer)
    if registration is not None:
        query = query.where(Answer.registration_id == registration.id)
    return {answer.question.key: answer.value for answer in db.session.scalars(query)}


@pytest.fixture
def questions_event(make_event):
    """An event asking individuals one question of every type but file."""
    event = make_event(slug="yoga-day")
    add_question(event, "university", T.TEXT, INDIVIDUAL, 1, required=True)
    add_question(event, "motivation", T.LONG_TEXT, INDIVIDUAL, 2)
    add_question(event, "year", T.NUMBER, INDIVIDUAL, 3, min_value=1, max_value=6)
    add_question(event, "birthday", T.DATE, INDIVIDUAL, 4)
    add_question(event, "size", T.CHOICE, INDIVIDUAL, 5, choices=SIZES, required=True)
    add_question(event, "meals", T.MULTIPLE_CHOICE, INDIVIDUAL, 6, choices=[
        {"key": "lunch", "labels": {"en": "Lunch"}}, {"key": "dinner", "labels": {"en": "Dinner"}},
        {"key": "snack", "labels": {"en": "Snack"}},
    ])  # fmt: skip
    add_question(event, "visa", T.YES_NO, INDIVIDUAL, 7)
    add_question(event, "passport", T.TEXT, INDIVIDUAL, 8, required=True, sensitive=True,
                 show_if_question="visa", show_if_equals="yes")  # fmt: skip
    add_question(event, "home", T.COUNTRY, INDIVIDUAL, 9)
    add_question(event, "tongue", T.LANGUAGE, INDIVIDUAL, 10)
    add_question(event, "parent_email", T.EMAIL, INDIVIDUAL, 11)
    add_question(event, "parent_phone", T.PHONE, INDIVIDUAL, 12)
    return event


def test_the_form_names_each_field_after_its_question_with_labels_in_the_page_language(client, questions_event):
    english = client.get(f"/en/events/{questions_event.slug}/register").get_data(as_text=True)
    vietnamese = client.get(f"/vi/events/{questions_event.slug}/register").get_data(as_text=True)
    korean = client.get(f"/ko/events/{questions_event.slug}/register").get_data(as_text=True)

    for key in ("university", "motivation", "year", "birthday", "size", "meals", "visa", "passport", "home", "tongue"):
        assert f'name="q_{key}"' in english
    assert "University label" in english and "University nhãn" in vietnamese
    assert "University label" in korean  # no Korean label: the first fallback language's (en) is shown
    assert 'data-show-if="q_visa" data-show-equals="yes"' in english
    assert 'type="date"' in english and 'type="checkbox"' in english and 'max="6"' in english


def test_valid_answers_are_saved_in_canonical_form(client, questions_event):
    response = _post(client, questions_event, _individual(
        q_university="Đại học Cần Thơ", q_motivation="Line one\nLine two", q_year="2,5", q_birthday="2004-03-09",
        q_size="m", q_meals=["snack", "lunch"], q_visa="yes", q_passport="B1234567", q_home="KR", q_tongue="ko",
        q_parent_email="Me@Example.com", q_parent_phone="0292 3832 663",
    ))  # fmt: skip

    assert response.status_code == 303
    assert _answers() == {
        "university": "Đại học Cần Thơ", "motivation": "Line one\nLine two", "year": "2.5", "birthday": "2004-03-09",
        "size": "m", "meals": json.dumps(["lunch", "snack"]), "visa": "yes", "passport": "B1234567", "home": "KR",
        "tongue": "ko", "parent_email": "Me@example.com", "parent_phone": "+842923832663",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"q_university": ""}, "q_university", "This field is required."),
        ({"q_size": ""}, "q_size", "This field is required."),
        ({"q_size": "xxl"}, "q_size", "Please choose one of the options in the list."),
        ({"q_meals": ["lunch", "caviar"]}, "q_meals", "Please choose among the options shown."),
        ({"q_year": "seven"}, "q_year", "Enter a number, such as 12 or 3.5."),
        ({"q_year": "7"}, "q_year", "Enter a number from 1 to 6."),
        ({"q_year": "1e400"}, "q_year", "Enter a number, such as 12 or 3.5."),
        ({"q_year": "NaN"}, "q_year", "Enter a number, such as 12 or 3.5."),
        ({"q_birthday": "09/03/2004"}, "q_birthday", "Enter a date as year-month-day, such as 2027-05-21."),
        ({"q_birthday": "2004-02-30"}, "q_birthday", "Enter a date as year-month-day, such as 2027-05-21."),
        ({"q_birthday": "0001-01-01"}, "q_birthday", "Enter a date between the years 1900 and 2200."),
        ({"q_visa": "maybe"}, "q_visa", "Please choose one of the options in the list."),
        ({"q_visa": "yes", "q_passport": ""}, "q_passport", "This field is required."),
        ({"q_home": "XX"}, "q_home", "Please choose one of the options in the list."),
        ({"q_tongue": "klingon"}, "q_tongue", "Please choose one of the options in the list."),
        ({"q_parent_email": "not an address"}, "q_parent_email", "Enter a valid email address, such as name@example.com."),
        ({"q_parent_phone": "12"}, "q_parent_phone", "Enter a valid phone number"),
        ({"q_university": "A\x00B"}, "q_university", "control characters"),
        ({"q_university": "Evil\u202ename"}, "q_university", "invisible characters that change the text direction"),
        ({"q_university": "x" * 501}, "q_university", "Please use at most 500 characters."),
        ({"q_motivation": "x" * 5001}, "q_motivation", "Please use at most 5000 characters."),
    ],
)
def test_an_invalid_answer_is_refused_beside_its_field_and_nothing_is_saved(client, questions_event, answers, field, message):
    data = _individual(q_university="Đại học Cần Thơ", q_size="s") | answers

    response = _post(client, questions_event, data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(select(Registration)) is None and _answers() == {}


def test_a_question_whose_condition_fails_is_neither_checked_nor_saved(client, questions_event):
    response = _post(client, questions_event, _individual(q_university="CTU", q_size="s", q_visa="no", q_passport="\x00"))

    assert response.status_code == 303
    assert _answers() == {"university": "CTU", "size": "s", "visa": "no"}


def test_messages_are_translated_beside_the_field(client, questions_event):
    page = _post(client, questions_event, _individual(q_university="", q_size="s", q_year="99"), lang="vi").get_data(as_text=True)

    assert "Trường này là bắt buộc." in page or "bắt buộc" in page
    assert "Enter a number" not in page


def test_an_event_without_questions_keeps_its_form_unchanged(client, make_event):
    event = make_event()

    page = client.get(f"/en/events/{event.slug}/register").get_data(as_text=True)

    assert 'name="q_' not in page and "questions.js" not in page and "multipart" not in page


def test_each_delegate_answers_in_their_own_row(client, make_event):
    event = make_event()
    add_question(event, "passport", T.TEXT, ["delegate"], 1, required=True, sensitive=True)
    add_question(event, "size", T.CHOICE, ["delegate"], 2, choices=SIZES)
    add_question(event, "bus", T.YES_NO, ["contact"], 3, required=True)
    add_question(event, "nationality_q", T.COUNTRY, ["delegate"], 4)
    data = CONSULATE | {"q_bus": "yes"}
    for number, passport in enumerate(["M1111111", "M2222222", "M3333333"]):
        data |= {
            f"delegates-{number}-full_name": f"Delegate {number}", f"delegates-{number}-q_passport": passport,
            f"delegates-{number}-q_size": "m", f"delegates-{number}-q_nationality_q": "Hàn Quốc",
        }  # fmt: skip

    page = client.get(f"/ko/events/{event.slug}/delegation").get_data(as_text=True)
    response = client.post(f"/vi/events/{event.slug}/delegation", data=data)

    assert 'name="delegates-0-q_passport"' in page and 'name="q_bus"' in page
    assert response.status_code == 303
    group = db.session.scalar(select(Registration))
    rows = db.session.execute(select(Answer.delegate_id, Answer.value).where(Answer.question.has(key="passport"))).all()
    assert sorted(value for _delegate, value in rows) == ["M1111111", "M2222222", "M3333333"]
    assert {delegate for delegate, _value in rows} == {delegate.id for delegate in group.delegates}
    assert _answers(group)["bus"] == "yes"
    assert set(db.session.scalars(select(Answer.value).where(Answer.question.has(key="nationality_q")))) == {"KR"}


def test_a_delegate_row_missing_a_required_answer_is_named_in_the_summary(client, make_event):
    event = make_event()
    add_question(event, "passport", T.TEXT, ["delegate"], 1, required=True)
    data = CONSULATE | {
        "delegates-0-full_name": "A", "delegates-0-q_passport": "M1", "delegates-1-full_name": "B",
    }  # fmt: skip

    page = client.post(f"/en/events/{event.slug}/delegation", data=data).get_data(as_text=True)

    assert 'href="#delegates-1-q_passport"' in page and "Delegate 2: Passport label" in page
    assert db.session.scalar(select(Registration)) is None


def test_the_confirmation_email_lists_answers_but_never_a_sensitive_one(client, questions_event, app):
    from exchange.models import OutboxMessage
    from exchange.services.emails import render

    data = _individual(q_university="Đại học Cần Thơ", q_size="m", q_visa="yes", q_passport="B7654321", q_motivation="Xin chào")
    manage = _post(client, questions_event, data, lang="vi").headers["Location"]

    message = db.session.scalar(select(OutboxMessage))
    rendered = render(message)
    for body in (rendered.text, rendered.html):
        assert "University nhãn" in body and "Đại học Cần Thơ" in body and "Vừa" in body
        assert "B7654321" not in body and "Passport" not in body
        assert "Xin chào" not in body  # a long text stays on the registrant's page: an email carries no page of text
    assert "B7654321" not in json.dumps(message.context)
    assert "Xin chào" in client.get(manage).get_data(as_text=True)


def test_a_registration_with_answers_still_takes_exactly_one_seat(client, questions_event):
    _post(client, questions_event, _individual(q_university="CTU", q_size="s"))

    registration = db.session.scalar(select(Registration))
    db.session.refresh(questions_event)
    assert registration.status == RegistrationStatus.CONFIRMED and questions_event.seats_left == 49


def test_a_large_delegation_sent_as_multipart_fits_with_its_questions(client, make_event):
    """Browsers send the delegation form as multipart, one part per field: here 1,200 parts, past Flask's default 1,000."""
    event = make_event(max_delegation_size=400, capacity=500)
    add_question(event, "passport", T.TEXT, ["delegate"], 1)
    add_question(event, "size", T.CHOICE, ["delegate"], 2, choices=SIZES)
    data = dict(CONSULATE)
    for number in range(400):
        data |= {f"delegates-{number}-full_name": f"Delegate {number}", f"delegates-{number}-q_passport": f"M{number:07d}",
                 f"delegates-{number}-q_size": "s"}  # fmt: skip

    response = client.post(f"/en/events/{event.slug}/delegation", data=data, content_type="multipart/form-data")

    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 800


LABELS = {"vi": "Cỡ áo", "en": "T-shirt size", "ko": "티셔츠 사이즈", "ja": "Tシャツのサイズ", "lo": "ຂະໜາດເສື້ອ",
          "km": "ទំហំអាវយឺត", "th": "ขนาดเสื้อยืด", "fr": "Taille de t-shirt"}  # fmt: skip
LARGE = {"vi": "Lớn", "en": "Large", "ko": "큰 사이즈", "ja": "大", "lo": "ໃຫຍ່", "km": "ធំ", "th": "ใหญ่", "fr": "Grande"}


@pytest.mark.parametrize("lang", LOCALES)
def test_each_language_shows_its_own_label_help_and_choice_labels(client, make_event, lang):
    from exchange.models import Question

    event = make_event(titles={lang: "Yoga Day"})
    db.session.add(Question(
        event_id=event.id, key="size", type=T.CHOICE, asked_of=INDIVIDUAL, position=1,
        labels={code: {"label": text, "help": f"{text} ?"} for code, text in LABELS.items()},
        choices=[{"key": "l", "labels": LARGE}],
    ))  # fmt: skip
    db.session.commit()

    page = client.get(f"/{lang}/events/{event.slug}/register").get_data(as_text=True)

    assert f"{LABELS[lang]}</label>" in page and f"{LABELS[lang]} ?" in page and f">{LARGE[lang]}</option>" in page
    assert not any(text in page for code, text in LABELS.items() if code != lang)


@pytest.mark.parametrize("kind", [kind for kind in T])
def test_every_type_refuses_a_required_question_left_empty(client, make_event, kind):
    event = make_event()
    add_question(event, "asked", kind, INDIVIDUAL, 1, required=True, choices=SIZES if kind.has_choices else [])

    response = client.post(f"/en/events/{event.slug}/register", data=_individual(q_asked=""), content_type="multipart/form-data")

    page = response.get_data(as_text=True)
    message = "Please choose a file." if kind is T.FILE else "This field is required."
    assert response.status_code == 200 and 'id="q_asked-error"' in page and message in page
    assert db.session.scalar(select(Registration)) is None


@pytest.mark.parametrize("kind", [kind for kind in T if kind is not T.FILE])
def test_every_type_is_skipped_when_its_condition_fails(client, make_event, kind):
    event = make_event()
    add_question(event, "gate", T.YES_NO, INDIVIDUAL, 1)
    add_question(event, "asked", kind, INDIVIDUAL, 2, required=True, choices=SIZES if kind.has_choices else [],
                 show_if_question="gate", show_if_equals="yes")  # fmt: skip

    skipped = _post(client, event, _individual(q_gate="no", q_asked="\x00 not valid for any type"))
    asked = _post(client, event, _individual(q_gate="yes", q_asked="", email="minh@example.com"))

    assert skipped.status_code == 303 and _answers() == {"gate": "no"}
    assert asked.status_code == 200 and 'id="q_asked-error"' in asked.get_data(as_text=True)
