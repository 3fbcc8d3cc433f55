"""Events as JSON: the public API's shape, and importing it back.

`event_to_dict` is the API's event object; `import_events` reads a file of
`{"events": [...]}` in that shape and creates or updates events by slug.
Import is all-or-nothing: one invalid event and nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from sqlalchemy import select

from ..database import for_update, write_transaction
from ..errors import ExchangeError, InvalidEventData
from ..extensions import db
from ..i18n import LOCALES, is_country_code
from ..models import Category, Event, EventStatus, EventTranslation, Registration
from ..text import UnsafeText, clean_text
from ..validators import HOME_REGION
from .event_admin import change_capacity, coordinates_problem
from .images import StoredImage, image_url
from .questions import (
    QuestionChanges,
    QuestionDraft,
    QuestionProblem,
    QuestionsRefused,
    question_to_dict,
    replace_questions,
    validate_questions,
)
from .registrations import notify_promoted

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CAPACITY = 1_000_000
MAX_DELEGATION_SIZE = 500
TEXT_LIMITS = {"title": 200, "summary": 500, "description": 20_000}
# Per-language venue, optional in a translation: empty means the event's own `venue`.
VENUE_LIMITS = {"venue_name": 200, "venue_address": 300}
CONTACT_LIMITS = {"name": 200, "email": 254, "phone": 40}
# The API's event object. An import reads past two of them: `seats_left` is counted from the
# registrations, and `image` names files of the installation that served it; an import keeps the
# event's own image (and an imported new event has none). A file without `questions` leaves an
# event's questions as they are.
EVENT_FIELDS = {
    "slug", "status", "category", "starts_at", "ends_at", "timezone", "venue", "contact", "capacity", "seats_left",
    "registration_opens_at", "registration_closes_at", "allows_individuals", "allows_delegations",
    "max_delegation_size", "partner_countries", "translations", "image", "questions",
}  # fmt: skip


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def event_to_dict(event: Event) -> dict[str, Any]:
    """The API's event object; times in ISO 8601 with the event's own offset."""
    zone = ZoneInfo(event.timezone)

    def local(moment: datetime) -> str:
        return moment.astimezone(zone).isoformat()

    return {
        "slug": event.slug,
        "status": event.status.value,
        "category": event.category.value,
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "timezone": event.timezone,
        "venue": {
            "name": event.venue_name,
            "address": event.venue_address,
            "latitude": event.latitude,
            "longitude": event.longitude,
        },
        "contact": {"name": event.contact_name, "email": event.contact_email, "phone": event.contact_phone},
        "capacity": event.capacity,
        "seats_left": event.seats_left,
        "registration_opens_at": local(event.registration_opens_at),
        "registration_closes_at": local(event.registration_closes_at),
        "allows_individuals": event.allows_individuals,
        "allows_delegations": event.allows_delegations,
        "max_delegation_size": event.max_delegation_size,
        "partner_countries": list(event.partner_countries),
        "translations": {
            translation.lang: {
                "title": translation.title,
                "summary": translation.summary,
                "description": translation.description,
                "venue_name": translation.venue_name,
                "venue_address": translation.venue_address,
            }
            for translation in event.translations
        },
        "image": _image_to_dict(event),
        "questions": [question_to_dict(question) for question in event.questions if question.retired_at is None],
    }


def _image_to_dict(event: Event) -> dict[str, Any] | None:
    image = StoredImage.of(event)
    if image is None:
        return None
    return {
        "width": image.width,
        "height": image.height,
        "sources": [
            {
                "width": width,
                "height": max(1, round(image.height * width / image.width)),
                "webp": image_url(image.hash, width, "webp", external=True),
                "jpeg": image_url(image.hash, width, "jpg", external=True),
            }
            for width in image.widths
        ],
        "alt": {translation.lang: translation.image_alt for translation in event.translations if translation.image_alt},
    }


@dataclass
class EventData:
    """One validated event from an import file."""

    slug: str
    values: dict[str, Any]
    translations: dict[str, dict[str, str]]
    questions: list[QuestionDraft] | None = None  # None: the file does not say, the event keeps its own


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    # What replacing each imported event's questions did (answers kept, questions retired).
    questions: dict[str, QuestionChanges] = field(default_factory=dict)


class _Checker:
    """Collects every problem of one event, each prefixed with where it is."""

    def __init__(self, raw: dict[str, Any], where: str):
        self.raw, self.where = raw, where
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{self.where}.{key}: {message}")

    def choice(self, key: str, enum_class) -> Any:
        value = self.raw.get(key)
        allowed = [member.value for member in enum_class]
        if value not in allowed:
            self.problem(key, f"must be one of {', '.join(allowed)}")
            return None
        return enum_class(value)

    def boolean(self, key: str) -> bool | None:
        value = self.raw.get(key)
        if not isinstance(value, bool):
            self.problem(key, "must be true or false")
            return None
        return value

    def integer(self, key: str, low: int, high: int) -> int | None:
        value = self.raw.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(key, f"must be a whole number from {low} to {high}")
            return None
        return value

    def moment(self, key: str) -> datetime | None:
        value = self.raw.get(key)
        try:
            parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None:
            self.problem(key, "must be an ISO 8601 date and time with an offset, e.g. 2027-06-21T06:00:00+07:00")
            return None
        return parsed

    def text(self, value: Any, key: str, limit: int, *, required: bool, multiline: bool = False) -> str | None:
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.problem(key, "must be text")
            return None
        try:
            value = clean_text(value, multiline=multiline)
        except UnsafeText as error:
            self.problem(key, f"contains forbidden characters ({error.reason})")
            return None
        if required and not value:
            self.problem(key, "must not be empty")
            return None
        if len(value) > limit:
            self.problem(key, f"must be at most {limit} characters")
            return None
        return value


def validate_event(raw: Any, where: str) -> tuple[EventData | None, list[str]]:
    """Check one event object of an import file; return it parsed, or its problems."""
    if not isinstance(raw, dict):
        return None, [f"{where}: must be an object"]
    check = _Checker(raw, where)
    for unknown in sorted(set(raw) - EVENT_FIELDS):
        check.problem(unknown, "is not a field of an event")
    slug = raw.get("slug")
    if not isinstance(slug, str) or len(slug) > 80 or not SLUG_PATTERN.match(slug):
        check.problem("slug", "must be lowercase letters, digits and single hyphens, at most 80 characters")
    timezone = raw.get("timezone")
    if not isinstance(timezone, str) or timezone not in _time_zones():
        check.problem("timezone", "must be an IANA time zone such as Asia/Ho_Chi_Minh")
    values = {
        "status": check.choice("status", EventStatus),
        "category": check.choice("category", Category),
        "starts_at": check.moment("starts_at"),
        "ends_at": check.moment("ends_at"),
        "timezone": timezone,
        "capacity": check.integer("capacity", 0, MAX_CAPACITY),
        "registration_opens_at": check.moment("registration_opens_at"),
        "registration_closes_at": check.moment("registration_closes_at"),
        "allows_individuals": check.boolean("allows_individuals"),
        "allows_delegations": check.boolean("allows_delegations"),
        "max_delegation_size": check.integer("max_delegation_size", 1, MAX_DELEGATION_SIZE),
    }
    if values["starts_at"] and values["ends_at"] and values["ends_at"] <= values["starts_at"]:
        check.problem("ends_at", "must be after starts_at")
    opens, closes = values["registration_opens_at"], values["registration_closes_at"]
    if opens and closes and closes <= opens:
        check.problem("registration_closes_at", "must be after registration_opens_at")
    venue = raw.get("venue")
    if not isinstance(venue, dict) or set(venue) - {"name", "address", "latitude", "longitude"}:
        check.problem("venue", "must be an object with name and address, and optionally latitude and longitude")
    else:
        values["venue_name"] = check.text(venue.get("name"), "venue.name", 200, required=True)
        values["venue_address"] = check.text(venue.get("address"), "venue.address", 300, required=False)
        values["latitude"], values["longitude"] = _coordinates(check, venue)
    values.update(_contact(check, raw.get("contact")))
    countries = raw.get("partner_countries", [])
    if not isinstance(countries, list) or not all(isinstance(code, str) and is_country_code(code) for code in countries):
        check.problem("partner_countries", "must be a list of ISO 3166 alpha-2 codes such as KR")
    else:
        values["partner_countries"] = list(dict.fromkeys(countries))
    translations = _validate_translations(check, raw.get("translations"))
    questions = None
    if "questions" in raw:
        questions, question_problems = validate_questions(raw["questions"])
        check.problems += _in_english(where, question_problems)
    if check.problems or not isinstance(slug, str):  # a bad slug is one of the problems
        return None, check.problems
    return EventData(slug=slug, values=values, translations=translations, questions=questions), []


def _coordinates(check: _Checker, venue: dict[str, Any]) -> tuple[float | None, float | None]:
    """The venue's latitude and longitude: both numbers in range, or both absent or null."""
    latitude, longitude = venue.get("latitude"), venue.get("longitude")
    if latitude is None and longitude is None:
        return None, None
    numbers = [value for value in (latitude, longitude) if isinstance(value, int | float) and not isinstance(value, bool)]
    # Compared before float(): a 400-digit integer would overflow it.
    if len(numbers) < 2 or coordinates_problem(latitude, longitude):
        check.problem("venue", "latitude (-90 to 90) and longitude (-180 to 180) must be numbers given together, or both null")
        return None, None
    return float(latitude), float(longitude)  # type: ignore[arg-type]


