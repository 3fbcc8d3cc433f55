"""Questions in the API's event object and through import-events: shape, round trip, all-or-nothing."""

import copy

import pytest
from question_rows import add_answer, add_question
from sqlalchemy import select
from test_event_io import VALID

from exchange.errors import InvalidEventData
from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Answer, Event, Question, QuestionType
from exchange.services.event_io import event_to_dict, import_events
from exchange.services.question_sets import QUESTION_SETS
from exchange.services.registrations import register

SIZE = {
    "key": "tshirt_size", "type": "choice", "asked_of": ["individual", "delegate"], "required": True, "sensitive": False,
    "min": None, "max": None,
    "choices": [
        {"key": "s", "labels": {"en": "Small", "vi": "Nhỏ", "ko": "소", "ja": "S", "km": "តូច", "lo": "ນ້ອຍ", "th": "เล็ก",
                                "fr": "Petit"}},
        {"key": "m", "labels": {"en": "Medium", "vi": "Vừa", "ko": "중", "ja": "M", "km": "មធ្យម", "lo": "ກາງ", "th": "กลาง",
                                "fr": "Moyen"}},
    ],
    "labels": {lang: {"label": f"T-shirt ({lang})", "help": f"Help ({lang})"} for lang in LOCALES},
    "show_if": None,
}  # fmt: skip
NEEDS_VISA = {
    "key": "needs_visa", "type": "yes_no", "asked_of": ["delegate"], "required": False, "sensitive": False, "min": None,
    "max": None, "choices": [], "labels": {"en": {"label": "Do you need a visa letter?", "help": ""}}, "show_if": None,
}  # fmt: skip


def _with_questions(questions, slug="yoga-day-2031"):
    # Open for registration already, so tests can register answers.
    event = copy.deepcopy(VALID) | {"slug": slug, "registration_opens_at": "2026-01-01T08:00:00+07:00"}
    event["questions"] = copy.deepcopy(questions)
    return event


def _event(slug="yoga-day-2031") -> Event:
    db.session.expire_all()
    return db.session.scalar(select(Event).where(Event.slug == slug))


def test_questions_round_trip_in_all_eight_languages_into_another_event():
    visa = copy.deepcopy(QUESTION_SETS["visa_letter"].questions)
    passport = visa[0] | {"show_if": {"question": "needs_visa", "equals": "yes"}, "min": None, "max": None, "choices": []}
    questions = [SIZE, NEEDS_VISA, passport]
    import_events({"events": [_with_questions(questions)]})
    exported = event_to_dict(_event())
    assert exported["questions"] == questions
    # The export imports into another installation (here: another slug) and reads back the same.
    import_events({"events": [exported | {"slug": "yoga-day-2032"}]})
    assert event_to_dict(_event("yoga-day-2032"))["questions"] == questions
    assert set(exported["questions"][0]["labels"]) == set(LOCALES)


def test_the_api_leaves_retired_questions_out(make_event):
    event = make_event()
    add_question(event, "asked", QuestionType.TEXT, ["individual"], 0)
    retired = add_question(event, "retired", QuestionType.TEXT, ["individual"], 1)
    retired.retired_at = retired.created_at
    db.session.commit()
    assert [question["key"] for question in event_to_dict(event)["questions"]] == ["asked"]


def test_a_bad_question_imports_nothing_and_names_the_event_and_field():
    good = _with_questions([SIZE], slug="good-event-2031")
    bad = _with_questions([SIZE, NEEDS_VISA | {"key": "Needs Visa"}, SIZE | {"labels": {"de": {"label": "Größe"}}}])
    with pytest.raises(InvalidEventData) as refused:
        import_events({"events": [good, bad]})
    assert refused.value.problems == [
        "events[1].questions[1].key: A key starts with a lowercase letter and holds only lowercase letters, digits and _ "
        "(at most 40).",
        "events[1].questions[2].key: Another question already uses the key tshirt_size.",
        "events[1].questions[2].labels: Texts may be given only in vi, en, ko, ja, lo, km, th, fr.",
    ]
    assert db.session.scalar(select(Event.id)) is None


def test_problems_are_in_english_for_the_operator_whatever_the_locale(app):
    from flask_babel import force_locale

    with force_locale("vi"), pytest.raises(InvalidEventData) as refused:
        import_events({"events": [_with_questions([NEEDS_VISA | {"type": "signature"}])]})
    assert refused.value.problems == ["events[0].questions[0].type: Choose one of the question types."]


def test_reimporting_without_a_question_keeps_its_answers_and_says_so(individual):
    import_events({"events": [_with_questions([SIZE, NEEDS_VISA])]})
    event = _event()
    size = db.session.scalar(select(Question).where(Question.key == "tshirt_size"))
    add_answer(size, register(event.id, individual()).registration, "m")
    result = import_events({"events": [_with_questions([NEEDS_VISA])]})
    assert result.questions["yoga-day-2031"].retired == {"tshirt_size": 1}
    assert [question["key"] for question in event_to_dict(_event())["questions"]] == ["needs_visa"]
    assert db.session.scalar(select(Answer.value)) == "m"


def test_a_type_change_of_an_answered_question_refuses_the_whole_import(individual):
    import_events({"events": [_with_questions([SIZE])]})
    size = db.session.scalar(select(Question).where(Question.key == "tshirt_size"))
    add_answer(size, register(_event().id, individual()).registration, "m")
    changed = _with_questions([SIZE | {"type": "multiple_choice"}])
    changed["capacity"] = 600
    with pytest.raises(InvalidEventData) as refused:
        import_events({"events": [changed]})
    assert refused.value.problems[0].startswith("yoga-day-2031.questions[0].type: 1 answer reads this question")
    assert _event().capacity == 500  # nothing of the event changed either


def test_a_file_without_questions_leaves_the_events_own(make_event):
    import_events({"events": [_with_questions([SIZE])]})
    without = _with_questions([])
    del without["questions"]
    import_events({"events": [without]})
    assert [question["key"] for question in event_to_dict(_event())["questions"]] == ["tshirt_size"]
    import_events({"events": [_with_questions([])]})
    assert event_to_dict(_event())["questions"] == []
