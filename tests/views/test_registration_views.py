"""Registration through the forms: wiring, every field's bad input, and the manage page."""

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from exchange.extensions import db
from exchange.models import Delegate, Event, OutboxMessage, Registration, RegistrationStatus

VALID = {
    "full_name": "Nguyễn Thị Lan",
    "email": "lan@example.com",
    "phone": "0912 345 678",
    "category": "student",
    "organization": "Đại học Cần Thơ",
    "country": "VN",
    "consent": "y",
}


def _registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


def _post(client, event, lang="en", **changes):
    data = {**VALID, **changes}
    return client.post(
        f"/{lang}/events/{event.slug}/register", data={key: value for key, value in data.items() if value is not None}
    )


def _manage_path(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def test_the_form_has_the_contract_field_names(client, make_event):
    page = client.get(f"/vi/events/{make_event().slug}/register").get_data(as_text=True)
    for name in ("full_name", "email", "phone", "category", "organization", "country", "consent"):
        assert f'name="{name}"' in page


def test_registering_redirects_to_the_manage_page(client, make_event):
    event = make_event()
    path = _manage_path(_post(client, event, lang="ko"))
    assert re.fullmatch(r"/ko/r/[A-Za-z0-9_-]{43}", path)
    page = client.get(path)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    registration = db.session.scalar(select(Registration))
    assert f'data-registration-status="confirmed" data-reference="{registration.reference}"' in text
    assert registration.phone == "+84912345678"
    assert registration.language == "ko"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "This field is required."),
        ("full_name", "   \u200b ", "This field is required."),
        ("full_name", "x" * 121, "Please use at most 120 characters."),
        ("full_name", "Lan\x00", "control characters"),
        ("full_name", "Lan\x07", "control characters"),
        ("full_name", "\u202eLan", "change the text direction"),
        ("full_name", "Lan\ufffd", "could not be read"),
        ("email", "", "This field is required."),
        ("email", "lan@", "Enter a valid email address"),
        ("email", "lan example.com", "Enter a valid email address"),
        ("email", "a" * 250 + "@example.com", "Please use at most 254 characters."),
        ("phone", "12", "Enter a valid phone number"),
        ("phone", "call me", "Enter a valid phone number"),
        ("category", "", "Please choose one."),
        ("category", "minister", "Please choose one of the options in the list."),
        ("country", "XX", "Please choose one of the options in the list."),
        ("country", "", "Please choose one."),
        ("organization", "o" * 201, "Please use at most 200 characters."),
        ("consent", None, "Please accept the privacy notice"),
        ("website", "http://spam.example", "Please leave this field empty."),
    ],
)
def test_bad_input_is_refused_by_the_field_and_nothing_is_stored(client, make_event, field, value, message):
    event = make_event()
    response = _post(client, event, **{field: value})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert 'value="Nguyễn Thị Lan"' in page or field == "full_name"  # what was typed is kept
    assert _registrations() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_invalid_utf8_is_refused_the_same_way_on_every_database(client, make_event):
    event = make_event()
    body = "full_name=Lan%FF%FE&email=lan%40example.com&category=student&country=VN&consent=y"
    response = client.post(f"/en/events/{event.slug}/register", data=body, content_type="application/x-www-form-urlencoded")
    assert "could not be read" in response.get_data(as_text=True)
    assert _registrations() == 0


@pytest.mark.parametrize(
    "name",
    ["ສົມພອນ ວົງສະຫວັນ", "សុខ សុភា", "김민준", "สมชาย ใจดี", "山田 花子", "Đặng Thị Hồng Nhung", "O'Brien-Smith"],
)
def test_names_in_every_script_are_welcome(client, make_event, name):
    event = make_event()
    _manage_path(_post(client, event, full_name=name))
    assert db.session.scalar(select(Registration.full_name)) == name


def test_text_is_stored_in_nfc_without_invisible_characters(client, make_event):
    event = make_event()
    _manage_path(_post(client, event, full_name="Nguye\u0302\u0303n\u200b  Lan", email="LAN@Example.com"))
    registration = db.session.scalar(select(Registration))
    assert registration.full_name == "Nguyễn Lan"
    assert registration.email_normalized == "lan@example.com"