def _contact(check: _Checker, raw: Any) -> dict[str, str]:
    """The organizer contact: optional; its email must be an address, its phone a dialable number."""
    if raw is None:
        return {"contact_name": "", "contact_email": "", "contact_phone": ""}
    if not isinstance(raw, dict) or set(raw) - set(CONTACT_LIMITS):
        check.problem("contact", "must be an object with name, email and phone")
        return {}
    texts = {key: check.text(raw.get(key), f"contact.{key}", limit, required=False) for key, limit in CONTACT_LIMITS.items()}
    if texts["email"]:
        try:
            texts["email"] = validate_email(texts["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            check.problem("contact.email", "must be an email address such as name@example.com")
    if texts["phone"]:
        texts["phone"] = _phone(check, texts["phone"])
    return {f"contact_{key}": text for key, text in texts.items() if text is not None}


def _phone(check: _Checker, text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, HOME_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        check.problem("contact.phone", "must be a phone number, with its country code unless it is Vietnamese")
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _validate_translations(check: _Checker, raw: Any) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict) or not raw:
        check.problem("translations", f"must map at least one of {', '.join(LOCALES)} to a title, summary and description")
        return {}
    parsed: dict[str, dict[str, str]] = {}
    for lang, content in raw.items():
        key = f"translations.{lang}"
        if lang not in LOCALES:
            check.problem(key, f"language must be one of {', '.join(LOCALES)}")
            continue
        if not isinstance(content, dict) or set(content) - set(TEXT_LIMITS) - set(VENUE_LIMITS):
            check.problem(key, "must be an object with title, summary, description, and optionally venue_name and venue_address")
            continue
        texts = {
            name: check.text(
                content.get(name), f"{key}.{name}", limit, required=name == "title", multiline=name in ("summary", "description")
            )
            for name, limit in (TEXT_LIMITS | VENUE_LIMITS).items()
        }
        # A text is None only when it is one of the problems, and then the event is not imported.
        parsed[lang] = {name: text for name, text in texts.items() if text is not None}
    return parsed


def _in_english(where: str, problems: list[QuestionProblem]) -> list[str]:
    """The question service's translated problems, for the operator like the rest of an import's: in English."""
    with force_locale("en"):
        return [f"{where}.{problem}" for problem in problems]


def import_events(payload: Any, *, create_only: bool = False) -> ImportResult:
    """Create or update events by slug from `{"events": [...]}`, in one transaction.

    With `create_only`, events whose slug exists are kept as they are (the
    demo programme uses this, so loading it twice changes nothing).
    Raises InvalidEventData listing every problem; then nothing is written.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise InvalidEventData(['the file must be a JSON object {"events": [...]}'])
    parsed, problems, seen = [], [], set()
    for index, raw in enumerate(payload["events"]):
        data, event_problems = validate_event(raw, f"events[{index}]")
        problems.extend(event_problems)
        if data:
            if data.slug in seen:
                problems.append(f"events[{index}].slug: {data.slug} appears more than once in the file")
            seen.add(data.slug)
            parsed.append(data)
    if problems:
        raise InvalidEventData(problems)

    with write_transaction():
        existing = {
            event.slug: event
            for event in db.session.scalars(for_update(select(Event).where(Event.slug.in_(seen))).order_by(Event.id))
        }
        result = ImportResult()
        promoted: list[Registration] = []
        for data in parsed:
            event = existing.get(data.slug)
            if event is not None and create_only:
                result.kept.append(data.slug)
                continue
            if event is None:
                event = Event(slug=data.slug, capacity=data.values["capacity"])
                db.session.add(event)
                result.created.append(data.slug)
            else:
                try:
                    promoted += change_capacity(event, data.values["capacity"])
                except ExchangeError:
                    problems.append(f"{data.slug}.capacity: {event.seats_taken} seats are already held")
                    continue
                result.updated.append(data.slug)
            _apply(event, data)
            if data.questions is not None:
                try:
                    result.questions[data.slug] = replace_questions(event, data.questions)
                except QuestionsRefused as error:
                    problems += _in_english(data.slug, error.problems)
        if problems:
            raise InvalidEventData(problems)
        db.session.flush()
        for registration in promoted:
            notify_promoted(registration)
    return result


def _apply(event: Event, data: EventData) -> None:
    for name, value in data.values.items():
        if name != "capacity":  # written by seats.set_capacity
            setattr(event, name, value)
    by_lang = {translation.lang: translation for translation in event.translations}
    event.translations = [
        _translation(by_lang.get(lang) or EventTranslation(lang=lang), content) for lang, content in data.translations.items()
    ]


def _translation(translation: EventTranslation, content: dict[str, str]) -> EventTranslation:
    for name in (*TEXT_LIMITS, *VENUE_LIMITS):
        setattr(translation, name, content[name])
    return translation
