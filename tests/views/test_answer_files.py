"""File answers (a student card, a passport page): checked by their content, kept under instance/ with a
random name, carried over a form sent back with a mistake, served only to the event's organizers as an
attachment under a safe name, and deleted with the registration's personal data."""

import io
from pathlib import Path

import pytest
from image_files import photo
from question_rows import add_question
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Answer, AuditEntry, Registration
from exchange.models import QuestionType as T
from exchange.services.answer_files import STORED_NAME

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _form(**extra):
    return {
        "full_name": "Nguyễn Thị Lan", "email": "lan@example.com", "category": "student", "country": "VN",
        "consent": "y", **extra,
    }  # fmt: skip


def _upload(data: bytes, name: str):
    return (io.BytesIO(data), name)


def _post(client, event, data):
    return client.post(f"/en/events/{event.slug}/register", data=data, content_type="multipart/form-data")


def _stored(app) -> list[Path]:
    directory = Path(app.config["ANSWER_FILES_DIR"])
    return sorted(directory.iterdir()) if directory.is_dir() else []


@pytest.fixture
def card_event(make_event):
    event = make_event(slug="king-sejong")
    add_question(event, "card", T.FILE, ["individual"], 1, required=True)
    add_question(event, "university", T.TEXT, ["individual"], 2, required=True)
    return event


@pytest.mark.parametrize(
    ("content", "name", "kind", "download"),
    [
        (PDF, "student card.pdf", "application/pdf", "student card.pdf"),
        (photo(40, 30), "thẻ sinh viên.JPG", "image/jpeg", "thẻ sinh viên.jpg"),
        (photo(40, 30, format="PNG"), "scan", "image/png", "scan.png"),
        (PDF, "../../etc/pass\x07wd\u202e.pdf", "application/pdf", "passwd.pdf"),
        (PDF, "card.exe", "application/pdf", "card.pdf"),  # the extension follows what the file is
    ],
)
def test_a_file_is_kept_by_its_content_under_a_random_name(app, client, card_event, content, name, kind, download):
    response = _post(client, card_event, _form(q_card=_upload(content, name), q_university="CTU"))

    assert response.status_code == 303
    answer = db.session.scalar(select(Answer).where(Answer.question.has(key="card")))
    assert STORED_NAME.fullmatch(answer.value) and answer.file_type == kind and answer.file_name == download
    [path] = _stored(app)
    assert path.name == answer.value and path.read_bytes() == content
    assert Path(app.config["ANSWER_FILES_DIR"]).is_relative_to(app.instance_path) or "static" not in str(path)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "card.pdf", "Choose a PDF, JPEG or PNG file."),
        (b"GIF89a" + b"\x00" * 40, "card.png", "Choose a PDF, JPEG or PNG file."),
        (b"\xff\xd8\xff" + b"not really a jpeg", "card.jpg", "This image could not be read."),
        (b"", "empty.pdf", "This file is empty."),
    ],
)
def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused_and_nothing_is_kept(app, client, card_event, content, name, message):
    response = _post(client, card_event, _form(q_card=_upload(content, name), q_university="CTU"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="q_card-error"' in page and message in page
    assert _stored(app) == [] and db.session.scalar(select(Registration)) is None


def test_a_file_over_the_size_limit_is_refused_beside_its_field(app, client, card_event):
    app.config["ANSWER_FILE_MAX_BYTES"] = 1000

    response = _post(client, card_event, _form(q_card=_upload(PDF + b"0" * 1000, "big.pdf"), q_university="CTU"))

    assert response.status_code == 200 and "This file is larger than" in response.get_data(as_text=True)
    assert _stored(app) == []


def test_a_body_past_the_allowance_for_files_gets_the_too_large_page(app, client, card_event):
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, ANSWER_UPLOADS_MAX_BYTES=64 * 1024)  # small: the client keeps it in memory

    response = _post(client, card_event, _form(q_card=_upload(PDF + b"0" * 200 * 1024, "x.pdf")))

    assert response.status_code == 413 and _stored(app) == []


def test_a_file_sent_with_a_mistake_elsewhere_is_not_asked_for_again(app, client, card_event):
    first = _post(client, card_event, _form(q_card=_upload(PDF, "card.pdf"), q_university=""))
    page = first.get_data(as_text=True)
    token = page.split('name="kept-q_card" type="hidden" value="')[1].split('"')[0]

    second = _post(client, card_event, _form(q_university="CTU", **{"kept-q_card": token}))

    assert first.status_code == 200 and "Attached: card.pdf" in page
    assert second.status_code == 303
    answer = db.session.scalar(select(Answer).where(Answer.question.has(key="card")))
    assert [path.name for path in _stored(app)] == [answer.value] and answer.file_name == "card.pdf"


def test_a_forged_file_token_names_no_file(app, client, card_event):
    response = _post(client, card_event, _form(q_university="CTU", **{"kept-q_card": "WyIuLi9ldGMvcGFzc3dkIl0.forged"}))

    assert response.status_code == 200 and "Please choose a file." in response.get_data(as_text=True)


@pytest.fixture
def uploaded(app, client, card_event):
    _post(client, card_event, _form(q_card=_upload(PDF, "../the card\u202e.pdf"), q_university="CTU"))
    registration = db.session.scalar(select(Registration))
    answer = db.session.scalar(select(Answer).where(Answer.question.has(key="card")))
    return card_event, registration, answer


def _download(client, event, registration, answer):
    response = client.get(f"/organizer/events/{event.slug}/registrations/{registration.reference}/answers/{answer.id}/file")
    response.get_data()
    response.close()  # the file it streamed
    return response


def test_the_events_organizer_downloads_the_file_as_an_attachment_under_its_safe_name(client, login, make_user, uploaded):
    event, registration, answer = uploaded
    login(make_user("org@example.org", events=[event]))

    response = _download(client, event, registration, answer)
    detail = client.get(f"/organizer/events/{event.slug}/registrations/{registration.reference}").get_data(as_text=True)

    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="the card.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["Cache-Control"] == "no-store"
    assert f"/answers/{answer.id}/file" in detail


def test_a_non_ascii_name_is_sent_encoded(client, login, make_user, card_event):
    _post(client, card_event, _form(q_card=_upload(PDF, "thẻ sinh viên.pdf"), q_university="CTU"))
    registration = db.session.scalar(select(Registration))
    answer = db.session.scalar(select(Answer).where(Answer.question.has(key="card")))
    login(make_user("org@example.org", events=[card_event]))

    disposition = _download(client, card_event, registration, answer).headers["Content-Disposition"]

    assert disposition.startswith("attachment;") and "filename*=UTF-8''th%E1%BA%BB%20sinh%20vi%C3%AAn.pdf" in disposition


@pytest.mark.parametrize(("role", "assigned", "status"), [("organizer", False, 404), ("viewer", True, 404), ("door", True, 404)])
def test_nobody_else_downloads_it_and_a_refusal_looks_like_a_missing_page(
    client, login, make_user, make_event, uploaded, role, assigned, status
):
    event, registration, answer = uploaded
    login(make_user("other@example.org", role=role, events=[event] if assigned else [make_event()]))

    assert _download(client, event, registration, answer).status_code == status


def test_an_answer_id_of_another_registration_or_of_a_text_answer_is_a_404(client, login, make_user, uploaded, make_event):
    event, registration, answer = uploaded
    other_event = make_event()
    login(make_user("org@example.org", events=[event, other_event]))
    text_answer = db.session.scalar(select(Answer).where(Answer.question.has(key="university")))

    assert _download(client, event, registration, text_answer).status_code == 404
    assert (
        client.get(
            f"/organizer/events/{other_event.slug}/registrations/{registration.reference}/answers/{answer.id}/file"
        ).status_code
        == 404
    )
    assert _download(client, event, registration, type("A", (), {"id": 2**40})()).status_code == 404


def test_a_sensitive_files_download_is_audited(client, login, make_user, make_event):
    event = make_event()
    add_question(event, "passport_page", T.FILE, ["individual"], 1, sensitive=True)
    _post(client, event, _form(q_passport_page=_upload(PDF, "passport.pdf")))
    registration = db.session.scalar(select(Registration))
    answer = db.session.scalar(select(Answer))
    login(make_user("org@example.org", events=[event]))

    assert _download(client, event, registration, answer).status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "answer.downloaded"))
    assert entry is not None and entry.registration_id == registration.id