@pytest.mark.seat_drift_expected  # seats held set by hand, without registrations
def test_fields_the_form_does_not_declare_change_nothing(client, make_event):
    event = make_event(capacity=1, seats_taken=1)
    _manage_path(_post(client, event, status="confirmed", seats="0", reference="CT-AAAA-AAAA"))
    registration = db.session.scalar(select(Registration))
    assert registration.status == RegistrationStatus.WAITLISTED
    assert registration.reference != "CT-AAAA-AAAA"


def test_a_second_registration_of_an_address_shows_a_neutral_page(client, make_event):
    event = make_event()
    _manage_path(_post(client, event))
    response = _post(client, event, email="LAN@example.com", full_name="Mallory")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Check your inbox" in page
    assert "Nguyễn Thị Lan" not in page and "CT-" not in page
    assert _registrations() == 1


def test_a_closed_window_says_so_and_stores_nothing(client, make_event):
    from datetime import timedelta

    from exchange.models import utcnow

    event = make_event(registration_opens_at=utcnow() + timedelta(days=2))
    page = client.get(f"/en/events/{event.slug}/register").get_data(as_text=True)
    assert "has not opened yet" in page and 'name="full_name"' not in page
    assert "has not opened yet" in _post(client, event).get_data(as_text=True)
    assert _registrations() == 0


def test_unknown_and_wrong_tokens_look_like_any_missing_page(client, make_event):
    event = make_event()
    path = _manage_path(_post(client, event))
    wrong = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    responses = [client.get(wrong), client.get("/en/r/short"), client.get("/en/does-not-exist")]
    assert {response.status_code for response in responses} == {404}
    assert len({response.get_data(as_text=True) for response in responses}) == 1


def test_opening_the_manage_page_changes_nothing_and_get_cannot_cancel(client, make_event):
    event = make_event()
    path = _manage_path(_post(client, event))
    for _ in range(3):
        assert client.get(path).status_code == 200
    assert client.get(path + "/cancel").status_code == 405
    assert db.session.scalar(select(Registration.status)) == RegistrationStatus.CONFIRMED


def test_cancelling_needs_the_confirmation_box(client, make_event):
    event = make_event()
    path = _manage_path(_post(client, event))
    refused = client.post(path + "/cancel", data={})
    assert "Tick the box to confirm" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Registration.status)) == RegistrationStatus.CONFIRMED
    done = client.post(path + "/cancel", data={"confirm": "y"})
    assert done.status_code == 303
    assert 'data-registration-status="cancelled"' in client.get(path).get_data(as_text=True)
    assert db.session.scalar(select(Event.seats_taken)) == 0


def test_editing_contact_details(client, make_event):
    event = make_event()
    path = _manage_path(_post(client, event))
    bad = client.post(path, data={"full_name": "", "category": "student", "country": "VN"})
    assert "This field is required." in bad.get_data(as_text=True)
    good = client.post(
        path, data={"full_name": "Trần Văn Minh", "category": "youth", "country": "LA", "phone": "+856 20 5555 1234"}
    )
    assert good.status_code == 303
    registration = db.session.scalar(select(Registration))
    db.session.refresh(registration)
    assert (registration.full_name, registration.country, registration.phone) == ("Trần Văn Minh", "LA", "+8562055551234")
    assert "Your changes are saved." in client.get(path).get_data(as_text=True)


def test_the_manage_calendar_has_a_uid_per_registration(client, make_event):
    from icalendar import Calendar

    event = make_event()
    path = _manage_path(_post(client, event))
    (entry,) = Calendar.from_ical(client.get(path + "/calendar.ics").data).walk("VEVENT")
    reference = db.session.scalar(select(Registration.reference))
    assert str(entry["uid"]) == f"registration-{reference}@cantho-cultural-exchange"


def _delegation_data(size, **changes):
    data = {
        "organization": "Consulate General of the Republic of Korea",
        "country": "KR",
        "contact_name": "Kim Min-jun",
        "contact_position": "Consul",
        "email": "consulate@example.org",
        "phone": "+82 10 1234 5678",
        "notes": "Two delegates need halal meals.\nArriving by boat.",
        "consent": "y",
    }
    for index in range(size):
        data |= {
            f"delegates-{index}-full_name": f"대표 {index + 1}",
            f"delegates-{index}-position": "Officer",
            f"delegates-{index}-nationality": "KR",
            f"delegates-{index}-dietary": "halal" if index < 2 else "",
            f"delegates-{index}-interpreter_language": "ko",
        }
    return data | changes


