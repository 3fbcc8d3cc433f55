"""An event's questions: checking a list of definitions, and saving it over the event's own.

Definitions come in the API's shape (PRODUCT.md, "Questions"): the question editor builds that
shape from its form, `import-events` reads it from a file, and both go through
`validate_questions` and `replace_questions`, so a rule holds the same way for each.

Changing the questions keeps every answer: a removed question that people answered is
retired (forms stop asking it, its answers stay on the registrations and in exports), and a
change that would leave answers unreadable is refused instead: a new type for an answered
question, or dropping a choice that answers use.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import func, or_, select

from ..database import locking_enabled, write_transaction
from ..errors import ExchangeError
from ..extensions import db
from ..i18n import LOCALES
from ..models import Answer, AskedOf, Event, Question, QuestionType, utcnow
from ..text import UnsafeText, clean_text
from .answers import choice_keys
from .audit import Actor, record
from .question_sets import QUESTION_SETS
from .transitions import lock_event

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_QUESTIONS = 50
MAX_CHOICES = 50
LABEL_LIMIT = 200
HELP_LIMIT = 500
# Far beyond any age, year or count a form asks, and exactly representable as a float.
NUMBER_LIMIT = 1e15
# The only questions a condition may name: their answers are one key each.
CONDITION_TYPES = (QuestionType.CHOICE, QuestionType.YES_NO)
QUESTION_FIELDS = {"key", "type", "asked_of", "required", "sensitive", "min", "max", "choices", "labels", "show_if"}

_KEY = _l("A key starts with a lowercase letter and holds only lowercase letters, digits and _ (at most 40).")
_UNSAFE = _l("Control characters and text-direction overrides are not allowed.")
_SHAPE = {
    "question": _l("Each question must be an object with key, type, asked_of and labels."),
    "list": _l("The questions must be a list."),
    "boolean": _l("Must be true or false."),
    "labels": _l("Labels must map languages to a label and a help text."),
    "choices": _l("Choices must be a list of objects with a key and labels."),
    "show_if": _l("The condition must be an object with question and equals."),
}


@dataclass
class QuestionDraft:
    """One checked question definition, as the columns of a `Question`."""

    key: str
    type: QuestionType
    asked_of: list[str]
    required: bool
    sensitive: bool
    min_value: float | None
    max_value: float | None
    choices: list[dict[str, Any]]
    labels: dict[str, dict[str, str]]
    show_if_question: str | None
    show_if_equals: str | None

    def apply_to(self, question: Question) -> None:
        for name, value in self.__dict__.items():
            if name != "key":
                setattr(question, name, value)


@dataclass(frozen=True)
class QuestionProblem:
    """What is wrong with one question: `index` in the list (None: the list itself) and the API field path."""

    index: int | None
    key: str
    field: str
    message: Any  # a lazy translated string

    @property
    def where(self) -> str:
        return "questions" if self.index is None else f"questions[{self.index}].{self.field}".rstrip(".")

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class QuestionsRefused(ExchangeError):
    """The question list was refused; nothing changed. `problems` says where and why."""

    def __init__(self, problems: list[QuestionProblem]):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class QuestionChanges:
    """What saving a question list did, for the page's message and the audit log."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    revived: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    # Removed questions that people had answered: key -> answers kept.
    retired: dict[str, int] = field(default_factory=dict)

    @property
    def answers_kept(self) -> int:
        return sum(self.retired.values())

    def audit(self) -> dict[str, Any]:
        details = {"added": self.added, "revived": self.revived, "deleted": self.deleted, "retired": list(self.retired)}
        return {name: keys for name, keys in details.items() if keys}


# -- checking ------------------------------------------------------------------------------------


