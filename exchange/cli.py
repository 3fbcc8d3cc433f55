"""Command-line interface: `flask --app wsgi <command>`. Each command is a thin call into services."""

from __future__ import annotations

import json
import signal
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import select

from .errors import ExchangeError, InvalidEventData
from .extensions import db
from .i18n import LOCALES
from .links import external_url
from .models import Event, RegistrationStatus, UserRole, utcnow
from .services.accounts import create_user, user_exists
from .services.answer_files import discard_abandoned_files
from .services.approval_requests import send_approval_digests
from .services.audit import record_by_command
from .services.demo import load_programme, seed_demo
from .services.event_io import import_events
from .services.exports import attendee_rows, csv_chunks, export_questions, write_xlsx
from .services.invitations import InvitationDraft, deadline_on, expire_invitations, invite
from .services.mailer import send_due
from .services.privacy import purge_personal_data, purge_sensitive_answers
from .services.registrations import expire_pending
from .services.reminders import queue_reminders
from .services.seats import seat_drift


def register(app: Flask) -> None:
    for command in (
        seed_demo_command, import_events_command, outbox_group, send_reminders_command, create_user_command, export_command,
        create_demo_organizer_command, purge_personal_data_command, check_seats_command, expire_pending_command,
        send_approval_digests_command, invite_command, expire_invitations_command,
    ):  # fmt: skip
        app.cli.add_command(command)


ONLY_DEFAULT_DATABASE = click.option(
    "--only-default-database",
    is_flag=True,
    help="Do nothing unless the database is the default SQLite file in instance/ (what `make run` passes).",
)


def _configured_elsewhere(only_default_database: bool) -> bool:
    """True (and says so) when `make run` must leave a database that is not its own default one alone."""
    if not only_default_database:
        return False
    default = f"sqlite:///{Path(current_app.instance_path) / 'exchange.sqlite3'}"
    if current_app.config["SQLALCHEMY_DATABASE_URI"] == default:
        return False
    click.echo(
        "The database is configured (not make run's own instance/exchange.sqlite3): no demo data or demo account "
        "written to it. Run `flask seed-demo` and `flask create-demo-organizer` yourself if you want them there."
    )
    return True


@click.command("seed-demo")
@click.option("--year", type=click.IntRange(2000, 2200), help="Date every event in this year instead of its next occurrence.")
@ONLY_DEFAULT_DATABASE
@with_appcontext
def seed_demo_command(year: int | None, only_default_database: bool) -> None:
    """Load the city's cultural-diplomacy programme (events already there are kept)."""
    if _configured_elsewhere(only_default_database):
        return
    today = datetime.now(ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])).date()
    result = seed_demo(today, year)
    left_out = len(load_programme()) - len(result.created) - len(result.kept)
    click.echo(
        f"Demo programme: {len(result.created)} events created, {len(result.kept)} already there"
        + (f", {left_out} left out (registration already closed in {year})." if left_out else ".")
    )


@click.command("import-events")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@with_appcontext
def import_events_command(file) -> None:
    """Create or update events from a JSON file in the API's shape ({"events": [...]}), by slug."""
    try:
        payload = json.load(file)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{file.name} is not valid UTF-8 JSON: {error}") from error
    try:
        result = import_events(payload)
    except InvalidEventData as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException(f"{len(error.problems)} problem(s) found; nothing was imported.") from error
    click.echo(f"Imported {file.name}: {len(result.created)} created, {len(result.updated)} updated.")
    for slug, changes in result.questions.items():
        if changes.retired:
            retired = ", ".join(changes.retired)
            click.echo(f"{slug}: {retired} no longer asked; their {changes.answers_kept} answer(s) are kept.")


@click.group("outbox")
def outbox_group() -> None:
    """The email outbox."""


@outbox_group.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering as messages arrive, until stopped.")
@with_appcontext
def outbox_send_command(loop: bool) -> None:
    """Deliver queued email; safe to run on several machines at once."""
    stop = _stop_on_signals()
    while True:
        report = send_due()
        if report.sent or report.retrying or report.failed:
            click.echo(f"Outbox: {len(report.sent)} sent, {len(report.retrying)} to retry, {len(report.failed)} failed.")
        if not loop or stop.is_set():
            return
        stop.wait(current_app.config["OUTBOX_POLL_SECONDS"])
        if stop.is_set():
            return


