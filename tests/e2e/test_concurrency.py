"""No overbooking under concurrency: real HTTP requests to several gunicorn workers at once."""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from exchange.extensions import db
from exchange.models import Event, Registration, RegistrationStatus

PEOPLE = 120
CAPACITY = 20
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _register_everyone(base_url: str, slug: str) -> Counter:
    """Each person loads the form, then all submit at the same moment; returns the HTTP status codes."""
    start = threading.Barrier(PEOPLE, timeout=120)

    def person(number: int) -> int:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
        url = f"{base_url}/vi/events/{slug}/register"
        with opener.open(url, timeout=60) as page:
            token = CSRF.search(page.read().decode()).group(1)
        body = urllib.parse.urlencode(
            {
                "csrf_token": token,
                "full_name": f"Người tham dự {number}",
                "email": f"person{number}@example.com",
                "category": "student",
                "country": "VN",
                "consent": "y",
            }
        ).encode()
        start.wait()
        try:
            with opener.open(url, data=body, timeout=120) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        return Counter(pool.map(person, range(PEOPLE)))


def _tally(event_id: int) -> tuple[Counter, int]:
    db.session.rollback()
    statuses = Counter(db.session.scalars(select(Registration.status).where(Registration.event_id == event_id)))
    return statuses, db.session.scalar(select(Event.seats_taken).where(Event.id == event_id))


def test_a_rush_on_twenty_seats_fills_exactly_twenty(start_server, make_event):
    event = make_event(capacity=CAPACITY)
    with start_server(workers=4, threads=4) as base_url:
        codes = _register_everyone(base_url, event.slug)
    statuses, seats_taken = _tally(event.id)
    assert codes == Counter({303: PEOPLE}), "every request answered with the redirect to its manage page"
    assert statuses == Counter({RegistrationStatus.CONFIRMED: CAPACITY, RegistrationStatus.WAITLISTED: PEOPLE - CAPACITY})
    assert seats_taken == CAPACITY
    references = db.session.scalars(select(Registration.reference).where(Registration.event_id == event.id)).all()
    assert len(set(references)) == PEOPLE


@pytest.mark.seat_drift_expected
def test_negative_control_without_the_seat_lock_the_rush_goes_wrong(start_server, make_event):
    """The same rush with LOCKING off overbooks or fails: the test above can see a broken lock."""
    event = make_event(capacity=CAPACITY)
    with start_server(workers=4, threads=4, LOCKING="false") as base_url:
        codes = _register_everyone(base_url, event.slug)
    statuses, seats_taken = _tally(event.id)
    server_errors = sum(count for code, count in codes.items() if code >= 500)
    overbooked = statuses[RegistrationStatus.CONFIRMED] > CAPACITY or seats_taken != statuses[RegistrationStatus.CONFIRMED]
    assert overbooked or server_errors, (codes, statuses, seats_taken)
    assert db.session.scalar(select(func.count()).select_from(Registration)) <= PEOPLE