def test_a_delegation_of_ten_registers_and_is_pending(client, make_event):
    event = make_event(max_delegation_size=12, capacity=40)
    path = _manage_path(client.post(f"/ko/events/{event.slug}/delegation", data=_delegation_data(10)))
    registration = db.session.scalar(select(Registration))
    assert registration.status == RegistrationStatus.PENDING and registration.seats == 10
    assert [delegate.full_name for delegate in registration.delegates][9] == "대표 10"
    assert registration.notes == "Two delegates need halal meals.\nArriving by boat."
    assert 'data-registration-status="pending"' in client.get(path).get_data(as_text=True)


def test_delegate_rows_are_added_and_removed_without_javascript(client, make_event):
    event = make_event(max_delegation_size=3)
    url = f"/en/events/{event.slug}/delegation"
    added = client.post(url, data=_delegation_data(1, add_delegate="1")).get_data(as_text=True)
    assert 'name="delegates-1-full_name"' in added and "This field is required." not in added
    removed = client.post(url, data=_delegation_data(3, remove_delegate="1")).get_data(as_text=True)
    assert 'name="delegates-2-full_name"' not in removed and 'value="대표 3"' in removed
    assert _registrations() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"delegates-0-full_name": ""}, "delegates-0-full_name", "This field is required."),
        ({"delegates-1-nationality": "ZZ"}, "delegates-1-nationality", "Choose a country from the list."),
        ({"delegates-1-nationality": "Atlantis"}, "delegates-1-nationality", "Choose a country from the list."),
        ({"delegates-1-interpreter_language": "klingon"}, "delegates-1-interpreter_language", "Choose a language from the list"),
        ({"delegates-0-dietary": "d" * 201}, "delegates-0-dietary", "Please use at most 200 characters."),
        ({"phone": ""}, "phone", "This field is required."),
        ({"organization": "\u2066Evil\u2069"}, "organization", "change the text direction"),
        ({"notes": "n" * 2001}, "notes", "Please use at most 2000 characters."),
        ({"notes": "ok\x00"}, "notes", "control characters"),
        ({"organization": ""}, "organization", "This field is required."),
        ({"country": "ZZ"}, "country", "Please choose one of the options"),
        ({"contact_name": ""}, "contact_name", "This field is required."),
        ({"contact_name": "c" * 121}, "contact_name", "Please use at most 120 characters."),
        ({"contact_position": "p" * 121}, "contact_position", "Please use at most 120 characters."),
        ({"email": "consulate@@example.org"}, "email", "Enter a valid email address"),
        ({"phone": "+82 12"}, "phone", "Enter a valid phone number"),
        ({"delegates-1-full_name": "Kim\u202eevil"}, "delegates-1-full_name", "change the text direction"),
        ({"delegates-1-position": "x" * 121}, "delegates-1-position", "Please use at most 120 characters."),
        ({"delegates-1-email": "minjun@@example.kr"}, "delegates-1-email", "Enter a valid email address"),
        ({"delegates-0-language": "xx"}, "delegates-0-language", "Please choose one of the options"),
        ({"consent": ""}, "consent", "Please accept the privacy notice"),
    ],
)
def test_bad_delegation_input_is_refused_and_nothing_is_stored(client, make_event, changes, field, message):
    event = make_event()
    page = client.post(f"/en/events/{event.slug}/delegation", data=_delegation_data(2, **changes)).get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert _registrations() == 0


def test_too_many_delegates_are_refused(client, make_event):
    event = make_event(max_delegation_size=2)
    response = client.post(f"/en/events/{event.slug}/delegation", data=_delegation_data(3))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A delegation has at most 2 delegates; only the first 2 rows are shown." in page
    assert 'name="delegates-1-full_name"' in page and 'name="delegates-2-full_name"' not in page
    assert _registrations() == 0


def test_a_500_row_delegation_post_is_refused_with_a_page_as_small_as_the_largest_delegation(client, make_event):
    event = make_event(max_delegation_size=20)
    normal = client.post(f"/en/events/{event.slug}/delegation", data=_delegation_data(20, consent=""))
    oversized = client.post(f"/en/events/{event.slug}/delegation", data=_delegation_data(500))
    assert oversized.status_code == 422
    assert "A delegation has at most 20 delegates" in oversized.get_data(as_text=True)
    # The refusal shows the first 20 rows: about the size of a full form with an error, not 25 times it.
    assert len(oversized.get_data()) < 1.2 * len(normal.get_data())
    assert _registrations() == 0


