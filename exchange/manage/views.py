"""The back office for organizers: events, registrations, check-in, exports, statistics, broadcasts.

One guard for the whole blueprint: every view needs a signed-in account whose role
reaches it (the table in permissions.py), and `_event_or_404` is the one place that
decides whether they may see an event (another organizer's event is a 404, exactly
like a missing one).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..charts import bar_chart, daily_chart
from ..errors import ExchangeError, RegistrationNotFound
from ..extensions import db
from ..http import page_number, parse_id
from ..i18n import LOCALES, country_name, format_day, format_short_date, format_time_in
from ..links import url_with_query
from ..models import AttendeeCategory, Event, QuestionType, Registration, RegistrationStatus
from ..services.accounts import can_manage, manageable_event, manageable_events_query
from ..services.answer_files import answer_file_path
from ..services.answers import countable_questions, registration_answers
from ..services.audit import Actor, record_now
from ..services.broadcast import broadcast, failed_broadcasts
from ..services.checkin import OtherDayCheckIn, check_in, door_counts, door_list, sign_in_sheet, undo_check_in
from ..services.content import render_markdown
from ..services.event_admin import (
    CONTENT_FIELDS,
    anniversary_needs_checking,
    cancel_event,
    duplicate_for_next_year,
    publish,
    save_event,
)
from ..services.event_io import MAX_DELEGATION_SIZE
from ..services.export_jobs import export_job, start_xlsx_export, take_export_file
from ..services.exports import attendee_rows, csv_chunks, export_filename, export_questions
from ..services.images import image_sources, sources_of
from ..services.registration_admin import (
    ACTIONS,
    DelegateDecision,
    ListOrder,
    RegistrationFilters,
    answer_filters,
    answer_options,
    apply_to_many,
    decide_delegates,
    listed_name,
    perform,
    registration_by_reference,
    registrations_by_ids,
    registrations_page,
    reveal_answer,
)
from ..services.statistics import answer_statistics, event_statistics, overview
from ..services.tickets import read_ticket_code
from .forms import (
    KIND_FILTERS,
    STATUS_FILTERS,
    BroadcastForm,
    CancelEventForm,
    EventForm,
    MessageForm,
    broadcast_text_forms,
    translation_forms,
)
from .permissions import Capability, has_capability, may_open

bp = Blueprint("manage", __name__, url_prefix="/organizer")
PER_PAGE = 50


@bp.before_request
@login_required
def require_organizer():
    """Every back-office page needs a signed-in, active account whose role reaches the page."""
    if not may_open(current_user, request.endpoint):
        abort(404)
    g.actor = Actor(user=current_user._get_current_object(), ip_address=request.remote_addr or "")


def _event_or_404(slug: str) -> Event:
    """The event if the current user may manage it; otherwise the same 404 as a missing event."""
    # Content is read on first use: a check-in or an export never needs the eight translations.
    return manageable_event(slug, current_user) or abort(404)


def _registration_or_404(event: Event, reference: str) -> Registration:
    if not reference.isprintable():  # a form value with NUL would reach the query, which PostgreSQL refuses
        abort(404)
    return registration_by_reference(event.id, reference) or abort(404)


@bp.get("/")
def dashboard():
    """The events this organizer manages, with their seats, waiting lists and arrivals."""
    events = list(db.session.scalars(manageable_events_query(current_user)))
    rows = overview(events)
    title = _("Confirmed attendees per event")
    chart = bar_chart([(row.event.content(current_user.language).title, row.confirmed_attendees) for row in rows], title)
    return render_template("manage/dashboard.html", rows=rows, chart=(title, chart))


# Events -------------------------------------------------------------------------------------------


def _translations(forms) -> dict[str, dict[str, str]]:
    return {lang: {name: (form[name].data or "") for name in CONTENT_FIELDS} for lang, form in forms.items()}


def _edit(event: Event | None):
    form = (
        EventForm()
        if request.method == "POST"
        else (EventForm.for_event(event) if event else EventForm(timezone="Asia/Ho_Chi_Minh"))
    )
    contents = translation_forms(event, request.form if request.method == "POST" else None)
    preview = request.form.get("preview_lang") if request.method == "POST" else None
    # Every form is validated, so the error summary lists the mistakes in all of them at once.
    if (
        request.method == "POST"
        and preview is None
        and all([form.validate_on_submit(), *(c.validate() for c in contents.values())])
    ):
        try:
            saved = save_event(g.actor, event.id if event else None, form.draft(_translations(contents)))
        except ExchangeError as error:
            flash(error.message, "error")
        else:
            flash(_("The event is saved."))
            return redirect(url_for("manage.event_edit", slug=saved.slug), code=303)
    previews = {preview: render_markdown(contents[preview].description.data or "", top_level=3)} if preview in LOCALES else {}
    kept = form.keep_image_for_next_try() if request.method == "POST" else None
    return render_template(
        "manage/event_edit.html", event=event, form=form, contents=contents, previews=previews, preview=preview,
        image=image_sources(event) if event else None, kept_image=sources_of(kept) if kept else None,
    )  # fmt: skip


@bp.route("/events/new", methods=["GET", "POST"])
def event_create():
    """A new event, saved as a draft and assigned to its creator."""
    return _edit(None)


@bp.route("/events/<slug>/edit", methods=["GET", "POST"])
def event_edit(slug: str):
    """Edit an event and its content in eight languages (with a Markdown preview)."""
    return _edit(_event_or_404(slug))


@bp.post("/events/<slug>/duplicate")
def event_duplicate(slug: str):
    """Next year's edition of this event, as a draft."""
    event = _event_or_404(slug)
    try:
        copy = duplicate_for_next_year(g.actor, event.id)
    except ExchangeError as error:  # e.g. next year's edition exists already
        flash(error.message, "error")
        return redirect(url_for("manage.event_edit", slug=slug), code=303)
    flash(_("Next year's edition is ready as a draft. Check its dates and publish it."))
    if anniversary_needs_checking(copy):
        flash(_("A title counts years (such as an anniversary): check the number for next year in every language."), "warning")
    return redirect(url_for("manage.event_edit", slug=copy.slug), code=303)


