"""OpenAPI 3.1 description of the public API. The tests validate responses against it."""

from ..i18n import LOCALES
from ..models import AskedOf, Category, EventStatus, QuestionType

# The list's paging: `per_page` events unless asked otherwise, never more than MAX_PER_PAGE.
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100

_TIMESTAMP = {"type": "string", "format": "date-time", "description": "ISO 8601 with the event's UTC offset"}

EVENT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "slug", "status", "category", "starts_at", "ends_at", "timezone", "venue", "contact", "capacity",
        "seats_left", "registration_opens_at", "registration_closes_at", "allows_individuals", "allows_delegations",
        "max_delegation_size", "partner_countries", "translations", "image", "questions",
    ],
    "properties": {
        "slug": {"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 80},
        "status": {"type": "string", "enum": [status.value for status in EventStatus if status != EventStatus.DRAFT]},
        "category": {"type": "string", "enum": [category.value for category in Category]},
        "starts_at": _TIMESTAMP,
        "ends_at": _TIMESTAMP,
        "timezone": {"type": "string", "description": "IANA time zone, e.g. Asia/Ho_Chi_Minh"},
        "venue": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "address", "latitude", "longitude"],
            "properties": {
                "name": {"type": "string", "description": "The venue in every language whose translation gives none"},
                "address": {"type": "string"},
                "latitude": {"type": ["number", "null"], "minimum": -90, "maximum": 90, "description": "WGS 84 degrees"},
                "longitude": {"type": ["number", "null"], "minimum": -180, "maximum": 180, "description": "WGS 84 degrees"},
            },
            "description": "Coordinates are both numbers or both null",
        },
        "contact": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "email", "phone"],
            "properties": {
                "name": {"type": "string"},
                "email": {"type": "string", "description": "Empty, or where replies to the event's emails go"},
                "phone": {"type": "string", "description": "Empty, or E.164 such as +842923832663"},
            },
            "description": "The organizers' contact for attendees' questions; optional on import",
        },
        "capacity": {"type": "integer", "minimum": 0},
        "seats_left": {"type": "integer", "minimum": 0, "readOnly": True},
        "registration_opens_at": _TIMESTAMP,
        "registration_closes_at": _TIMESTAMP,
        "allows_individuals": {"type": "boolean"},
        "allows_delegations": {"type": "boolean"},
        "max_delegation_size": {"type": "integer", "minimum": 1},
        "partner_countries": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "description": "ISO 3166-1 alpha-2 codes",
        },
        "translations": {
            "type": "object",
            "propertyNames": {"enum": list(LOCALES)},
            "additionalProperties": {"$ref": "#/components/schemas/EventContent"},
        },
        "image": {
            "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/EventImage"}],
            "readOnly": True,
            "description": "The cover image, or null. Read only: import-events ignores it and keeps the event's image.",
        },
        "questions": {
            "type": "array",
            "maxItems": 50,
            "items": {"$ref": "#/components/schemas/Question"},
            "description": "The event's own registration questions, in the order asked. Optional on import: "
            "a file without them leaves an event's questions as they are; with them, they replace the event's "
            "(matched by key; a removed question that people answered stops being asked and keeps its answers).",
        },
    },
}  # fmt: skip

_KEY = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"}
_LANGUAGES = {"propertyNames": {"enum": list(LOCALES)}}

QUESTION_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "type", "asked_of", "required", "sensitive", "min", "max", "choices", "labels", "show_if"],
    "properties": {
        "key": {**_KEY, "description": "Unique in the event; registration forms name the answer q_<key>"},
        "type": {"type": "string", "enum": [kind.value for kind in QuestionType]},
        "asked_of": {
            "type": "array", "minItems": 1, "uniqueItems": True,
            "items": {"type": "string", "enum": [who.value for who in AskedOf]},
            "description": "Individual registrants, a delegation's contact, each delegate",
        },
        "required": {"type": "boolean"},
        "sensitive": {"type": "boolean", "description": "Answers masked in the back office, never emailed"},
        "min": {"type": ["number", "null"], "description": "Numbers only: the lowest answer accepted"},
        "max": {"type": ["number", "null"], "description": "Numbers only: the highest answer accepted, at least `min`"},
        "choices": {
            "type": "array",
            "maxItems": 50,
            "description": "For `choice` and `multiple_choice` (2 to 50); empty for the other types",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "labels"],
                "properties": {
                    "key": _KEY,
                    "labels": {"type": "object", **_LANGUAGES, "additionalProperties": {"type": "string", "maxLength": 200}},
                },
            },
        },
        "labels": {
            "type": "object",
            **_LANGUAGES,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"label": {"type": "string", "maxLength": 200}, "help": {"type": "string", "maxLength": 500}},
            },
            "description": "Per language; at least one language has a label",
        },
        "show_if": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["question", "equals"],
                    "properties": {"question": _KEY, "equals": {"type": "string"}},
                },
            ],
            "description": "Asked only when the earlier `choice` or `yes_no` question `question` was answered `equals` "
            "(a choice key, or yes or no)",
        },
    },
}  # fmt: skip

