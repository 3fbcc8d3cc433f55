"""The benchmark measures what it claims: a sound data set, requests the app accepts, wrk's figures read right."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import parse_qsl

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import dataset  # noqa: E402
import run  # noqa: E402

from exchange.extensions import db  # noqa: E402
from exchange.models import Event, EventStatus, EventTranslation, Registration, RegistrationStatus, utcnow  # noqa: E402
from exchange.services.seats import seat_drift  # noqa: E402


def test_the_data_set_has_its_events_in_eight_languages_a_fifth_past_and_exact_seat_counters(app):
    dataset.generate(10, registrations=200, checkin_attendees=20)

    assert db.session.scalar(select(func.count()).select_from(Event)) == 13  # 10 + register, rush, check-in
    per_event = db.session.execute(select(EventTranslation.event_id, func.count()).group_by(EventTranslation.event_id)).all()
    assert {count for _, count in per_event} == {8} and len(per_event) == 13
    assert db.session.scalar(select(func.count()).select_from(Event).where(Event.starts_at < utcnow())) == 3  # 2 + check-in
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 220
    assert seat_drift() == []
    rush = db.session.scalar(select(Event).where(Event.slug == dataset.RUSH_SLUG))
    assert (rush.capacity, rush.seats_taken, rush.status) == (dataset.RUSH_SEATS, 0, EventStatus.PUBLISHED)


def test_the_registration_the_load_script_sends_is_accepted(app, client):
    app.config["WTF_CSRF_ENABLED"] = True  # the script sends the token of a fetched form, as production checks it
    dataset.generate(3, registrations=10, checkin_attendees=2)
    path = f"/vi/events/{dataset.REGISTER_SLUG}/register"
    token = run.csrf(client.get(path).get_data(as_text=True))
    # The fields exactly as register.lua sends them: the url-encoded FORM_FIELDS, then email and token.
    body = dict(parse_qsl(run.urllib.parse.urlencode(run.FORM_FIELDS))) | {"email": "w0-1@bench.example", "csrf_token": token}

    response = client.post(path, data=body)

    assert response.status_code == 303
    registration = db.session.scalar(select(Registration).where(Registration.email == "w0-1@bench.example"))
    assert registration.status == RegistrationStatus.CONFIRMED


def test_the_check_in_the_load_script_sends_checks_the_attendee_in(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    dataset.generate(3, registrations=10, checkin_attendees=5)
    login = client.get("/organizer/login").get_data(as_text=True)
    signed_in = client.post(
        "/organizer/login",
        data={"email": dataset.ORGANIZER_EMAIL, "password": dataset.ORGANIZER_PASSWORD, "csrf_token": run.csrf(login)},
    )
    assert signed_in.status_code == 303
    path = f"/organizer/events/{dataset.CHECKIN_SLUG}/checkin"
    token = run.csrf(client.get(path).get_data(as_text=True))

    response = client.post(path, data={"reference": dataset.CHECKIN_REFERENCE % 4, "csrf_token": token})

    assert response.status_code == 303
    arrived = db.session.scalar(select(Registration).where(Registration.reference == dataset.CHECKIN_REFERENCE % 4))
    assert arrived.checked_in_at is not None


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:40000/vi/events/bench-register/register
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   363.21ms  120.50ms   1.20s    70.00%
    Req/Sec    22.10      9.30    50.00     65.00%
  Latency Distribution
     50%  363.00ms
     75%  420.11ms
     90%  700.00ms
     99%    1.02s
  86 requests in 2.01s, 120.00KB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:     42.79
Transfer/sec:     59.70KB
UNEXPECTED 5
"""


def test_wrk_figures_are_read_in_milliseconds_with_every_failure_counted():
    result = run.parse_wrk("registration POST", WRK_OUTPUT)

    assert (result.rps, result.p50, result.p99) == (42.79, 363.0, 1020.0)
    assert result.errors == 3 + 5  # socket errors, and the script's unexpected statuses (which include the non-2xx)
    microseconds = run.parse_wrk("static", WRK_OUTPUT.replace("363.00ms", "850.00us").replace("UNEXPECTED 5\n", ""))
    assert (microseconds.p50, microseconds.errors) == (0.85, 3 + 4)


def _run(page_rps: float, post_p99: float, confirmed: int) -> run.Run:
    results = [run.Result(label, rps=page_rps, p50=5, p99=20) for label in (*run.PAGES, *run.FEEDS)]
    results += [
        run.Result("registration POST", rps=400, p50=50, p99=post_p99),
        run.Result("door check-in POST", rps=500, p50=20, p99=90),
        run.Result("200 registrations at once for 50 seats", rps=150, p50=500, p99=1200, confirmed=confirmed),
    ]
    exports = ["csv     10000 attendees    0.2 s  peak  1.5 MiB", "csv    100000 attendees    1.8 s  peak  1.6 MiB"]
    exports += ["xlsx    10000 attendees    1.0 s  peak  1.0 MiB", "xlsx   100000 attendees    9.0 s  peak  1.1 MiB"]
    return run.Run(
        settings={"quick": False, "events": 200, "registrations": 100_000, "duration": 10, "attendees": 100_000},
        hello=run.Result("Flask hello-world", rps=4000, p50=5, p99=15),
        databases={"SQLite": results},
        versions={"Python": "3.11"},
        exports=exports,
        page_cost={14: {"catalog": 10.0}, 1000: {"catalog": 11.0}},
    )


def test_the_targets_are_met_only_when_every_figure_reaches_the_issue_s_threshold():
    assert all(met for _, _, met in run.targets(_run(page_rps=2000, post_p99=250, confirmed=50)))

    missed = [target for target, _, met in run.targets(_run(page_rps=1900, post_p99=300, confirmed=51)) if not met]

    assert len(missed) == 6 + 1 + 1  # every page below 0.5×, the POST's p99 at 300 ms, one seat overbooked
    assert "SQLite: registration POST ≥ 300/s, p99 < 300 ms, no failure" in missed
    report = run.render(_run(page_rps=1900, post_p99=300, confirmed=51), "make bench")
    assert "| SQLite: check-in ≥ 300/s | 500/s, 0 failed | yes |" in report
    assert "| catalog: cost at 1,000 events ≤ 1.5× the cost at 14 | 1.1× | yes |" in report