class _Check:
    """Collects the problems of one question."""

    def __init__(self, index: int, raw: dict[str, Any], problems: list[QuestionProblem]):
        self.index, self.raw, self.problems = index, raw, problems
        key = raw.get("key")
        self.key: str = key if isinstance(key, str) else ""

    def problem(self, where: str, message: Any) -> None:
        self.problems.append(QuestionProblem(self.index, self.key[:40], where, message))

    def boolean(self, name: str) -> bool:
        value = self.raw.get(name, False)
        if not isinstance(value, bool):
            self.problem(name, _SHAPE["boolean"])
            return False
        return value

    def number(self, name: str) -> float | None:
        value = self.raw.get(name)
        if value is None:
            return None
        # Compared before float(): a 400-digit integer would overflow it; `not <=` also refuses NaN.
        if isinstance(value, bool) or not isinstance(value, int | float) or not -NUMBER_LIMIT <= value <= NUMBER_LIMIT:
            self.problem(name, _l("Enter a number from −%(limit)s to %(limit)s.", limit="10¹⁵"))
            return None
        return float(value)

    def text(self, value: Any, where: str, limit: int, *, multiline: bool = False) -> str | None:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(where, _SHAPE["labels"] if where.startswith("labels") else _SHAPE["choices"])
            return None
        try:
            value = clean_text(value, multiline=multiline)
        except UnsafeText:
            self.problem(where, _UNSAFE)
            return None
        if len(value) > limit:
            self.problem(where, _l("At most %(max)s characters.", max=limit))
            return None
        return value


def validate_questions(raw: Any) -> tuple[list[QuestionDraft], list[QuestionProblem]]:
    """Check a list of question definitions in the API's shape.

    Returns the checked drafts in order, or every problem found (then the drafts are
    not to be saved). Each problem names the question (its index and key) and the field.
    """
    if not isinstance(raw, list):
        return [], [QuestionProblem(None, "", "", _SHAPE["list"])]
    if len(raw) > MAX_QUESTIONS:
        return [], [QuestionProblem(None, "", "", _l("An event asks at most %(max)s questions.", max=MAX_QUESTIONS))]
    problems: list[QuestionProblem] = []
    drafts: list[QuestionDraft] = []
    earlier: dict[str, QuestionDraft] = {}
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            problems.append(QuestionProblem(index, "", "", _SHAPE["question"]))
            continue
        draft = _validate_one(_Check(index, item, problems), earlier)
        if draft is not None:
            earlier[draft.key] = draft
            drafts.append(draft)
    return drafts, problems


def _validate_one(check: _Check, earlier: dict[str, QuestionDraft]) -> QuestionDraft | None:
    raw = check.raw
    found = len(check.problems)
    for unknown in sorted(set(raw) - QUESTION_FIELDS, key=str)[:5]:
        check.problem(str(unknown)[:40], _l("%(name)s is not a field of a question.", name=str(unknown)[:40]))
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        check.problem("key", _KEY)
    elif key in earlier:
        check.problem("key", _l("Another question already uses the key %(key)s.", key=key))
    kind = raw.get("type")
    kind = QuestionType(kind) if isinstance(kind, str) and kind in QuestionType._value2member_map_ else None
    if kind is None:
        check.problem("type", _l("Choose one of the question types."))
    asked_of = raw.get("asked_of")
    allowed = [member.value for member in AskedOf]
    if not isinstance(asked_of, list) or not asked_of or any(not isinstance(w, str) or w not in allowed for w in asked_of):
        check.problem("asked_of", _l("Choose whom the question is asked of: individuals, delegation contacts, delegates."))
        asked_of = []
    minimum, maximum = check.number("min"), check.number("max")
    if (minimum is not None or maximum is not None) and kind is not None and kind is not QuestionType.NUMBER:
        check.problem("min", _l("Only number questions have a lowest and a highest value."))
    elif minimum is not None and maximum is not None and minimum > maximum:
        check.problem("max", _l("The highest value must not be below the lowest."))
    choices = _choices(check, raw.get("choices"), kind)
    labels = _labels(check, raw.get("labels"))
    condition = _condition(check, raw.get("show_if"), earlier)
    required, sensitive = check.boolean("required"), check.boolean("sensitive")
    if len(check.problems) > found or kind is None or not isinstance(key, str):
        return None
    return QuestionDraft(
        key=key, type=kind, asked_of=[who for who in allowed if who in asked_of], required=required, sensitive=sensitive,
        min_value=minimum, max_value=maximum, choices=choices, labels=labels,
        show_if_question=condition[0] if condition else None, show_if_equals=condition[1] if condition else None,
    )  # fmt: skip


