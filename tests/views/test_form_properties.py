"""Property tests of the public registration forms: any text in any field is answered, never a 5xx.

Each example posts a form whose fields are either valid or arbitrary text
(any script, control characters, very long values, invalid UTF-8). The
answer is the form again with errors (200), the manage page (303), or the
neutral "check your inbox" page; a registration is stored only with a 303.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from exchange.extensions import db
from exchange.models import Delegate, Registration

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    database=None,  # no saved examples between runs: each run is the same size, and a failure prints its example
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_TEXT = st.one_of(
    st.text(max_size=80),
    st.text(st.characters(codec="utf-8"), min_size=200, max_size=3000),
    st.sampled_from(["\x00", "a\x00b", "\r\n", "\u202e", " ", "9" * 30, "<script>alert(1)</script>", "=cmd|' /C calc'!A0"]),
)

INDIVIDUAL = {
    "full_name": "Nguyễn Thị Lan",
    "phone": "0912 345 678",
    "category": "student",
    "organization": "Đại học Cần Thơ",
    "country": "VN",
    "consent": "y",
    "website": "",
}

DELEGATION = {
    "organization": "Consulate General of the Republic of Korea",
    "country": "KR",
    "contact_name": "Kim Min-jun",
    "contact_position": "Consul",
    "phone": "+84 28 3822 5757",
    "notes": "Two delegates need halal meals.",
    "consent": "y",
    "website": "",
    "delegates-0-full_name": "대표 1",
    "delegates-0-position": "Officer",
    "delegates-0-nationality": "KR",
    "delegates-0-dietary": "",
    "delegates-0-interpreter_language": "ko",
    "delegates-1-full_name": "대표 2",
    "delegates-1-position": "",
    "delegates-1-nationality": "VN",
    "delegates-1-dietary": "halal",
    "delegates-1-interpreter_language": "",
}


@st.composite
def _fields(draw, valid: dict[str, str]) -> dict[str, str | None]:
    """A few fields hostile or missing, the others valid; the email mostly fresh (a repeat gets the neutral page)."""
    fields = dict(valid, email=draw(st.emails()))
    for name in draw(st.sets(st.sampled_from(sorted(fields)), max_size=3)):
        fields[name] = draw(st.one_of(HOSTILE_TEXT, st.none(), st.just("lan@example.com")))
    return fields


def _body(fields: dict[str, str | None], invalid_utf8: bool) -> bytes:
    pairs = [f"{quote(name)}={quote(value, safe='')}" for name, value in fields.items() if value is not None]
    if invalid_utf8:
        pairs.append("organization=%FF%FE%ED%A0%80")
    return "&".join(pairs).encode()


def _stored() -> tuple[int, int]:
    return db.session.scalar(select(func.count()).select_from(Registration)), db.session.scalar(
        select(func.count()).select_from(Delegate)
    )


def _check(client, url: str, fields, invalid_utf8: bool) -> None:
    before = _stored()
    response = client.post(url, data=_body(fields, invalid_utf8), content_type="application/x-www-form-urlencoded")
    page = response.get_data(as_text=True)
    db.session.remove()
    after = _stored()
    assert response.status_code in (200, 303), (response.status_code, page[:2000])
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics shows that both kinds occur
    if response.status_code == 303:
        assert "/r/" in response.headers["Location"]
        assert after[0] == before[0] + 1
    else:
        assert after == before, "a form answered with 200 stored something"
        # A field marked invalid, a refusal said in an alert (a seat cap), or the duplicate address's page.
        assert any(sign in page for sign in ('aria-invalid="true"', 'role="alert"', "Check your inbox")), page[:2000]


@pytest.fixture
def slug(app, make_event) -> str:
    # Seats to spare for every example: a full event, or the per-client cap (every example comes
    # from 127.0.0.1), would hide what the fields do.
    app.config["SEATS_PER_CLIENT_LIMIT"] = 0
    return make_event(slug="yoga-day-2031", capacity=100_000, max_delegation_size=10).slug


@EXAMPLES
@given(fields=_fields(INDIVIDUAL), invalid_utf8=st.booleans())
def test_any_individual_form_is_answered_without_a_server_error(client, slug, fields, invalid_utf8):
    _check(client, f"/en/events/{slug}/register", fields, invalid_utf8)


@EXAMPLES
@given(fields=_fields(DELEGATION), invalid_utf8=st.booleans())
def test_any_delegation_form_is_answered_without_a_server_error(client, slug, fields, invalid_utf8):
    _check(client, f"/ko/events/{slug}/delegation", fields, invalid_utf8)
