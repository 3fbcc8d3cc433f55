"""Answers and retention: erasing a registration deletes its answers and their files, and
`purge-personal-data` deletes sensitive answers first, after SENSITIVE_ANSWERS_KEPT_DAYS."""

import logging
from datetime import timedelta

from sqlalchemy import func, select

from exchange.extensions import db
from exchange.models import Answer, Question, QuestionType, Registration, RegistrationStatus, utcnow
from exchange.services import registration_admin as actions
from exchange.services.answers import answer_files_dir
from exchange.services.audit import Actor
from exchange.services.privacy import erase_registration, purge_personal_data, purge_sensitive_answers
from exchange.services.registrations import register


def _past_event(make_event, days_ago):
    starts_at = utcnow() - timedelta(days=days_ago)
    return make_event(
        starts_at=starts_at, registration_opens_at=starts_at - timedelta(days=60),
        registration_closes_at=utcnow() + timedelta(days=1),
    )  # fmt: skip


def _questions(event):
    passport = Question(event_id=event.id, key="passport", type=QuestionType.TEXT, asked_of=["individual"], sensitive=True)
    scan = Question(event_id=event.id, key="scan", type=QuestionType.FILE, asked_of=["individual"], sensitive=True, position=1)
    photo = Question(event_id=event.id, key="photo", type=QuestionType.FILE, asked_of=["individual"], position=2)
    size = Question(event_id=event.id, key="size", type=QuestionType.TEXT, asked_of=["individual"], position=3)
    db.session.add_all([passport, scan, photo, size])
    db.session.commit()
    return passport, scan, photo, size


def _answered(event, individual, email):
    passport, scan, photo, size = _questions(event) if not event.questions else sorted(event.questions, key=lambda q: q.position)
    registration = register(event.id, individual(email=email)).registration
    folder = answer_files_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = {}
    for question in (scan, photo):
        name = f"{question.key}-{registration.id}.pdf"
        (folder / name).write_bytes(b"%PDF-1.4 test")
        stored[question.key] = name
        db.session.add(Answer(question_id=question.id, registration_id=registration.id, value=name, file_name="x.pdf"))
    db.session.add(Answer(question_id=passport.id, registration_id=registration.id, value="B7654321"))
    db.session.add(Answer(question_id=size.id, registration_id=registration.id, value="M"))
    db.session.commit()
    return registration, stored


def _answers(registration_id):
    return db.session.scalar(select(func.count()).select_from(Answer).where(Answer.registration_id == registration_id))


def test_erasing_a_registration_deletes_its_answers_and_their_files(app, tmp_path, make_event, individual, make_user):
    app.config["ANSWER_FILES_DIR"] = str(tmp_path / "answers")
    event = make_event()
    registration, stored = _answered(event, individual, "lan@example.com")
    actions.cancel_by_organizer(Actor(user=make_user("o@example.org")), registration.id)

    erase_registration(registration.id)

    assert _answers(registration.id) == 0
    assert not any((answer_files_dir() / name).exists() for name in stored.values())


def test_purge_deletes_answers_and_files_and_reports_them(app, tmp_path, make_event, individual):
    app.config["ANSWER_FILES_DIR"] = str(tmp_path / "answers")
    event = _past_event(make_event, days_ago=200)
    registration, stored = _answered(event, individual, "old@example.com")

    dry = purge_personal_data(utcnow(), dry_run=True)
    assert (dry.answers, dry.answer_files) == (4, 2) and _answers(registration.id) == 4
    report = purge_personal_data(utcnow())

    assert (report.answers, report.answer_files) == (4, 2)
    assert _answers(registration.id) == 0
    assert list(answer_files_dir().iterdir()) == []


def test_sensitive_answers_go_first_and_alone(app, tmp_path, make_event, individual):
    app.config["ANSWER_FILES_DIR"] = str(tmp_path / "answers")
    event = _past_event(make_event, days_ago=40)
    registration, stored = _answered(event, individual, "lan@example.com")

    report = purge_sensitive_answers(utcnow())

    assert (report.answers, report.answer_files, report.events) == (2, 1, [event.slug])
    kept = db.session.scalars(select(Answer.value).where(Answer.registration_id == registration.id))
    assert sorted(kept) == sorted(["M", stored["photo"]])
    assert not (answer_files_dir() / stored["scan"]).exists() and (answer_files_dir() / stored["photo"]).exists()
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).email == "lan@example.com"  # the rest waits for its own purge
    assert purge_sensitive_answers(utcnow()).answers == 0


def test_retention_deletes_sensitive_answers_after_their_own_shorter_delay(app, tmp_path, runner, make_event, individual):
    app.config.update(ANSWER_FILES_DIR=str(tmp_path / "answers"), RETENTION_DAYS=180, SENSITIVE_ANSWERS_KEPT_DAYS=30)
    ended_long_ago = _past_event(make_event, days_ago=31)
    recent = _past_event(make_event, days_ago=29)
    old_registration, _ = _answered(ended_long_ago, individual, "old@example.com")
    recent_registration, _ = _answered(recent, individual, "recent@example.com")

    result = runner.invoke(args=["purge-personal-data", "--retention"])

    assert result.exit_code == 0, result.output
    assert "Deleted 2 sensitive answers of events that ended more than 30 days ago (1 events)" in result.output
    assert "Anonymised 0 registrations" in result.output
    assert _answers(old_registration.id) == 2 and _answers(recent_registration.id) == 4


def test_a_stored_name_never_reaches_outside_the_folder(app, tmp_path, make_event, individual):
    app.config["ANSWER_FILES_DIR"] = str(tmp_path / "answers")
    outside = tmp_path / "keep.txt"
    outside.write_text("keep")
    event = _past_event(make_event, days_ago=200)
    registration, _ = _answered(event, individual, "old@example.com")
    scan = next(question for question in event.questions if question.key == "scan")
    answer = db.session.scalar(select(Answer).where(Answer.question_id == scan.id))
    answer.value = "../keep.txt"
    db.session.commit()

    purge_personal_data(utcnow())

    assert outside.read_text() == "keep"


def test_no_sensitive_value_reaches_a_log_line(app, tmp_path, make_event, individual, caplog, runner):
    app.config["ANSWER_FILES_DIR"] = str(tmp_path / "answers")
    event = _past_event(make_event, days_ago=200)
    _answered(event, individual, "old@example.com")
    caplog.set_level(logging.DEBUG)

    runner.invoke(args=["export", event.slug, "--format", "csv", "-o", str(tmp_path / "x.csv"), "--include-sensitive"])
    runner.invoke(args=["purge-personal-data", "--retention"])

    assert "B7654321" not in caplog.text
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.status == RegistrationStatus.CONFIRMED)) == 1  # fmt: skip
