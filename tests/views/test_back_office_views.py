"""The back office through HTTP: signing in, the editor, actions, check-in by QR, exports."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import AuditEntry, Event, EventStatus, Registration, RegistrationStatus
from exchange.services.registrations import register
from exchange.services.tickets import tickets

PASSWORD = "correct horse battery staple"


@pytest.fixture
def organizer(make_user, make_event, happening_now):
    event = make_event(slug="yoga-day-2031", titles={"en": "Yoga Day", "vi": "Ngày Yoga"}, capacity=10, **happening_now)
    return make_user("organizer@example.org", events=[event]), event


def test_signing_in_goes_to_the_page_asked_for_but_never_off_site(client, organizer):
    for target, expected in (("/organizer/events/yoga-day-2031/checkin", "/organizer/events/yoga-day-2031/checkin"),
                             ("https://evil.example/", "/organizer/"), ("//evil.example/", "/organizer/")):  # fmt: skip
        client.post("/organizer/logout")
        response = client.post("/organizer/login", data={"email": "organizer@example.org", "password": PASSWORD, "next": target})
        assert response.status_code == 303 and response.headers["Location"] == expected


def test_a_wrong_password_says_so_without_saying_which(client, organizer):
    for email in ("organizer@example.org", "nobody@example.org"):
        page = client.post("/organizer/login", data={"email": email, "password": "wrong"}, headers={"Accept-Language": "en"})
        page = page.get_data(as_text=True)
        assert "The email address or the password is not right." in page
    assert client.get("/organizer/").status_code == 302


def test_sign_out_is_a_post(client, login, organizer):
    login(organizer[0])
    assert client.get("/organizer/logout").status_code == 405
    assert client.post("/organizer/logout").status_code == 303
    assert client.get("/organizer/").status_code == 302


def test_the_back_office_speaks_the_organizers_language(client, login, make_user):
    from flask_babel import force_locale, gettext

    login(make_user("minji@example.org", language="ko"))
    page = client.get("/organizer/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    with force_locale("ko"):
        assert gettext("Dashboard") in page
    assert '<html lang="ko">' in page


def _event_form(**changes):
    data = {
        "slug": "mekong-day-2031", "category": "culture", "timezone": "Asia/Ho_Chi_Minh", "starts_at": "2031-06-01T09:00",
        "ends_at": "2031-06-01T12:00", "venue_name": "Bến Ninh Kiều", "venue_address": "", "capacity": "30",
        "registration_opens_at": "2031-04-01T08:00", "registration_closes_at": "2031-05-30T23:00", "allows_individuals": "y",
        "max_delegation_size": "5", "content-vi-title": "Ngày hội sông Mê Kông", "content-vi-summary": "",
        "content-vi-description": "**Chào mừng**", "content-lo-title": "ວັນແມ່ນ້ຳຂອງ",
    }  # fmt: skip
    return data | changes


def test_creating_an_event_in_two_languages(client, login, organizer):
    login(organizer[0])
    response = client.post("/organizer/events/new", data=_event_form())
    assert response.status_code == 303
    event = db.session.scalar(select(Event).where(Event.slug == "mekong-day-2031"))
    assert event.status == EventStatus.DRAFT and event.capacity == 30
    assert event.starts_at.isoformat() == "2031-06-01T02:00:00+00:00"  # 09:00 in Cần Thơ
    assert {t.lang: t.title for t in event.translations} == {"vi": "Ngày hội sông Mê Kông", "lo": "ວັນແມ່ນ້ຳຂອງ"}
    page = client.get("/organizer/events/mekong-day-2031/edit").get_data(as_text=True)
    assert page.count('class="missing-mark"') == 6  # six languages still to translate
    preview = client.post("/organizer/events/mekong-day-2031/edit", data=_event_form(preview_lang="vi")).get_data(as_text=True)
    assert "<strong>Chào mừng</strong>" in preview
    assert client.post("/organizer/events/mekong-day-2031/publish").status_code == 303
    assert db.session.scalar(select(Event.status).where(Event.slug == "mekong-day-2031")) == EventStatus.PUBLISHED


def test_bad_event_input_is_refused_with_a_message(client, login, organizer):
    login(organizer[0])
    page = client.post("/organizer/events/new", data=_event_form(slug="Bad Slug!", capacity="-3", starts_at="tomorrow")).get_data(
        as_text=True
    )
    assert "Use lowercase letters, digits and hyphens." in page and "Enter a whole number from 0 to 1000000." in page
    assert db.session.scalar(select(Event).where(Event.slug == "mekong-day-2031")) is None


def test_approving_a_delegation_from_its_page(client, login, organizer, delegation):
    user, event = organizer
    registration = register(event.id, delegation(size=2)).registration
    login(user)
    url = f"/organizer/events/{event.slug}/registrations/{registration.reference}"
    assert "Delegate 2" in client.get(url).get_data(as_text=True)
    assert client.post(url + "/approve", data={"message": "See you at 8."}).status_code == 303
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CONFIRMED
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.user_email, entry.action) == ("organizer@example.org", "registration.approved")
    history = client.get(url).get_data(as_text=True)
    assert "See you at 8." in history


def test_scanning_a_ticket_checks_in_once(client, login, organizer, individual):
    user, event = organizer
    registration = register(event.id, individual(full_name="Phạm Minh Tuấn")).registration
    path = tickets(registration)[0].url.split("events.example.test", 1)[1]
    assert client.get(path).status_code == 302  # a camera app before sign-in: the login page
    login(user)
    first = client.get(path).get_data(as_text=True)
    second = client.get(path).get_data(as_text=True)
    assert "Phạm Minh Tuấn is checked in" in first
    assert "already checked in" in second
    assert client.get(path[:-3] + "abc").status_code == 404


def test_exports_csv_and_xlsx_with_every_script_intact(client, login, organizer, individual, delegation, xlsx_export):
    user, event = organizer
    register(event.id, individual(full_name='=HYPERLINK("http://x")'))
    group = register(event.id, delegation(size=1)).registration
    group.delegates[0].full_name = "ສົມພອນ ວົງສະຫວັນ"
    db.session.commit()
    login(user)
    response = client.get(f"/organizer/events/{event.slug}/export.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="attendees-yoga-day-2031.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[1][3] == '\'=HYPERLINK("http://x")' and rows[2][3] == "ສົມພອນ ວົງສະຫວັນ"
    _, xlsx = xlsx_export(f"/organizer/events/{event.slug}/export.xlsx?status=pending")
    assert xlsx.headers["Content-Disposition"] == "attachment; filename=attendees-yoga-day-2031.xlsx"
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    xlsx.close()
    assert [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["ສົມພອນ ວົງສະຫວັນ"]
    assert client.get(f"/organizer/events/{event.slug}/export.csv?status=bogus").status_code == 400
    assert [entry.details["format"] for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [
        "csv",
        "xlsx",
    ]


def test_sign_in_sheet_groups_delegations(client, login, organizer, delegation, individual):
    from exchange.services import registration_admin
    from exchange.services.audit import Actor

    user, event = organizer
    register(event.id, individual(full_name="Võ Thị Sáu"))
    group = register(event.id, delegation(size=2)).registration
    registration_admin.approve(Actor(user=user), group.id)
    login(user)
    page = client.get(f"/organizer/events/{event.slug}/sign-in-sheet").get_data(as_text=True)
    assert "Võ Thị Sáu" in page and "Consulate General of Korea" in page and "print.css" in page
    assert page.index("Consulate General of Korea") < page.index("Delegate 1") < page.index("Delegate 2")


def test_bulk_approve_from_the_table(client, login, organizer, delegation):
    user, event = organizer
    ids = [register(event.id, delegation(size=1, email=f"d{n}@example.org")).registration.id for n in range(3)]
    login(user)
    response = client.post(
        f"/organizer/events/{event.slug}/registrations/bulk", data={"action": "approve", "selected": [str(i) for i in ids[:2]]}
    )
    assert response.status_code == 303
    statuses = [db.session.get(Registration, i).status for i in ids]
    db.session.expire_all()
    statuses = [db.session.get(Registration, i).status for i in ids]
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING]


def test_admin_assigns_events_to_an_organizer(client, login, make_user, organizer, make_event):
    other = make_event(slug="laos-60-years-2031")
    admin = make_user("admin@example.org", role="admin")
    login(admin)
    user, event = organizer
    response = client.post(f"/organizer/admin/users/{user.id}", data={"email": user.email, "role": "organizer", "active": "y",
                                                                      "events": [str(event.id), str(other.id)]})  # fmt: skip
    assert response.status_code == 303
    db.session.refresh(user)
    assert sorted(e.slug for e in user.events) == ["laos-60-years-2031", "yoga-day-2031"]
    assert db.session.scalar(select(AuditEntry.action)) == "user.updated"


def test_duplicating_an_event_whose_title_counts_years_warns_on_the_editor(client, login, make_user, make_event):
    club = make_event(slug="yoga-club-2031", titles={"en": "Cần Thơ Yoga Club: 10 Years"})
    plain = make_event(slug="yoga-day-2031", titles={"en": "Yoga Day"})
    login(make_user("organizer@example.org", events=[club, plain]))
    warning = "A title counts years (such as an anniversary)"
    page = client.post("/organizer/events/yoga-club-2031/duplicate", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert warning in page.get_data(as_text=True) and "notice--warning" in page.get_data(as_text=True)
    page = client.post("/organizer/events/yoga-day-2031/duplicate", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "ready as a draft" in page.get_data(as_text=True) and warning not in page.get_data(as_text=True)


def test_the_summary_keeps_its_line_breaks_and_other_one_line_fields_refuse_them(client, login, organizer):
    login(organizer[0])
    summary = "Nhạc đờn ca tài tử.\r\nẨm thực Nam Bộ."
    response = client.post("/organizer/events/new", data=_event_form(**{"content-vi-summary": summary}))
    assert response.status_code == 303
    translation = db.session.scalar(select(Event).where(Event.slug == "mekong-day-2031")).content("vi")
    assert translation.summary == "Nhạc đờn ca tài tử.\nẨm thực Nam Bộ."  # one kind of line break
    page = client.post(
        "/organizer/events/new", data=_event_form(slug="other-2031", **{"content-vi-title": "Dòng một\nDòng hai"})
    ).get_data(as_text=True)
    assert "This field contains control characters. Please remove them." in page
    assert 'href="#content-vi-title"' in page and 'id="content-vi-title"' in page


def test_the_editor_lists_the_mistakes_of_every_language_at_once(client, login, organizer):
    login(organizer[0])
    long_title = "x" * 201
    page = client.post(
        "/organizer/events/new",
        data=_event_form(capacity="-1", **{"content-vi-title": long_title, "content-ko-title": long_title}),
    ).get_data(as_text=True)
    summary = page[page.index("data-error-summary") : page.index("</ul>", page.index("data-error-summary"))]
    assert [line.split('"')[0] for line in summary.split('href="#')[1:]] == ["capacity", "content-vi-title", "content-ko-title"]
    assert page.count('aria-invalid="true"') == 3


def test_the_editor_sets_until_when_delegations_may_replace_someone_and_whether_substitutes_need_approval(
    client, login, organizer
):
    login(organizer[0])
    form = _event_form(allows_delegations="y", substitution_deadline="2031-05-31T18:00", substitutes_need_approval="y")
    assert client.post("/organizer/events/new", data=form).status_code == 303
    event = db.session.scalar(select(Event).where(Event.slug == "mekong-day-2031"))
    assert event.substitution_deadline.isoformat() == "2031-05-31T11:00:00+00:00"  # 18:00 in Cần Thơ
    assert event.substitutes_need_approval is True
    page = client.get("/organizer/events/mekong-day-2031/edit").get_data(as_text=True)
    assert 'value="2031-05-31T18:00"' in page

    late = client.post("/organizer/events/mekong-day-2031/edit", data=form | {"substitution_deadline": "2031-06-02T09:00"})
    assert "Substitutions must close before the event ends." in late.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.scalar(select(Event.substitution_deadline).where(Event.slug == "mekong-day-2031"))
    assert kept.isoformat() == "2031-05-31T11:00:00+00:00"