def test_erasing_the_registration_deletes_its_file(app, client, uploaded):
    from exchange.services.privacy import erase_registration
    from exchange.services.registrations import cancel

    _event, registration, _answer = uploaded
    assert len(_stored(app)) == 1

    cancel(registration.id)
    erase_registration(registration.id)

    assert _stored(app) == [] and db.session.scalar(select(Answer)) is None


def test_abandoned_files_are_deleted_after_a_day_and_saved_ones_stay(app, client, card_event):
    import time

    from exchange.services.answer_files import KEPT_FILE_SECONDS, discard_abandoned_files

    _post(client, card_event, _form(q_card=_upload(PDF, "abandoned.pdf"), q_university=""))  # never sent again
    _post(client, card_event, _form(q_card=_upload(PDF, "saved.pdf"), q_university="CTU"))
    saved = db.session.scalar(select(Answer.value).where(Answer.question.has(key="card")))

    assert discard_abandoned_files() == 0 and len(_stored(app)) == 2
    assert discard_abandoned_files(now=time.time() + KEPT_FILE_SECONDS + 60) == 1
    assert [path.name for path in _stored(app)] == [saved]


def test_the_retention_command_deletes_abandoned_files(app, client, card_event, runner):
    import os
    import time

    _post(client, card_event, _form(q_card=_upload(PDF, "abandoned.pdf"), q_university=""))
    [path] = _stored(app)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(path, (two_days_ago, two_days_ago))

    result = runner.invoke(args=["purge-personal-data", "--retention"])

    assert "Deleted 1 files sent with forms that were never completed." in result.output and _stored(app) == []


def test_nothing_is_stored_for_a_post_without_a_good_csrf_token_or_with_the_honeypot(app, client, card_event):
    app.config["WTF_CSRF_ENABLED"] = True
    forged = _post(client, card_event, _form(q_card=_upload(PDF, "card.pdf"), q_university="", csrf_token="forged"))
    app.config["WTF_CSRF_ENABLED"] = False
    robot = _post(client, card_event, _form(q_card=_upload(PDF, "card.pdf"), q_university="", website="http://spam"))

    assert forged.status_code == 200 and robot.status_code == 200 and _stored(app) == []


def test_a_file_sent_with_a_row_button_is_kept_for_the_submission(app, client, make_event):
    event = make_event()
    add_question(event, "page", T.FILE, ["delegate"], 1, required=True)
    data = {
        "organization": "Consulate", "country": "KR", "contact_name": "Kim", "email": "c@example.org",
        "phone": "+82 2 1234 5678", "consent": "y", "delegates-0-full_name": "A",
        "delegates-0-q_page": _upload(PDF, "page.pdf"), "add_delegate": "1",
    }  # fmt: skip

    page = client.post(f"/en/events/{event.slug}/delegation", data=data, content_type="multipart/form-data").get_data(
        as_text=True
    )

    token = page.split('name="delegates-0-kept-q_page" type="hidden" value="')[1].split('"')[0]
    assert token and len(_stored(app)) == 1 and 'name="delegates-1-full_name"' in page