def _languages(check: _Check, raw: Any, where: str) -> dict[str, Any] | None:
    """`raw` as a mapping of the eight locales, or None after noting the problem."""
    if not isinstance(raw, dict):
        check.problem(where, _SHAPE["labels"] if where == "labels" else _SHAPE["choices"])
        return None
    unknown = [lang for lang in raw if lang not in LOCALES]
    if unknown:
        check.problem(where, _l("Texts may be given only in %(languages)s.", languages=", ".join(LOCALES)))
        return None
    return raw


def _labels(check: _Check, raw: Any) -> dict[str, dict[str, str]]:
    texts = _languages(check, raw, "labels")
    if texts is None:
        return {}
    labels: dict[str, dict[str, str]] = {}
    for lang, content in texts.items():
        if not isinstance(content, dict) or set(content) - {"label", "help"}:
            check.problem(f"labels.{lang}", _SHAPE["labels"])
            continue
        label = check.text(content.get("label"), f"labels.{lang}.label", LABEL_LIMIT)
        help_text = check.text(content.get("help"), f"labels.{lang}.help", HELP_LIMIT, multiline=True)
        if label or help_text:
            labels[lang] = {"label": label or "", "help": help_text or ""}
    if not any(content["label"] for content in labels.values()) and not any(
        problem.field.startswith("labels") for problem in check.problems if problem.index == check.index
    ):
        check.problem("labels", _l("Give the question a label in at least one language."))
    return labels


def _choices(check: _Check, raw: Any, kind: QuestionType | None) -> list[dict[str, Any]]:
    if kind is None:
        return []
    if not kind.has_choices:
        if raw:
            check.problem("choices", _l("Only single and multiple choice questions have choices."))
        return []
    if not isinstance(raw, list):
        check.problem("choices", _SHAPE["choices"])
        return []
    if not 2 <= len(raw) <= MAX_CHOICES:
        check.problem("choices", _l("Give from 2 to %(max)s choices.", max=MAX_CHOICES))
        return []
    choices: list[dict[str, Any]] = []
    for number, item in enumerate(raw):
        where = f"choices[{number}]"
        if not isinstance(item, dict) or set(item) - {"key", "labels"}:
            check.problem(where, _SHAPE["choices"])
            continue
        key = item.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            check.problem(f"{where}.key", _KEY)
            continue
        if any(choice["key"] == key for choice in choices):
            check.problem(f"{where}.key", _l("Two choices use the key %(key)s.", key=key))
            continue
        texts = _languages(check, item.get("labels"), f"{where}.labels")
        if texts is None:
            continue
        labels = {lang: check.text(text, f"{where}.labels.{lang}", LABEL_LIMIT) for lang, text in texts.items()}
        labels_given = {lang: text for lang, text in labels.items() if text}
        if not labels_given and None not in labels.values():
            check.problem(f"{where}.labels", _l("Give each choice a label in at least one language."))
        choices.append({"key": key, "labels": labels_given})
    return choices