@bp.post("/events/<slug>/publish")
def event_publish(slug: str):
    """Make the event public."""
    event = _event_or_404(slug)
    try:
        publish(g.actor, event.id)
        flash(_("The event is published."))
    except ExchangeError as error:
        flash(error.message, "error")
    return redirect(url_for("manage.event_edit", slug=slug), code=303)


@bp.route("/events/<slug>/cancel", methods=["GET", "POST"])
def event_cancel(slug: str):
    """Cancel the event; every registrant is emailed in their language."""
    event = _event_or_404(slug)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            count = cancel_event(g.actor, event.id, form.message.data or "")
            flash(
                ngettext(
                    "The event is cancelled and %(num)s registrant is being told.",
                    "The event is cancelled and %(num)s registrants are being told.",
                    count,
                )
            )
            return redirect(url_for("manage.event_edit", slug=slug), code=303)
        except ExchangeError as error:
            flash(error.message, "error")
    return render_template("manage/event_cancel.html", event=event, form=form)


# Registrations ------------------------------------------------------------------------------------


# The query arguments of the registrations list, kept when a bulk action returns to it.
LIST_ARGS = ("q", "status", "kind", "country", "category", "sort", "page")


def _kept_args() -> dict[str, str]:
    """The list's query arguments, answer filters (`answer_<key>`) included."""
    return {name: value for name, value in request.args.items() if name in LIST_ARGS or name.startswith("answer_")}


def _filters(questions) -> RegistrationFilters:
    """The list's filters from the query string; a value that is not a known choice is ignored."""
    status, category = request.args.get("status", ""), request.args.get("category", "")
    order = request.args.get("sort", "")
    return RegistrationFilters(
        answers=answer_filters(questions, request.args),
        search=request.args.get("q", "")[:200],
        status=RegistrationStatus(status) if status in RegistrationStatus._value2member_map_ else None,
        kind=request.args.get("kind", "") if request.args.get("kind") in ("individual", "delegation") else "",
        country=request.args.get("country", "")[:2].upper(),
        category=category if category in AttendeeCategory._value2member_map_ else "",
        order=ListOrder(order) if order in ListOrder._value2member_map_ else ListOrder.NEWEST,
    )


