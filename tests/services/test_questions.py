"""The question service: each rule of a question list, saving over an event's questions, and the ready-made sets."""

import copy
import json

import pytest
from question_rows import add_answer, add_question
from sqlalchemy import select

from exchange.extensions import db
from exchange.i18n import LOCALES
from exchange.models import Answer, AuditEntry, Question, QuestionType
from exchange.services.audit import Actor
from exchange.services.question_sets import QUESTION_SETS
from exchange.services.questions import (
    QuestionsRefused,
    add_question_set,
    question_to_dict,
    save_questions,
    validate_questions,
)
from exchange.services.registrations import register


def _question(**overrides):
    question = {"key": "tshirt_size", "type": "choice", "asked_of": ["individual", "delegate"], "required": True,
                "sensitive": False, "min": None, "max": None,
                "choices": [{"key": "s", "labels": {"en": "Small"}}, {"key": "m", "labels": {"en": "Medium", "vi": "Vừa"}}],
                "labels": {"en": {"label": "T-shirt size", "help": ""}}, "show_if": None}  # fmt: skip
    return question | overrides


def _problems(questions) -> list[str]:
    return [str(problem) for problem in validate_questions(questions)[1]]


def test_a_valid_list_gives_its_drafts_in_order():
    drafts, problems = validate_questions([_question(), _question(key="age", type="number", choices=[], min=16, max=99)])
    assert problems == []
    assert [(draft.key, draft.type) for draft in drafts] == [("tshirt_size", QuestionType.CHOICE), ("age", QuestionType.NUMBER)]
    assert (drafts[1].min_value, drafts[1].max_value) == (16.0, 99.0)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"key": "T-shirt"}, "questions[0].key"),
        ({"key": "1st"}, "questions[0].key"),
        ({"key": "a" * 41}, "questions[0].key"),
        ({"key": "a\x00b"}, "questions[0].key"),
        ({"type": "signature"}, "questions[0].type"),
        ({"asked_of": []}, "questions[0].asked_of"),
        ({"asked_of": ["everyone"]}, "questions[0].asked_of"),
        ({"required": "yes"}, "questions[0].required"),
        ({"sensitive": 1}, "questions[0].sensitive"),
        ({"min": 1}, "questions[0].min"),  # a choice question has no minimum
        ({"choices": [{"key": "s", "labels": {"en": "Small"}}]}, "questions[0].choices"),
        ({"choices": [{"key": "s", "labels": {"en": "S"}}, {"key": "s", "labels": {"en": "S"}}]}, "questions[0].choices[1].key"),
        ({"choices": [{"key": "S", "labels": {"en": "S"}}, {"key": "m", "labels": {"en": "M"}}]}, "questions[0].choices[0].key"),
        ({"choices": [{"key": f"c{n}", "labels": {"en": "C"}} for n in range(51)]}, "questions[0].choices"),
        ({"choices": [{"key": "s", "labels": {}}, {"key": "m", "labels": {"en": "M"}}]}, "questions[0].choices[0].labels"),
        ({"labels": {}}, "questions[0].labels"),
        ({"labels": {"de": {"label": "Größe"}}}, "questions[0].labels"),
        ({"labels": {"en": {"label": "x" * 201}}}, "questions[0].labels.en.label"),
        ({"labels": {"en": {"label": "Size", "help": "x" * 501}}}, "questions[0].labels.en.help"),
        ({"labels": {"en": {"label": "Size\u202e"}}}, "questions[0].labels.en.label"),
        ({"labels": {"en": {"label": "Size\x07"}}}, "questions[0].labels.en.label"),
        ({"labels": {"en": {"label": "Size", "colour": "red"}}}, "questions[0].labels.en"),
        ({"show_if": {"question": "later", "equals": "yes"}}, "questions[0].show_if.question"),
        ({"show_if": {"question": "tshirt_size"}}, "questions[0].show_if"),
        ({"favourite": True}, "questions[0].favourite"),
    ],
)
def test_each_rule_names_the_question_and_field(change, where):
    problems = _problems([_question(**change)])
    assert problems and all(problem.startswith(where + ":") for problem in problems), problems


