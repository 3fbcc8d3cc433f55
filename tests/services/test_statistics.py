"""Event statistics, the dashboard overview and the SVG charts."""

from contextlib import contextmanager
from datetime import UTC, date, datetime
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa

from exchange.charts import bar_chart, daily_chart
from exchange.extensions import db
from exchange.models import AttendeeCategory, DelegateStatus, Event, RegistrationKind, RegistrationStatus
from exchange.services.registrations import cancel, register
from exchange.services.statistics import event_statistics, overview

SVG = "{http://www.w3.org/2000/svg}"


@contextmanager
def counting_queries():
    """Collect the SQL statements run inside the block."""
    statements = []

    def collect(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", collect)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", collect)


def _set_created(outcome, moment: datetime) -> None:
    outcome.registration.created_at = moment
    db.session.commit()


@pytest.fixture
def mixed_event(make_event, individual, delegation):
    """Capacity 6: three confirmed individuals, a pending delegation of 3, two waitlisted, one cancelled."""
    event = make_event(capacity=6)
    people = {
        "lan": register(event.id, individual(email="lan@example.com", category=AttendeeCategory.STUDENT, country="VN")),
        "minji": register(event.id, individual(email="minji@example.com", category=AttendeeCategory.PROFESSIONAL, country="KR")),
        "korea": register(event.id, delegation(size=3)),
        "somchai": register(event.id, individual(email="somchai@example.com", category=AttendeeCategory.YOUTH, country="TH")),
        "binh": register(event.id, individual(email="binh@example.com", category=AttendeeCategory.STUDENT, country="VN")),
    }
    japan = delegation(size=2, email="consulate@example.jp")
    japan.contact.country = "JP"
    japan.delegates[0].nationality, japan.delegates[1].nationality = "VN", ""  # a Vietnamese interpreter; one not given
    people["japan"] = register(event.id, japan)
    people["claire"] = register(event.id, individual(email="claire@example.com", category=AttendeeCategory.STUDENT, country="FR"))
    cancel(people["claire"].registration.id)
    return event, {name: outcome.registration for name, outcome in people.items()}


def test_counts_by_status_kind_category_and_country(mixed_event):
    event, people = mixed_event
    assert people["korea"].status == RegistrationStatus.PENDING
    assert people["binh"].status == RegistrationStatus.WAITLISTED
    assert people["japan"].status == RegistrationStatus.WAITLISTED

    stats = event_statistics(event)

    assert stats.by_status == {
        RegistrationStatus.CONFIRMED: 3,
        RegistrationStatus.PENDING: 1,
        RegistrationStatus.WAITLISTED: 2,
        RegistrationStatus.DECLINED: 0,
        RegistrationStatus.CANCELLED: 1,
    }
    assert stats.attendees_by_status == {
        RegistrationStatus.CONFIRMED: 3,
        RegistrationStatus.PENDING: 3,
        RegistrationStatus.WAITLISTED: 3,
        RegistrationStatus.DECLINED: 0,
        RegistrationStatus.CANCELLED: 1,
    }
    assert stats.by_kind == {RegistrationKind.INDIVIDUAL: 5, RegistrationKind.DELEGATION: 2}
    # Active individuals only: Claire (cancelled) is not a student here any more.
    assert stats.by_category == {
        AttendeeCategory.STUDENT: 2,
        AttendeeCategory.YOUTH: 1,
        AttendeeCategory.PROFESSIONAL: 1,
        AttendeeCategory.PARTNER: 0,
        AttendeeCategory.OTHER: 0,
    }
    # Attendees, most first, ties by code: each delegate by nationality (else the delegation's country); the
    # cancelled French registrant is not counted.
    assert stats.by_country == [("KR", 4), ("VN", 3), ("JP", 1), ("TH", 1)]
    assert stats.confirmed_attendees == 3


def test_an_event_without_registrations(make_event):
    stats = event_statistics(make_event())

    assert set(stats.by_status.values()) == {0}
    assert set(stats.attendees_by_status.values()) == {0}
    assert set(stats.by_kind.values()) == {0}
    assert set(stats.by_category.values()) == {0}
    assert stats.by_country == []
    assert stats.per_day == []
    assert stats.checked_in == 0
    assert stats.check_in_rate == 0.0