@bp.get("/events/<slug>/registrations")
def registration_list(slug: str):
    """The event's registrations: search, filters, pages, and bulk actions on a selection."""
    event = _event_or_404(slug)
    questions = countable_questions(event)
    filters = _filters(questions)
    page = registrations_page(event.id, filters, page_number(request.args), PER_PAGE, str(get_locale()))
    answer_choices = [(question, answer_options(question, current_user.language)) for question in questions]
    return render_template(
        "manage/registration_list.html", event=event, page=page, filters=filters, statuses=STATUS_FILTERS, kinds=KIND_FILTERS,
        categories=list(AttendeeCategory), orders=ListOrder, answer_choices=answer_choices,
        chosen_answers={f"answer_{q.key}": request.args.get(f"answer_{q.key}", "") for q in questions},
        has_sensitive=any(question.sensitive for question in event.questions), form=MessageForm(),
    )  # fmt: skip


# Actions that end a registration and email the registrant: the first POST only asks.
CONFIRMED_ACTIONS = {"cancel", "decline"}


def _confirmation(event: Event, action: str, registrations: list[Registration], message: str, target: str, back: str):
    """The page that names who an action ends and who is emailed; its form POSTs again, confirmed."""
    return render_template(
        "manage/confirm_action.html", event=event, action=action, registrations=registrations, message=message,
        target=target, back=back, form=MessageForm(), listed_name=listed_name,
    )  # fmt: skip


@bp.post("/events/<slug>/registrations/bulk")
def registration_bulk(slug: str):
    """One action on every ticked registration; refusals are listed, the rest go ahead.

    The form's first choice is no action at all, and cancel or decline first show
    whom they would end and email (a second POST with `confirmed` does it).
    """
    event = _event_or_404(slug)
    form = MessageForm()
    action = request.form.get("action", "")
    values = request.form.getlist("selected")[: PER_PAGE + 1]
    ids = [number for number in map(parse_id, values) if number is not None]
    kept = _kept_args()
    if not action:
        flash(_("Choose an action first: nothing was changed."), "error")
    elif action not in ACTIONS or not ids or len(ids) > PER_PAGE or not form.validate_on_submit():
        flash(_("Tick at least one registration and choose an action."), "error")
    else:
        selected = registrations_by_ids(event.id, ids)
        if selected is None:
            abort(404)  # an id of another event's registration: the same answer as a missing one
        if action in CONFIRMED_ACTIONS and request.form.get("confirmed") != "1":
            target = url_with_query("manage.registration_bulk", kept, slug=slug)
            back = url_for("manage.registration_list", slug=slug, **kept)
            return _confirmation(event, action, selected, form.message.data or "", target, back)
        result = apply_to_many(g.actor, action, selected, form.message.data or "")
        flash(ngettext("Done for %(num)s registration.", "Done for %(num)s registrations.", len(result.done)))
        for reference, why in result.refused:
            flash(f"{reference}: {why}", "error")
    return redirect(url_for("manage.registration_list", slug=slug, **kept), code=303)


def _detail(event: Event, registration: Registration, revealed: int | None = None):
    answers = registration_answers(registration, current_user.language, revealed)
    # Who each delegate replaced, from the one list of every delegate ever named (no query per row).
    names = {delegate.id: delegate.full_name for delegate in registration.all_delegates} if registration.is_delegation else {}
    return render_template(
        "manage/registration_detail.html", event=event, registration=registration, answers=answers, form=MessageForm(),
        answer_file=lambda answer: _answer_file_url(event, registration, answer), delegate_names=names,
    )  # fmt: skip


def _answer_file_url(event: Event, registration: Registration, answer) -> str | None:
    """The download address of a file answer, for the accounts that may download it."""
    if not may_open(current_user, "manage.answer_file"):
        return None
    return url_for("manage.answer_file", slug=event.slug, reference=registration.reference, answer_id=answer.id)


@bp.get("/events/<slug>/registrations/<reference>")
def registration_detail(slug: str, reference: str):
    """One registration with its delegates, their answers (sensitive ones masked), its history and actions."""
    event = _event_or_404(slug)
    registration = _registration_or_404(event, reference)
    return _detail(event, registration)