def _stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, so a loop finishes the message in hand and exits."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    return stop


@click.command("send-reminders")
@with_appcontext
def send_reminders_command() -> None:
    """Queue reminder emails for events starting within 48 hours (each registration once)."""
    click.echo(f"Reminders queued: {queue_reminders()}.")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in UserRole]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of prompting.")
@click.option("--language", type=click.Choice(LOCALES), default="vi", show_default=True)
@with_appcontext
def create_user_command(email: str, role: str, password_stdin: bool, language: str) -> None:
    """Open an account; the password comes from a prompt, or from stdin with --password-stdin."""
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else click.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    try:
        user = create_user(email, password, UserRole(role), language)
    except ExchangeError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Created {user.role.value} {user.email}.")


@click.command("create-demo-organizer")
@ONLY_DEFAULT_DATABASE
@with_appcontext
def create_demo_organizer_command(only_default_database: bool) -> None:
    """For `make run`: an administrator account for trying the back office, printed with its password."""
    if _configured_elsewhere(only_default_database):
        return
    email, password = "demo@example.org", "ninh-kieu-wharf-lanterns"
    if not user_exists(email):
        create_user(email, password, UserRole.ADMIN, "vi")
    click.echo(f"Back office: {current_app.config['BASE_URL'].rstrip('/')}/organizer/  sign in as {email} / {password}")


@click.command("export")
@click.argument("slug")
@click.option("--format", "export_format", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--status", type=click.Choice([status.value for status in RegistrationStatus]), default=None)
@click.option(
    "--language",
    type=click.Choice(LOCALES),
    default="vi",
    show_default=True,
    help="Alphabetical order of the names; language of the XLSX.",
)
@click.option("--include-sensitive", is_flag=True, help="Add the answers to sensitive questions (left out otherwise).")
@with_appcontext
def export_command(
    slug: str, export_format: str, output: str, status: str | None, language: str, include_sensitive: bool
) -> None:
    """Write an event's attendee list, the same file as the back office gives."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event has the slug {slug!r}.")
    questions = export_questions(event, include_sensitive=include_sensitive)
    if include_sensitive:
        record_by_command("event.exported", event=event, format=export_format, sensitive=True)
    chosen = RegistrationStatus(status) if status else None
    rows = attendee_rows(event, chosen, language, questions, readable=export_format == "xlsx")
    with open(output, "wb") as handle:
        if export_format == "csv":
            for chunk in csv_chunks(rows, questions):
                handle.write(chunk)
        else:
            write_xlsx(rows, handle, language, questions)
    click.echo(f"Wrote {output}.")


@click.command("purge-personal-data")
@click.option("--before", "before", type=click.DateTime(formats=["%Y-%m-%d"]), help="YYYY-MM-DD, not after today.")
@click.option("--retention", is_flag=True, help="Events that ended more than RETENTION_DAYS ago (for cron).")
@click.option("--force", is_flag=True, help="Accept a --before date after today.")
@click.option("--dry-run", is_flag=True, help="Say what would be erased and change nothing.")
@with_appcontext
def purge_personal_data_command(before: datetime | None, retention: bool, force: bool, dry_run: bool) -> None:
    """Anonymise the registrations of events that ended before a date (in the programme's time zone)."""
    if (before is None) == (not retention):
        raise click.UsageError("Give either --before YYYY-MM-DD or --retention.")
    zone = ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])
    if retention:
        days = current_app.config["RETENTION_DAYS"]
        cutoff = utcnow() - timedelta(days=days)
        scope = f"events that ended more than {days} days ago"
        sensitive_days = current_app.config["SENSITIVE_ANSWERS_KEPT_DAYS"]
        sensitive_cutoff = utcnow() - timedelta(days=sensitive_days)
        sensitive_scope = f"events that ended more than {sensitive_days} days ago"
    else:
        assert before is not None  # the usage check above
        if before.date() > datetime.now(zone).date() and not force:
            raise click.UsageError(
                f"{before:%Y-%m-%d} is after today: that would erase events still to come. Add --force if you mean it."
            )
        cutoff = sensitive_cutoff = before.replace(tzinfo=zone)
        scope = sensitive_scope = f"events that ended before {before:%Y-%m-%d}"
    # Sensitive answers first: if the rest fails, what is most dangerous to keep is gone already.
    sensitive = purge_sensitive_answers(max(sensitive_cutoff, cutoff), dry_run=dry_run)
    click.echo(
        f"{'Would delete' if dry_run else 'Deleted'} {sensitive.answers} sensitive answers of {sensitive_scope}"
        f" ({len(sensitive.events)} events) and {sensitive.answer_files} of their files."
    )
    report = purge_personal_data(cutoff, dry_run=dry_run)
    verb = "Would anonymise" if dry_run else "Anonymised"
    click.echo(
        f"{verb} {report.registrations} registrations of {scope}"
        f" ({len(report.events)} events), {report.emails} emails and {report.eml_files} .eml files,"
        f" {report.answers} answers and {report.answer_files} files."
    )
    if dry_run and report.events:
        click.echo("Events: " + ", ".join(report.events))
    if not dry_run:
        abandoned = discard_abandoned_files()
        click.echo(f"Deleted {abandoned} files sent with forms that were never completed.")