def test_per_day_counts_in_the_event_time_zone_and_includes_empty_days(make_event, individual):
    event = make_event(timezone="Asia/Ho_Chi_Minh")
    # 23:59 on 31 May in Cần Thơ; 01:00 on 1 June there (still 31 May in UTC); 09:00 on 3 June.
    for email, moment in [
        ("a@example.com", datetime(2027, 5, 31, 16, 59, tzinfo=UTC)),
        ("b@example.com", datetime(2027, 5, 31, 18, 0, tzinfo=UTC)),
        ("c@example.com", datetime(2027, 6, 3, 2, 0, tzinfo=UTC)),
    ]:
        _set_created(register(event.id, individual(email=email)), moment)

    assert event_statistics(event).per_day == [
        (date(2027, 5, 31), 1),
        (date(2027, 6, 1), 1),
        (date(2027, 6, 2), 0),
        (date(2027, 6, 3), 1),
    ]


def test_per_day_follows_daylight_saving_time(make_event, individual):
    event = make_event(timezone="Europe/Paris")
    # Paris moves from UTC+1 to UTC+2 at 01:00 UTC on 28 March 2027.
    for email, moment in [
        ("a@example.com", datetime(2027, 3, 27, 23, 30, tzinfo=UTC)),  # 28 March, 00:30 CET
        ("b@example.com", datetime(2027, 3, 28, 22, 30, tzinfo=UTC)),  # 29 March, 00:30 CEST
        ("c@example.com", datetime(2027, 3, 29, 21, 30, tzinfo=UTC)),  # 29 March, 23:30 CEST
    ]:
        _set_created(register(event.id, individual(email=email)), moment)

    assert event_statistics(event).per_day == [(date(2027, 3, 28), 1), (date(2027, 3, 29), 2)]


def test_check_in_counts_confirmed_individuals_and_delegates(mixed_event):
    event, people = mixed_event
    now = datetime.now(UTC)
    korea = people["korea"]
    korea.status = RegistrationStatus.CONFIRMED  # approved, as approve() leaves it
    for delegate in korea.delegates:
        delegate.status = DelegateStatus.APPROVED
    people["lan"].checked_in_at = now
    korea.delegates[0].checked_in_at = now
    korea.delegates[2].checked_in_at = now
    # None of these count: a delegation arrives delegate by delegate, and only confirmed people come in.
    korea.checked_in_at = now
    people["binh"].checked_in_at = now
    people["japan"].delegates[0].checked_in_at = now
    db.session.commit()

    stats = event_statistics(event)

    assert stats.confirmed_attendees == 6
    assert stats.checked_in == 3
    assert stats.check_in_rate == 0.5


def test_event_statistics_takes_a_handful_of_queries(mixed_event):
    event, _ = mixed_event
    event = db.session.get(Event, event.id)

    with counting_queries() as statements:
        event_statistics(event)

    assert len(statements) <= 6


def test_overview_keeps_the_order_and_counts_attendees(make_event, individual, delegation):
    quiet, busy = make_event(), make_event(capacity=4)
    register(busy.id, individual(email="lan@example.com"))
    korea = register(busy.id, delegation(size=3)).registration
    register(busy.id, individual(email="binh@example.com"))  # waitlisted
    korea.status = RegistrationStatus.CONFIRMED
    for delegate in korea.delegates:
        delegate.status = DelegateStatus.APPROVED
    korea.delegates[1].checked_in_at = datetime.now(UTC)
    db.session.commit()

    rows = overview([busy, quiet])

    assert [row.event.id for row in rows] == [busy.id, quiet.id]
    assert (rows[0].confirmed_attendees, rows[0].pending_attendees, rows[0].waitlisted_attendees, rows[0].checked_in) == (
        4,
        0,
        1,
        1,
    )
    assert (rows[1].confirmed_attendees, rows[1].pending_attendees, rows[1].waitlisted_attendees, rows[1].checked_in) == (
        0,
        0,
        0,
        0,
    )
    assert overview([]) == []


def test_overview_query_count_does_not_grow_with_the_events(make_event, individual, delegation):
    for _ in range(3):
        event = make_event()
        register(event.id, individual(email="lan@example.com"))
        register(event.id, delegation(size=2))
    events = list(db.session.scalars(sa.select(Event).order_by(Event.id)))

    with counting_queries() as one:
        overview(events[:1])
    with counting_queries() as three:
        rows = overview(events)

    assert len(one) == len(three) <= 3
    assert [row.confirmed_attendees + row.pending_attendees for row in rows] == [3, 3, 3]


# Charts


def _parse(markup) -> ElementTree.Element:
    root = ElementTree.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    return root