def test_min_and_max_belong_to_numbers_in_order():
    number = _question(type="number", choices=[])
    assert _problems([number | {"min": 10, "max": 1}]) == ["questions[0].max: The highest value must not be below the lowest."]
    for bad in (True, "5", float("nan"), float("inf"), 10**400):
        assert _problems([number | {"min": bad}])[0].startswith("questions[0].min:")
    assert _problems([number | {"min": -5, "max": 2.5}]) == []


def test_only_choice_types_have_choices():
    assert _problems([_question(type="text")]) == [
        "questions[0].choices: Only single and multiple choice questions have choices."
    ]


def test_keys_are_unique_in_the_list():
    assert _problems([_question(), _question()]) == ["questions[1].key: Another question already uses the key tshirt_size."]


def test_a_condition_names_an_earlier_choice_or_yes_no_question_and_one_of_its_answers():
    visa = _question(key="needs_visa", type="yes_no", choices=[])
    passport = _question(key="passport_number", type="text", choices=[], show_if={"question": "needs_visa", "equals": "yes"})
    assert _problems([visa, passport]) == []
    assert _problems([passport, visa])[0].startswith("questions[0].show_if.question:")  # not an earlier one
    assert _problems([visa, passport | {"show_if": {"question": "needs_visa", "equals": "maybe"}}]) == [
        "questions[1].show_if.equals: The condition's answer must be one of yes, no."
    ]
    size = _question()
    assert _problems([size, passport | {"show_if": {"question": "tshirt_size", "equals": "m"}}]) == []
    text = _question(key="notes", type="text", choices=[])
    assert _problems([text, passport | {"show_if": {"question": "notes", "equals": "yes"}}])[0].startswith(
        "questions[1].show_if.question:"
    )


def test_the_list_is_bounded_and_must_be_a_list():
    many = [_question(key=f"q{number}") for number in range(51)]
    assert _problems(many) == ["questions: An event asks at most 50 questions."]
    assert _problems({"key": "x"}) == ["questions: The questions must be a list."]
    assert _problems(["text"]) == ["questions[0]: Each question must be an object with key, type, asked_of and labels."]


def test_texts_are_cleaned_like_other_texts():
    (draft,), _ = validate_questions([_question(labels={"vi": {"label": "  Cỡ\u200b áo  ", "help": "Dòng 1\r\nDòng 2"}})])
    assert draft.labels == {"vi": {"label": "Cỡ áo", "help": "Dòng 1\nDòng 2"}}


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("organizer@example.org"))


def _stored(event) -> list[Question]:
    db.session.expire_all()
    return list(db.session.scalars(select(Question).where(Question.event_id == event.id).order_by(Question.position)))


def test_saving_adds_updates_and_reorders_by_key(make_event, actor):
    event = make_event()
    save_questions(actor, event.id, [_question(), _question(key="age", type="number", choices=[])])
    changes = save_questions(actor, event.id, [_question(key="age", type="number", choices=[], required=False), _question()])
    assert (changes.added, changes.updated) == ([], ["age", "tshirt_size"])
    assert [(question.key, question.position, question.required) for question in _stored(event)] == [
        ("age", 0, False),
        ("tshirt_size", 1, True),
    ]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "event.questions_saved"


def test_a_removed_question_is_deleted_unless_answered_then_retired_with_its_answers(make_event, actor, individual):
    event = make_event()
    answered = add_question(event, "dietary_needs", QuestionType.LONG_TEXT, ["individual"], 0)
    add_question(event, "unanswered", QuestionType.TEXT, ["individual"], 1)
    registration = register(event.id, individual()).registration
    add_answer(answered, registration, "No peanuts")
    changes = save_questions(actor, event.id, [_question()])
    assert changes.deleted == ["unanswered"] and changes.retired == {"dietary_needs": 1} and changes.answers_kept == 1
    stored = {question.key: question for question in _stored(event)}
    assert set(stored) == {"tshirt_size", "dietary_needs"}
    assert stored["dietary_needs"].retired_at is not None and stored["tshirt_size"].retired_at is None
    assert db.session.scalar(select(Answer.value)) == "No peanuts"


def test_asking_a_retired_key_again_revives_it_with_its_answers(make_event, actor, individual):
    event = make_event()
    question = add_question(event, "dietary_needs", QuestionType.LONG_TEXT, ["individual"], 0)
    add_answer(question, register(event.id, individual()).registration, "No peanuts")
    save_questions(actor, event.id, [])
    changes = save_questions(actor, event.id, [_question(key="dietary_needs", type="long_text", choices=[])])
    assert changes.revived == ["dietary_needs"]
    (revived,) = _stored(event)
    assert revived.id == question.id and revived.retired_at is None


