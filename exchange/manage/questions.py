"""The question editor: an event's own registration questions, and the ready-made sets.

Registered on the `manage` blueprint, behind its guard; the rules are the question
service's (services/questions.py), which the form only feeds in the API's shape.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..services.question_sets import QUESTION_SETS
from ..services.questions import (
    QuestionChanges,
    QuestionsRefused,
    StaleQuestions,
    active_questions,
    add_question_set,
    questions_version,
    save_questions,
)
from .forms import MessageForm, QuestionsForm, place_problems
from .views import _event_or_404, bp


def _saved_message(changes: QuestionChanges) -> None:
    flash(_("The questions are saved."))
    if changes.retired:
        flash(
            ngettext(
                "%(num)s answer is kept: the questions removed are no longer asked, and their answers stay.",
                "%(num)s answers are kept: the questions removed are no longer asked, and their answers stay.",
                changes.answers_kept,
            )
        )


@bp.route("/events/<slug>/questions", methods=["GET", "POST"])
def event_questions(slug: str):
    """The event's questions in eight languages: edit, reorder, add (spare rows), remove; answers are always kept."""
    event = _event_or_404(slug)
    if request.method == "POST":
        form = QuestionsForm()
    else:
        form = QuestionsForm.for_event(active_questions(event), questions_version(event.id))
    general: list[str] = []
    if form.validate_on_submit():
        definitions, rows = form.definitions()
        try:
            changes = save_questions(g.actor, event.id, definitions, form.version.data or None)
        except QuestionsRefused as error:
            general = place_problems(rows, error.problems, current_user.language)
            if isinstance(error, StaleQuestions):
                form.version.data = error.current_version  # warned once: saving again replaces theirs
        else:
            _saved_message(changes)
            return redirect(url_for("manage.event_questions", slug=slug), code=303)
    form.add_spare_rows()
    retired = [question for question in event.questions if question.retired_at is not None]
    return render_template(
        "manage/event_questions.html", event=event, form=form, general=general, retired=retired, sets=QUESTION_SETS,
        has_questions=bool(active_questions(event)),
    )  # fmt: skip


@bp.post("/events/<slug>/questions/sets")
def event_question_set(slug: str):
    """Append a ready-made set's questions (`set`: visa_letter, student, travel), skipping keys the event has."""
    event = _event_or_404(slug)
    set_key = request.form.get("set", "")
    if set_key not in QUESTION_SETS or not MessageForm().validate_on_submit():
        flash(_("Choose one of the ready-made sets."), "error")
        return redirect(url_for("manage.event_questions", slug=slug), code=303)
    try:
        changes = add_question_set(g.actor, event.id, set_key)
    except QuestionsRefused as error:
        for problem in error.problems:
            flash(str(problem.message), "error")
    else:
        if changes.added:
            flash(
                ngettext(
                    "%(num)s question added: check its texts below.",
                    "%(num)s questions added: check their texts below.",
                    len(changes.added),
                )
            )
        else:
            flash(_("The event already has every question of this set."))
    return redirect(url_for("manage.event_questions", slug=slug), code=303)