@click.command("check-seats")
@with_appcontext
def check_seats_command() -> None:
    """Recompute the seats held from registrations; exit 1 and list every event whose counter differs."""
    drift = seat_drift()
    for event in drift:
        click.echo(f"{event.slug}: counter {event.counter}, held by registrations and invitations {event.held}", err=True)
    if drift:
        raise SystemExit(1)
    click.echo("Seat counters match the registrations.")


@click.command("expire-pending")
@with_appcontext
def expire_pending_command() -> None:
    """Lapse delegations whose address was not confirmed in time, freeing their seats (for cron; safe on several machines)."""
    click.echo(f"Lapsed delegations: {expire_pending()}.")


@click.command("send-approval-digests")
@with_appcontext
def send_approval_digests_command() -> None:
    """Email each event's daily digest of delegations awaiting approval, where the event asks for one (daily cron)."""
    click.echo(f"Approval digests queued: {send_approval_digests()}.")


@click.command("invite")
@click.argument("slug")
@click.option("--organization", required=True, help="The consulate or partner invited.")
@click.option("--email", required=True, help="Where the invitation goes.")
@click.option("--seats", type=click.IntRange(1, 100_000), required=True, help="Seats reserved for them.")
@click.option("--until", "until", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="YYYY-MM-DD, the last day.")
@click.option("--language", type=click.Choice(LOCALES), default="en", show_default=True, help="Of the invitation.")
@with_appcontext
def invite_command(slug: str, organization: str, email: str, seats: int, until: datetime, language: str) -> None:
    """Reserve seats for one partner until a day, email them the invitation, and print its address."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event {slug!r}.")
    try:
        address = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.ClickException(f"Not an email address: {email!r}.") from error
    if not 2000 <= until.year <= 2200:
        raise click.ClickException("Give a day between the years 2000 and 2200.")
    organization = organization.strip()
    if not organization or len(organization) > 200 or not organization.isprintable():
        raise click.ClickException("Give the organisation's name: printable, at most 200 characters.")
    draft = InvitationDraft(
        organization=organization, email=address, language=language, seats=seats, deadline=deadline_on(event, until.date())
    )
    try:
        invitation = invite(None, event.id, draft)
    except ExchangeError as error:
        with force_locale("en"):  # like every other line this command prints
            raise click.ClickException(str(error.message)) from error
    click.echo(
        f"Invited {invitation.organization}: {invitation.seats} seats until {until.date().isoformat()}, code {invitation.code}."
    )
    click.echo(external_url("public.invitation", lang=language, invitation_code=invitation.code))


@click.command("expire-invitations")
@with_appcontext
def expire_invitations_command() -> None:
    """Give the unused seats of invitations past their deadline back to the public, and remind those near it (for cron)."""
    done = expire_invitations()
    click.echo(f"Invitations expired: {done.expired}; reminded: {done.reminded}.")