def _title(root) -> str:
    """The text of the <title> that aria-labelledby points to."""
    label_id = root.get("aria-labelledby")
    title = next(element for element in root.iter(f"{SVG}title") if element.get("id") == label_id)
    return title.text


def _assert_inert(root) -> None:
    for element in root.iter():
        assert element.tag not in {f"{SVG}script", f"{SVG}foreignObject"}
        assert not [name for name in element.attrib if name.lower().startswith("on")]
        assert "style" not in element.attrib  # the CSP forbids inline styles
        assert not [value for value in element.attrib.values() if "http" in value and value != "http://www.w3.org/2000/svg"]


def _texts(root) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def test_bar_chart_writes_labels_and_values_accessibly():
    markup = bar_chart([("Việt Nam", 12), ("Hàn Quốc", 3), ("<script>alert(1)</script>", 1)], "Quốc gia & vùng <b>")

    root = _parse(markup)
    _assert_inert(root)
    assert _title(root) == "Quốc gia & vùng <b>"
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    texts = _texts(root)
    assert {"Việt Nam", "12", "Hàn Quốc", "3", "<script>alert(1)</script>", "1"} <= set(texts)
    assert len(root.findall(f"{SVG}rect")) == 3
    assert root.get("width") == "100%" and root.get("viewBox").startswith("0 0 ")


def test_bar_chart_height_follows_the_number_of_items():
    def height(count):
        return float(_parse(bar_chart([(f"item {n}", n) for n in range(count)], "t")).get("viewBox").split()[3])

    assert height(2) < height(4) < height(8)
    assert height(8) - height(4) == 2 * (height(4) - height(2))


def test_bar_chart_shortens_long_labels_with_an_ellipsis():
    long_label = "Tổng lãnh sự quán Đại Hàn Dân Quốc tại Thành phố Hồ Chí Minh"

    root = _parse(bar_chart([(long_label, 5)], "t"))

    shown = next(element for element in root.iter(f"{SVG}text") if element.find(f"{SVG}title") is not None)
    visible = shown.find(f"{SVG}title").tail
    assert visible.endswith("…") and len(visible) <= 28
    assert shown.find(f"{SVG}title").text == long_label  # the whole label stays as a tooltip


def test_bar_chart_handles_empty_and_all_zero_input():
    empty = _parse(bar_chart([], "Nothing yet"))
    assert _title(empty) == "Nothing yet"
    assert empty.findall(f"{SVG}rect") == []

    zeros = _parse(bar_chart([("a", 0), ("b", 0)], "Zeros"))
    assert _texts(zeros).count("0") == 2
    assert zeros.findall(f"{SVG}rect") == []


def test_daily_chart_labels_the_maximum_and_the_first_and_last_dates():
    points = [(date(2027, 6, 1), 2), (date(2027, 6, 2), 0), (date(2027, 6, 3), 7), (date(2027, 6, 4), 1)]

    markup = daily_chart(points, "Đăng ký <mỗi ngày>", lambda day: day.strftime("%d/%m"))

    root = _parse(markup)
    _assert_inert(root)
    assert _title(root) == "Đăng ký <mỗi ngày>"
    texts = _texts(root)
    assert "01/06" in texts and "04/06" in texts and "7" in texts
    assert "02/06" not in texts  # only the ends of the axis are written out
    assert len(root.findall(f"{SVG}rect")) == 3  # the empty day has no column
    assert len(root.findall(f"{SVG}line")) == 1  # the baseline


def test_daily_chart_handles_empty_all_zero_and_single_day_input():
    label = date.isoformat

    assert _title(_parse(daily_chart([], "Nothing yet", label))) == "Nothing yet"
    zeros = _parse(daily_chart([(date(2027, 6, 1), 0), (date(2027, 6, 2), 0)], "Zeros", label))
    assert zeros.findall(f"{SVG}rect") == []
    assert "0" in _texts(zeros)
    single = _parse(daily_chart([(date(2027, 6, 1), 4)], "One day", label))
    assert _texts(single).count("2027-06-01") == 1


def test_daily_chart_escapes_caller_formatted_dates():
    markup = daily_chart([(date(2027, 6, 1), 1), (date(2027, 6, 2), 2)], "t", lambda day: f"<script>{day.day}")

    _parse(markup)
    assert "<script>" not in markup


def test_charts_on_one_page_have_distinct_ids():
    first, second = _parse(bar_chart([("a", 1)], "Same")), _parse(bar_chart([("a", 1)], "Same"))

    assert first.get("aria-labelledby") != second.get("aria-labelledby")