def test_an_answered_question_keeps_its_type_and_the_choices_its_answers_use(make_event, actor, individual):
    event = make_event()
    save_questions(actor, event.id, [_question(), _question(key="extras", type="multiple_choice")])
    size, extras = _stored(event)
    registration = register(event.id, individual()).registration
    add_answer(size, registration, "m")
    add_answer(extras, registration, json.dumps(["m"]))
    with pytest.raises(QuestionsRefused) as refused:
        save_questions(actor, event.id, [_question(type="multiple_choice"), _question(key="extras", type="multiple_choice")])
    assert [(problem.index, problem.field) for problem in refused.value.problems] == [(0, "type")]
    only_small = [{"key": "s", "labels": {"en": "Small"}}, {"key": "xl", "labels": {"en": "XL"}}]
    with pytest.raises(QuestionsRefused) as refused:
        save_questions(actor, event.id, [_question(choices=only_small), _question(key="extras", type="multiple_choice",
                                                                                   choices=only_small)])  # fmt: skip
    assert [str(problem) for problem in refused.value.problems] == [
        "questions[0].choices: Answers hold the choice m: keep it, or change its label instead.",
        "questions[1].choices: Answers hold the choice m: keep it, or change its label instead.",
    ]
    # An unused choice may go, and labels may change.
    relabelled = [{"key": "m", "labels": {"en": "Medium (M)"}}, {"key": "l", "labels": {"en": "Large"}}]
    save_questions(actor, event.id, [_question(choices=relabelled), _question(key="extras", type="multiple_choice")])
    assert [choice["key"] for choice in _stored(event)[0].choices] == ["m", "l"]


def test_a_refused_save_changes_nothing(make_event, actor):
    event = make_event()
    save_questions(actor, event.id, [_question()])
    with pytest.raises(QuestionsRefused):
        save_questions(actor, event.id, [_question(key="age", type="number", choices=[]), _question(key="Bad")])
    assert [question.key for question in _stored(event)] == ["tshirt_size"]


def test_every_set_is_valid_and_written_in_all_eight_languages():
    for question_set in QUESTION_SETS.values():
        drafts, problems = validate_questions(copy.deepcopy(question_set.questions))
        assert problems == []
        for draft in drafts:
            assert set(draft.labels) == set(LOCALES)
            assert all(texts["label"] and texts["help"] for texts in draft.labels.values()), draft.key
            assert len({texts["label"] for texts in draft.labels.values()}) == len(LOCALES), draft.key  # translated


def test_the_visa_set_asks_travellers_and_marks_passport_details_sensitive():
    questions = {question["key"]: question for question in QUESTION_SETS["visa_letter"].questions}
    assert list(questions) == ["passport_number", "passport_expiry", "date_of_birth", "nationality", "arrival_date",
                               "departure_date", "port_of_entry"]  # fmt: skip
    assert {key for key, question in questions.items() if question["sensitive"]} == {
        "passport_number",
        "passport_expiry",
        "date_of_birth",
    }
    assert questions["passport_number"]["asked_of"] == ["individual", "delegate"]
    student = {question["key"]: question for question in QUESTION_SETS["student"].questions}
    assert (student["year_of_study"]["min"], student["year_of_study"]["max"]) == (1, 10)


def test_adding_a_set_appends_it_and_skips_keys_the_event_has(make_event, actor):
    event = make_event()
    save_questions(actor, event.id, [_question(key="university", type="text", choices=[])])
    changes = add_question_set(actor, event.id, "student")
    assert changes.added == ["student_id", "year_of_study"]
    assert [question.key for question in _stored(event)] == ["university", "student_id", "year_of_study"]
    assert _stored(event)[0].labels == {"en": {"label": "T-shirt size", "help": ""}}  # the event's own is kept
    assert add_question_set(actor, event.id, "student").added == []


def test_a_stored_question_reads_back_in_the_api_shape(make_event, actor):
    event = make_event()
    question = _question(key="age", type="number", choices=[], min=16, max=99.5)
    save_questions(actor, event.id, [question])
    assert question_to_dict(_stored(event)[0]) == question