def test_names_and_codes_both_work_for_nationality_and_interpreter_language(client, make_event):
    event = make_event()
    data = _delegation_data(2, **{"delegates-0-nationality": "Hàn Quốc", "delegates-0-interpreter_language": "tiếng Hàn"})
    response = client.post(f"/vi/events/{event.slug}/delegation", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    delegates = db.session.scalars(select(Delegate).order_by(Delegate.sort_order)).all()
    assert [(d.nationality, d.interpreter_language) for d in delegates] == [("KR", "ko"), ("KR", "ko")]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="Hàn Quốc"' in page  # the edit form shows the name in the page's language, not the code
    bigger = _delegation_data(8, email="another@example.org")
    bigger_page = client.get(client.post(f"/vi/events/{event.slug}/delegation", data=bigger).headers["Location"])

    # One shared list of countries and languages, however many delegate rows the page has (the list of whom
    # the contact may replace names each delegate, and each row's choice of its own email language has nine
    # options, so they are left out of the count).
    def shared_options(html: str) -> int:
        per_row = r'<select[^>]*name="(substitute-replaces|delegates-\d+-language|substitute-language)".*?</select>'
        return re.sub(per_row, "", html, flags=re.S).count("<option")

    assert shared_options(bigger_page.get_data(as_text=True)) == shared_options(page)


def test_enter_in_any_field_submits_the_form_not_remove(client, make_event):
    event = make_event()
    page = client.get(f"/en/events/{event.slug}/delegation").get_data(as_text=True)
    form = page[page.index('<form method="post" class="form"') :]
    first_submit = form[form.index("<button") : form.index("</button>")]
    assert 'name="remove_delegate"' not in first_submit and 'name="add_delegate"' not in first_submit
    assert "Register the delegation" in first_submit


def test_a_delegation_grows_on_its_manage_page(client, make_event):
    event = make_event(capacity=4)
    path = _manage_path(client.post(f"/en/events/{event.slug}/delegation", data=_delegation_data(2)))
    too_many = client.post(path, data=_delegation_data(5))
    assert "more seats are left" in too_many.get_data(as_text=True)
    assert client.post(path, data=_delegation_data(4)).status_code == 303
    assert db.session.scalar(select(Event.seats_taken)) == 4


def test_a_stale_csrf_token_keeps_what_was_typed(app, make_event):
    app.config["WTF_CSRF_ENABLED"] = True
    event = make_event()
    page = _post(app.test_client(), event).get_data(as_text=True)
    assert "This form was open for too long" in page
    assert 'value="Nguyễn Thị Lan"' in page
    assert _registrations() == 0


def test_registration_posts_are_rate_limited(app, make_event):
    from exchange import create_app

    limited = create_app(
        {
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "REGISTRATION_RATE_LIMIT": "2 per minute",
        }
    )
    event = make_event()
    client = limited.test_client()
    codes = [_post(client, event, email=f"p{number}@example.com").status_code for number in range(3)]
    with limited.app_context():
        db.engine.dispose()
    assert codes == [303, 303, 429]
    db.session.rollback()  # end the read snapshot this session took before the other app wrote
    assert _registrations() == 2


def test_a_form_sent_back_opens_with_a_summary_linking_to_each_mistake(client, make_event):
    event = make_event(titles={"th": "งานวัฒนธรรม"})
    page = client.post(f"/th/events/{event.slug}/register", data={"full_name": "สุดา", "email": "nope"}).get_data(as_text=True)
    assert 'role="alert" tabindex="-1" autofocus data-error-summary' in page
    summary = page[page.index("data-error-summary") : page.index("</div>", page.index("data-error-summary"))]
    targets = [part.split('"')[0] for part in summary.split('href="#')[1:]]
    assert targets == ["email", "category", "country", "consent"]  # the page's order; the name was fine
    for target in targets:
        assert f'id="{target}"' in page.split("</form>")[0].split("data-error-summary")[1]
    assert page.count('aria-invalid="true"') == 4
    with force_locale("th"):
        assert gettext("Privacy notice") in summary