_URL = {"type": "string", "format": "uri"}

IMAGE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["width", "height", "sources", "alt"],
    "properties": {
        "width": {"type": "integer", "minimum": 1, "description": "of the largest source"},
        "height": {"type": "integer", "minimum": 1},
        "sources": {
            "type": "array",
            "description": "One per width, narrowest first; the URLs never change content (cache them for a year)",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["width", "height", "webp", "jpeg"],
                "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}, "webp": _URL, "jpeg": _URL},
            },
        },
        "alt": {
            "type": "object",
            "description": "What the image shows, per language that describes it",
            "propertyNames": {"enum": list(LOCALES)},
            "additionalProperties": {"type": "string"},
        },
    },
}  # fmt: skip

SPEC = {
    "openapi": "3.1.0",
    "info": {
        "title": "Cần Thơ Cultural Exchange public API",
        "version": "1.0.0",
        "description": "Published events of the city's cultural-exchange programme, with their content in every language. "
        "The list's shape is also the file format of `flask import-events`, which reads its `events` "
        "and ignores the paging fields.",
    },
    "paths": {
        "/api/v1/events": {
            "get": {
                "operationId": "listEvents",
                "summary": "One page of published (or since cancelled) events, soonest first",
                "description": "Upcoming (not yet ended) events unless `when` asks for the past or all. "
                'Follow `next` in the body, or the `Link` header\'s `rel="next"`, to the following page.',
                "parameters": [
                    {
                        "name": "when",
                        "in": "query",
                        "description": "`upcoming`: not yet ended; `past`: ended; `all`: both",
                        "schema": {"type": "string", "enum": ["upcoming", "past", "all"], "default": "upcoming"},
                    },
                    {
                        "name": "page",
                        "in": "query",
                        "description": "Page number; a page past the last has no events",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 999_999_999, "default": 1},
                    },
                    {
                        "name": "per_page",
                        "in": "query",
                        "description": "Events per page",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The events",
                        "headers": {
                            "Link": {
                                "description": 'RFC 8288 links to the neighbouring pages (`rel="next"`, `rel="prev"`), '
                                "when there are any",
                                "schema": {"type": "string"},
                            }
                        },
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventList"}}},
                    },
                    "400": {
                        "description": "A query parameter out of its range; the message says which",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
            }
        },
        "/api/v1/events/{slug}": {
            "get": {
                "operationId": "getEvent",
                "summary": "One published (or since cancelled) event",
                "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "The event",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}},
                    },
                    "404": {
                        "description": "No such public event",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Event": EVENT_SCHEMA,
            "EventImage": IMAGE_SCHEMA,
            "Question": QUESTION_SCHEMA,
            "EventContent": {
                "type": "object",
                "additionalProperties": False,
                "required": ["title", "summary", "description"],
                "properties": {
                    "title": {"type": "string"},
                    "summary": {"type": "string"},
                    "description": {"type": "string", "description": "Markdown; sanitised when rendered"},
                    "venue_name": {"type": "string", "description": "The venue in this language; empty: the event's `venue`"},
                    "venue_address": {"type": "string", "description": "The address in this language; empty: the event's"},
                },
            },
            "EventList": {
                "type": "object",
                "additionalProperties": False,
                "required": ["events", "page", "per_page", "total", "next", "prev"],
                "properties": {
                    "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                    "page": {"type": "integer", "minimum": 1},
                    "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                    "total": {"type": "integer", "minimum": 0, "description": "Events in `when`, on all pages"},
                    "next": {"type": ["string", "null"], "format": "uri", "description": "The next page; null on the last"},
                    "prev": {"type": ["string", "null"], "format": "uri", "description": "The previous page; null on the first"},
                },
            },
            "Error": {
                "type": "object",
                "required": ["error", "status"],
                "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
            },
        }
    },
}