@bp.post("/events/<slug>/registrations/<reference>/answers/<int:answer_id>/reveal")
def answer_reveal(slug: str, reference: str, answer_id: int):
    """The registration's page with one sensitive answer shown, for this response only; the reveal is audited."""
    event = _event_or_404(slug)
    registration = _registration_or_404(event, reference)
    if not MessageForm().validate_on_submit():
        abort(400)
    answer = reveal_answer(g.actor, registration, answer_id) or abort(404)
    response = make_response(_detail(event, registration, revealed=answer.id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/events/<slug>/registrations/<reference>/answers/<int:answer_id>/file")
def answer_file(slug: str, reference: str, answer_id: int):
    """A file answer, as an attachment under its safe name; a sensitive one's download is audited like a reveal."""
    event = _event_or_404(slug)
    registration = _registration_or_404(event, reference)
    answer = reveal_answer(g.actor, registration, answer_id, action="answer.downloaded") or abort(404)
    path = answer_file_path(answer.value) if answer.question.type is QuestionType.FILE else None
    if path is None:
        abort(404)
    response = send_file(
        path, mimetype=answer.file_type or "application/octet-stream", as_attachment=True,
        download_name=answer.file_name or path.name, conditional=False, etag=False, max_age=0,
    )  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/events/<slug>/registrations/<reference>/<action>")
def registration_action(slug: str, reference: str, action: str):
    """Approve, decline, cancel, promote or resend; the registrant is emailed. Cancel and decline ask first."""
    event = _event_or_404(slug)
    registration = _registration_or_404(event, reference)
    form = MessageForm()
    if action not in ACTIONS or not form.validate_on_submit():
        abort(404 if action not in ACTIONS else 400)
    if action in CONFIRMED_ACTIONS and request.form.get("confirmed") != "1":
        target = url_for("manage.registration_action", slug=slug, reference=registration.reference, action=action)
        back = url_for("manage.registration_detail", slug=slug, reference=registration.reference)
        return _confirmation(event, action, [registration], form.message.data or "", target, back)
    try:
        perform(g.actor, action, registration.id, form.message.data or "")
        flash(_("Done. The registrant is being emailed."))
    except ExchangeError as error:
        flash(error.message, "error")
    return redirect(url_for("manage.registration_detail", slug=slug, reference=reference), code=303)


@bp.post("/events/<slug>/registrations/<reference>/delegates/<decision>")
def delegate_decision(slug: str, reference: str, decision: str):
    """Approve or decline the ticked delegates of a delegation; declining first shows whom it ends."""
    event = _event_or_404(slug)
    registration = _registration_or_404(event, reference)
    if decision not in {choice.value for choice in DelegateDecision}:
        abort(404)
    choice, form = DelegateDecision(decision), MessageForm()
    if not form.validate_on_submit():
        abort(400)
    # No delegation has more rows than its largest size: a longer list is forged, and cut before it is read.
    values = request.form.getlist("delegate")[: MAX_DELEGATION_SIZE + 1]
    ids = list(dict.fromkeys(number for number in map(parse_id, values) if number is not None))
    detail = url_for("manage.registration_detail", slug=slug, reference=registration.reference)
    chosen = [delegate for delegate in registration.delegates if delegate.id in ids]
    if choice is DelegateDecision.DECLINE and chosen and len(chosen) == len(ids) and request.form.get("confirmed") != "1":
        return render_template(
            "manage/confirm_delegates.html", event=event, registration=registration, delegates=chosen,
            message=form.message.data or "", back=detail, form=MessageForm(),
        )  # fmt: skip
    try:
        decide_delegates(g.actor, registration.id, ids, choice, form.message.data or "")
        flash(_("Done. The contact person is being emailed."))
    except ExchangeError as error:
        flash(error.message, "error")
    return redirect(detail, code=303)


# Check-in -----------------------------------------------------------------------------------------


@bp.get("/events/<slug>/checkin")
def checkin(slug: str):
    """The door page: search, one tap per person, live counts."""
    event = _event_or_404(slug)
    search = request.args.get("q", "")[:100]
    registrations = door_list(event, str(get_locale()), search)
    return render_template(
        "manage/checkin.html", event=event, search=search, registrations=registrations, counts=door_counts(event),
        form=MessageForm(),
    )  # fmt: skip


@bp.get("/events/<slug>/checkin/counts")
def checkin_counts(slug: str):
    """Arrivals so far, for the door page's live counter."""
    counts = door_counts(_event_or_404(slug))
    return jsonify(expected=counts.expected, arrived=counts.arrived)


def _checkin_response(
    event: Event, registration: Registration, delegate: int | None, result=None, error=None, status=200, other_day=False
):
    """The page after a scan or a tap: welcome, already checked in (when and by whom), refused, or "not today"."""
    return render_template(
        "manage/ticket.html", event=event, registration=registration, delegate=delegate, result=result, error=error,
        other_day=other_day, form=MessageForm(),
    ), status  # fmt: skip


def _already_message(event: Event, result) -> str:
    values = {
        "name": result.name,
        "date": format_short_date(result.at, event.timezone),
        "time": format_time_in(result.at, event.timezone),
    }
    if result.by:
        return _("%(name)s was already checked in on %(date)s at %(time)s by %(who)s.", who=result.by, **values)
    return _("%(name)s was already checked in on %(date)s at %(time)s.", **values)


@bp.post("/events/<slug>/checkin")
def checkin_mark(slug: str):
    """Check one person (or one delegate) in, or undo it; a delegate of another registration is a 404."""
    event = _event_or_404(slug)
    registration = _registration_or_404(event, request.form.get("reference", ""))
    delegate = parse_id(request.form.get("delegate"))
    registration_id = registration.id  # read now: the service's transaction expires the loaded rows
    try:
        if request.form.get("undo"):
            undo_check_in(g.actor, registration_id, delegate)
        else:
            result = check_in(g.actor, registration_id, delegate, other_day_confirmed=bool(request.form.get("other_day")))
            if result.already:
                flash(_already_message(event, result), "error")
    except RegistrationNotFound:
        abort(404)
    except OtherDayCheckIn as error:
        return _checkin_response(event, registration, delegate, error=error.message, status=409, other_day=True)
    except ExchangeError as error:
        flash(error.message, "error")
    return redirect(url_for("manage.checkin", slug=slug, q=request.form.get("q", "")) + f"#r{registration_id}", code=303)


@bp.get("/tickets/<code>")
def ticket_checkin(code: str):
    """A ticket's QR code, opened by any camera app: checks the attendee in; a second scan says when and by whom."""
    found = read_ticket_code(code)
    registration = db.session.get(Registration, found[0]) if found else None
    if registration is None or not can_manage(current_user, registration.event):
        abort(404)
    event = registration.event
    try:
        result = check_in(g.actor, registration.id, found[1])
    except RegistrationNotFound:
        abort(404)
    except OtherDayCheckIn as error:
        return _checkin_response(event, registration, found[1], error=error.message, status=409, other_day=True)
    except ExchangeError as error:
        return _checkin_response(event, registration, found[1], error=error.message, status=409)
    if result.already:
        return _checkin_response(event, registration, found[1], result=result, error=_already_message(event, result))
    return _checkin_response(event, registration, found[1], result=result)


# Exports and statistics ---------------------------------------------------------------------------


def _export_status() -> RegistrationStatus | None:
    status = request.args.get("status", "")
    if status and status not in RegistrationStatus._value2member_map_:
        abort(400)
    return RegistrationStatus(status) if status else None


def _include_sensitive() -> bool:
    """?include_sensitive=1: the answers to sensitive questions too, which only organizers and administrators may take."""
    wanted = request.args.get("include_sensitive", "") == "1"
    if wanted and not has_capability(current_user, Capability.EDIT):
        abort(403)
    return wanted


@bp.get("/events/<slug>/export.csv")
def export_csv(slug: str):
    """The attendee list as CSV (UTF-8 with BOM), streamed; ?status= filters, ?include_sensitive=1 adds sensitive answers."""
    event, status, sensitive = _event_or_404(slug), _export_status(), _include_sensitive()
    chosen = status.value if status else None
    record_now(g.actor, "event.exported", event=event, format="csv", status=chosen, sensitive=sensitive or None)
    questions = export_questions(event, include_sensitive=sensitive)
    rows = attendee_rows(event, status, str(get_locale()), questions)
    response = Response(stream_with_context(csv_chunks(rows, questions)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{export_filename(event, "csv")}"'
    return response


@bp.get("/events/<slug>/export.xlsx")
def export_xlsx(slug: str):
    """Start building the attendee list as XLSX (headers in the organizer's language; ?status= and ?include_sensitive=1)."""
    event, status, sensitive = _event_or_404(slug), _export_status(), _include_sensitive()
    chosen = status.value if status else None
    record_now(g.actor, "event.exported", event=event, format="xlsx", status=chosen, sensitive=sensitive or None)
    job = start_xlsx_export(current_user, event, status, current_user.language, include_sensitive=sensitive)
    return redirect(url_for("manage.export_progress", job_id=job.id), 303)


@bp.get("/exports/<job_id>/")
def export_progress(job_id: str):
    """How far an XLSX export has got; refreshes itself, then starts the download."""
    job = export_job(job_id, current_user) or abort(404)
    return render_template("manage/export_progress.html", job=job)


@bp.get("/exports/<job_id>/download")
def export_download(job_id: str):
    """The finished XLSX, once: the file is deleted as it is sent."""
    job = export_job(job_id, current_user) or abort(404)
    if job.state != "done":
        return redirect(url_for("manage.export_progress", job_id=job.id))
    handle = take_export_file(job) or abort(404)
    return send_file(
        handle, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_attachment=True,
        download_name=job.filename,
    )  # fmt: skip


@bp.get("/events/<slug>/sign-in-sheet")
def sign_in_sheet_page(slug: str):
    """A printable sign-in sheet of confirmed attendees, grouped by delegation."""
    event = _event_or_404(slug)
    record_now(g.actor, "event.exported", event=event, format="sign-in sheet")
    return render_template("manage/sign_in_sheet.html", event=event, sheet=sign_in_sheet(event, str(get_locale())))


@bp.get("/events/<slug>/stats")
def event_stats(slug: str):
    """Counts by status, kind, category and country, registrations per day, check-in rate."""
    event = _event_or_404(slug)
    stats = event_statistics(event)
    series = [
        (_("Registrations by status"), [(status.title, count) for status, count in stats.by_status.items()]),
        (_("Registrations by kind"), [(kind.title, count) for kind, count in stats.by_kind.items()]),
        (_("Individuals by category"), [(category.title, count) for category, count in stats.by_category.items()]),
        (_("Attendees by country"), [(country_name(code), count) for code, count in stats.by_country]),
    ]
    for counted in answer_statistics(event):
        title = counted.question.label_in(current_user.language)
        series.append((title, counted.labelled(current_user.language)))
    charts = [(title, bar_chart(items, title)) for title, items in series]
    daily = (_("Registrations per day"), daily_chart(stats.per_day, _("Registrations per day"), format_day))
    return render_template("manage/event_stats.html", event=event, stats=stats, charts=charts, daily=daily)


# Broadcast ----------------------------------------------------------------------------------------


@bp.route("/events/<slug>/broadcast", methods=["GET", "POST"])
def event_broadcast(slug: str):
    """Email every confirmed attendee, each in their language (or the fallback); failed deliveries listed."""
    event = _event_or_404(slug)
    form = BroadcastForm(fallback=current_user.language)
    texts = broadcast_text_forms(request.form if request.method == "POST" else None)
    if form.validate_on_submit() and all(text.validate() for text in texts.values()):
        try:
            count = broadcast(
                g.actor,
                event.id,
                {lang: (t.subject.data or "", t.body.data or "") for lang, t in texts.items()},
                form.fallback.data,
            )
            flash(ngettext("The message is queued for %(num)s attendee.", "The message is queued for %(num)s attendees.", count))
            return redirect(url_for("manage.event_broadcast", slug=slug), code=303)
        except ExchangeError as error:
            flash(error.message, "error")
    return render_template("manage/event_broadcast.html", event=event, form=form, texts=texts, failed=failed_broadcasts(event))