def _condition(check: _Check, raw: Any, earlier: dict[str, QuestionDraft]) -> tuple[str, str] | None:
    """The (question key, answer) the question depends on, which must be an earlier choice or yes/no question's."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"question", "equals"}:
        check.problem("show_if", _SHAPE["show_if"])
        return None
    source = earlier.get(raw["question"]) if isinstance(raw["question"], str) else None
    if source is None or source.type not in CONDITION_TYPES:
        check.problem("show_if.question", _l("The condition must name an earlier single choice or yes/no question."))
        return None
    options = ["yes", "no"] if source.type is QuestionType.YES_NO else [choice["key"] for choice in source.choices]
    if raw["equals"] not in options:
        check.problem("show_if.equals", _l("The condition's answer must be one of %(options)s.", options=", ".join(options)))
        return None
    return source.key, raw["equals"]


# -- saving --------------------------------------------------------------------------------------


def question_to_dict(question: Question) -> dict[str, Any]:
    """A question in the API's shape, which `validate_questions` reads back."""

    def number(value: float | None) -> float | int | None:
        return int(value) if value is not None and value.is_integer() else value

    return {
        "key": question.key,
        "type": question.type.value,
        "asked_of": list(question.asked_of),
        "required": question.required,
        "sensitive": question.sensitive,
        "min": number(question.min_value),
        "max": number(question.max_value),
        "choices": [{"key": choice["key"], "labels": dict(choice.get("labels", {}))} for choice in question.choices],
        "labels": {lang: {"label": t.get("label", ""), "help": t.get("help", "")} for lang, t in question.labels.items()},
        "show_if": (
            {"question": question.show_if_question, "equals": question.show_if_equals} if question.show_if_question else None
        ),
    }


def active_questions(event: Event) -> list[Question]:
    """The questions the event's forms ask, in order (retired ones left out)."""
    return [question for question in event.questions if question.retired_at is None]


def _lock_questions(event: Event) -> None:
    """Lock the event's questions before their answers are counted: a registration writing answers holds
    them FOR SHARE (services.answer_store), so this waits for it to commit and then counts its answers,
    instead of deleting a question that has just been answered (its answers would go by the foreign key)."""
    if locking_enabled() and event.id is not None:
        db.session.execute(select(Question.id).where(Question.event_id == event.id).with_for_update()).all()


def _answer_counts(question_ids: list[int]) -> dict[int, int]:
    if not question_ids:
        return {}
    rows = db.session.execute(
        select(Answer.question_id, func.count(Answer.id)).where(Answer.question_id.in_(question_ids)).group_by(Answer.question_id)
    )
    return {question_id: count for question_id, count in rows}


def _used_choices(question: Question, removed: set[str]) -> list[str]:
    """Which of the `removed` choice keys answers to `question` hold."""
    if question.type is QuestionType.CHOICE:
        query = select(Answer.value).where(Answer.question_id == question.id, Answer.value.in_(removed))
        return sorted(set(db.session.scalars(query.distinct())))
    # A multiple choice is a JSON list of keys: narrowed in SQL, then read exactly.
    mentions = or_(*(Answer.value.contains(f'"{key}"', autoescape=True) for key in removed))
    values = db.session.scalars(select(Answer.value).where(Answer.question_id == question.id, mentions).distinct())
    return sorted({key for value in values for key in choice_keys(value)} & removed)


