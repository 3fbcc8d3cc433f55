"""Answers in the attendee lists: a column per question, choice keys in the CSV, labels in the XLSX,
delegates' own answers on their rows, sensitive answers only when chosen (and audited)."""

import codecs
import csv
import io

from openpyxl import load_workbook
from question_rows import SIZES, add_answer, add_question
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import AuditEntry, QuestionType, utcnow
from exchange.services import exports
from exchange.services.exports import EXPORT_COLUMNS, attendee_rows, csv_chunks, export_questions, write_xlsx
from exchange.services.registrations import register


def _read_csv(chunks):
    data = b"".join(chunks)
    assert data.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _setup(make_event, individual, delegation):
    event = make_event()
    size = add_question(event, "size", QuestionType.CHOICE, ["individual", "delegate"], 1, choices=SIZES)
    bus = add_question(event, "bus", QuestionType.YES_NO, ["individual", "contact"], 2)
    passport = add_question(event, "passport", QuestionType.TEXT, ["individual", "delegate"], 3, sensitive=True)
    person = register(event.id, individual()).registration
    group = register(event.id, delegation(size=2)).registration
    add_answer(size, person, "m")
    add_answer(bus, person, "no")
    add_answer(passport, person, "C1234567")
    add_answer(size, group, "s", group.delegates[0])
    add_answer(size, group, "m", group.delegates[1])
    add_answer(passport, group, "M7654321", group.delegates[1])
    add_answer(bus, group, "yes")  # the contact's, for the whole delegation
    return event, person, group


def test_csv_has_a_q_column_per_question_with_choice_keys_and_delegates_own_answers(make_event, individual, delegation):
    event, person, group = _setup(make_event, individual, delegation)
    questions = export_questions(event)

    table = _read_csv(csv_chunks(attendee_rows(event, lang="en", questions=questions), questions))

    assert table[0] == [*EXPORT_COLUMNS, "q_size", "q_bus"]  # the sensitive question is left out
    rows = {row[3]: row[len(EXPORT_COLUMNS) :] for row in table[1:]}
    assert rows == {"Nguyễn Thị Lan": ["m", "no"], "Delegate 1": ["s", "yes"], "Delegate 2": ["m", "yes"]}
    assert "C1234567" not in str(table) and "M7654321" not in str(table)


def test_sensitive_answers_only_when_chosen(make_event, individual, delegation):
    event, person, group = _setup(make_event, individual, delegation)
    questions = export_questions(event, include_sensitive=True)

    table = _read_csv(csv_chunks(attendee_rows(event, lang="en", questions=questions), questions))

    assert table[0][-3:] == ["q_size", "q_bus", "q_passport"]
    rows = {row[3]: row[-1] for row in table[1:]}
    assert rows == {"Nguyễn Thị Lan": "C1234567", "Delegate 1": "", "Delegate 2": "M7654321"}


def test_xlsx_heads_answer_columns_with_labels_and_shows_choice_labels(make_event, individual, delegation):
    event, person, group = _setup(make_event, individual, delegation)
    questions = export_questions(event)
    buffer = io.BytesIO()

    write_xlsx(attendee_rows(event, lang="vi", questions=questions, readable=True), buffer, "vi", questions)

    sheet = load_workbook(buffer).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][-2:] == ["Size nhãn", "Bus nhãn"]
    answers = {row[3]: row[-2:] for row in values[1:]}
    assert answers["Nguyễn Thị Lan"] == ["Vừa", "Không"]
    assert answers["Delegate 1"] == ["Nhỏ", "Có"]
    assert sheet.auto_filter.ref == f"A1:{chr(ord('A') + len(EXPORT_COLUMNS) + 1)}4"


def test_answers_are_neutralised_like_every_cell(make_event, individual):
    event = make_event()
    note = add_question(event, "note", QuestionType.TEXT, ["individual"], 1)
    person = register(event.id, individual()).registration
    add_answer(note, person, '=HYPERLINK("http://evil")')
    questions = export_questions(event)

    table = _read_csv(csv_chunks(attendee_rows(event, questions=questions), questions))

    assert table[1][-1] == '\'=HYPERLINK("http://evil")'


def test_a_retired_question_stays_while_it_has_answers_and_multiple_choices_join_keys(make_event, individual):
    event = make_event()
    gone = add_question(event, "gone", QuestionType.TEXT, ["individual"], 1, retired_at=utcnow())
    add_question(event, "unanswered_gone", QuestionType.TEXT, ["individual"], 2, retired_at=utcnow())
    meals = add_question(event, "meals", QuestionType.MULTIPLE_CHOICE, ["individual"], 3, choices=SIZES)
    person = register(event.id, individual()).registration
    add_answer(gone, person, "kept")
    add_answer(meals, person, '["s", "m"]')
    questions = export_questions(event)

    table = _read_csv(csv_chunks(attendee_rows(event, questions=questions), questions))

    assert table[0][len(EXPORT_COLUMNS) :] == ["q_gone", "q_meals"]
    assert table[1][len(EXPORT_COLUMNS) :] == ["kept", "s|m"]


def test_answers_are_read_in_one_query_per_batch(make_event, individual, statements, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    event = make_event(capacity=10)
    size = add_question(event, "size", QuestionType.CHOICE, ["individual"], 1, choices=SIZES)
    for number in range(5):
        registration = register(event.id, individual(email=f"p{number}@example.com")).registration
        add_answer(size, registration, "s")
    questions = export_questions(event)
    statements.clear()

    rows = list(attendee_rows(event, questions=questions))

    assert [row[-1] for row in rows] == ["s"] * 5
    answer_reads = [sql for sql in statements if sql.startswith("SELECT answer.")]
    assert len(answer_reads) == 3  # batches of 2, 2 and 1


def test_an_event_without_questions_reads_no_answers(make_event, individual, statements):
    event = make_event()
    register(event.id, individual())
    statements.clear()

    rows = list(attendee_rows(event, questions=export_questions(event)))

    assert len(rows) == 1 and len(rows[0]) == len(EXPORT_COLUMNS)
    assert [sql for sql in statements if sql.startswith("SELECT answer.")] == []


def test_cli_leaves_sensitive_answers_out_unless_asked_and_audits_it(make_event, individual, delegation, runner, tmp_path):
    event, person, group = _setup(make_event, individual, delegation)
    plain, chosen = tmp_path / "plain.csv", tmp_path / "chosen.csv"

    first = runner.invoke(args=["export", event.slug, "--format", "csv", "-o", str(plain)])
    second = runner.invoke(args=["export", event.slug, "--format", "csv", "-o", str(chosen), "--include-sensitive"])

    assert first.exit_code == 0 and second.exit_code == 0, (first.output, second.output)
    assert "C1234567" not in plain.read_text("utf-8-sig") and "C1234567" in chosen.read_text("utf-8-sig")
    entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.exported")))
    assert [entry.details for entry in entries] == [{"format": "csv", "sensitive": True}]
    assert entries[0].event_id == event.id