def replace_questions(event: Event, drafts: list[QuestionDraft]) -> QuestionChanges:
    """Make `drafts` the event's questions, in their order; the caller holds the event's row lock.

    Questions are matched by key: updated in place (a retired one is revived), added, and the
    ones left out retired if answered, else deleted. Raises QuestionsRefused, changing nothing,
    when an answered question would change type or lose a choice key its answers use.
    """
    _lock_questions(event)
    existing = {question.key: question for question in event.questions}
    answered = _answer_counts([question.id for question in existing.values() if question.id is not None])
    problems = []
    for index, draft in enumerate(drafts):
        question = existing.get(draft.key)
        if question is None or not answered.get(question.id):
            continue
        count = answered[question.id]
        if question.type is not draft.type:
            message = _ln(
                "%(num)s answer reads this question as it is: its type cannot change. Add a new question instead.",
                "%(num)s answers read this question as it is: its type cannot change. Add a new question instead.",
                count,
            )
            problems.append(QuestionProblem(index, draft.key, "type", message))
        elif question.type.has_choices:
            removed = {choice["key"] for choice in question.choices} - {choice["key"] for choice in draft.choices}
            for key in _used_choices(question, removed) if removed else []:
                message = _l("Answers hold the choice %(key)s: keep it, or change its label instead.", key=key)
                problems.append(QuestionProblem(index, draft.key, "choices", message))
    if problems:
        raise QuestionsRefused(problems)

    changes = QuestionChanges()
    kept: list[Question] = []
    for position, draft in enumerate(drafts):
        question = existing.pop(draft.key, None)
        if question is None:
            question = Question(key=draft.key)
            changes.added.append(draft.key)
        elif question.retired_at is not None:
            question.retired_at = None
            changes.revived.append(draft.key)
        else:
            changes.updated.append(draft.key)
        draft.apply_to(question)
        question.position = position
        kept.append(question)
    now = utcnow()
    for question in sorted(existing.values(), key=lambda question: question.position):
        count = answered.get(question.id, 0) if question.id is not None else 0
        if not count:
            changes.deleted.append(question.key)
            continue
        if question.retired_at is None:
            question.retired_at = now
            changes.retired[question.key] = count
        question.position = len(kept)  # after the questions asked, in their old order
        kept.append(question)
    event.questions = kept  # the ones left out are deleted (delete-orphan)
    return changes


def questions_version(event_id: int) -> str:
    """A short fingerprint of the event's questions as saved (each one's id, last change and retirement)."""
    rows = db.session.execute(
        select(Question.id, Question.updated_at, Question.retired_at).where(Question.event_id == event_id).order_by(Question.id)
    ).all()
    return hashlib.sha256(repr([tuple(map(str, row)) for row in rows]).encode()).hexdigest()[:16]


class StaleQuestions(QuestionsRefused):
    """The page was made from questions another organizer has changed since: saving it would undo their change."""

    def __init__(self, current_version: str):
        message = _l(
            "Another organizer saved these questions while you were editing them, so yours are not saved yet. "
            "Reload the page to see theirs, or save again to replace them with what you see here."
        )
        super().__init__([QuestionProblem(None, "", "", message)])
        self.current_version = current_version


def save_questions(actor: Actor, event_id: int, raw: Any, expected_version: str | None = None) -> QuestionChanges:
    """Check `raw` (the API's shape) and make it the event's question list, with the event's row locked.

    `expected_version`: the `questions_version` the editor's page was made from; StaleQuestions if they
    have changed since (two organizers editing at once: the second would silently undo the first).
    Audited. Raises QuestionsRefused with every problem; then nothing changed.
    """
    drafts, problems = validate_questions(raw)
    if problems:
        raise QuestionsRefused(problems)
    with write_transaction():
        event = lock_event(event_id)
        if expected_version is not None and (current := questions_version(event_id)) != expected_version:
            raise StaleQuestions(current)
        changes = replace_questions(event, drafts)
        record(actor, "event.questions_saved", event=event, **changes.audit())
    return changes


def add_question_set(actor: Actor, event_id: int, set_key: str) -> QuestionChanges:
    """Append a ready-made set's questions to the event's, skipping the keys the event already has (retired
    ones too: reviving them is the editor's choice). Raises QuestionsRefused (e.g. too many questions)."""
    question_set = QUESTION_SETS[set_key]
    with write_transaction():
        event = lock_event(event_id)
        have = {question.key for question in event.questions}
        raw = [question_to_dict(question) for question in active_questions(event)]
        raw += [question for question in question_set.questions if question["key"] not in have]
        drafts, problems = validate_questions(raw)
        if problems:
            raise QuestionsRefused(problems)
        changes = replace_questions(event, drafts)
        record(actor, "event.question_set_added", event=event, set=set_key, **changes.audit())
    return changes
