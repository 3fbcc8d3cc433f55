"""Who may open which back-office page: one table, consulted by the manage blueprint's guard.

Every endpoint of the `manage` blueprint needs one capability; each role has a set of them.
An endpoint missing from ENDPOINT_CAPABILITIES is refused to everyone (and fails
tests/views/test_access.py), so a new view cannot be forgotten open. Which *events* an
account reaches is decided apart from this, by its event assignments (`_event_or_404`).
"""

from __future__ import annotations

import enum

from flask import Flask
from flask_login import current_user

from ..models import User, UserRole


class Capability(enum.StrEnum):
    BACK_OFFICE = "back_office"  # the dashboard of one's own events
    CHECK_IN = "check_in"  # the door page, checking people in (and undoing it), ticket scans
    READ = "read"  # registration lists and details, statistics
    EXPORT = "export"  # CSV, XLSX and the sign-in sheet: every personal detail leaves the site
    EDIT = "edit"  # events, registration actions, bulk actions, broadcasts


ROLE_CAPABILITIES: dict[UserRole, frozenset[Capability]] = {
    UserRole.ADMIN: frozenset(Capability),
    UserRole.ORGANIZER: frozenset(Capability),
    # Door staff see names, delegations and statuses only: the door page shows nothing else.
    UserRole.DOOR: frozenset({Capability.BACK_OFFICE, Capability.CHECK_IN}),
    # Viewers read; EXPORT is added per account by `User.may_export`.
    UserRole.VIEWER: frozenset({Capability.BACK_OFFICE, Capability.READ}),
}

ENDPOINT_CAPABILITIES: dict[str, Capability] = {
    "manage.dashboard": Capability.BACK_OFFICE,
    "manage.event_create": Capability.EDIT,
    "manage.event_edit": Capability.EDIT,
    "manage.event_duplicate": Capability.EDIT,
    "manage.event_publish": Capability.EDIT,
    "manage.event_cancel": Capability.EDIT,
    "manage.event_broadcast": Capability.EDIT,
    "manage.event_invitations_page": Capability.EDIT,
    "manage.invitation_action": Capability.EDIT,
    "manage.event_questions": Capability.EDIT,
    "manage.event_question_set": Capability.EDIT,
    "manage.registration_list": Capability.READ,
    "manage.registration_detail": Capability.READ,
    "manage.answer_reveal": Capability.EDIT,  # a sensitive answer: organizers and administrators, not viewers
    "manage.answer_file": Capability.EDIT,  # a student card, a passport page: organizers and administrators
    "manage.registration_bulk": Capability.EDIT,
    "manage.registration_action": Capability.EDIT,
    "manage.delegate_decision": Capability.EDIT,
    "manage.event_stats": Capability.READ,
    "manage.checkin": Capability.CHECK_IN,
    "manage.checkin_counts": Capability.CHECK_IN,
    "manage.checkin_mark": Capability.CHECK_IN,
    "manage.ticket_checkin": Capability.CHECK_IN,
    "manage.export_csv": Capability.EXPORT,
    "manage.export_xlsx": Capability.EXPORT,
    "manage.export_progress": Capability.EXPORT,
    "manage.export_download": Capability.EXPORT,
    "manage.sign_in_sheet_page": Capability.EXPORT,
}


def has_capability(user: User, capability: Capability | str) -> bool:
    capability = Capability(capability)
    if capability in ROLE_CAPABILITIES[user.role]:
        return True
    return capability == Capability.EXPORT and user.role == UserRole.VIEWER and user.may_export


def may_open(user: User, endpoint: str | None) -> bool:
    """Whether `user`'s role reaches this endpoint; unknown endpoints reach nobody."""
    capability = ENDPOINT_CAPABILITIES.get(endpoint or "")
    return capability is not None and has_capability(user, capability)


def register(app: Flask) -> None:
    @app.context_processor
    def capability_helper():
        # Templates show only the links and buttons the current account may use: may("export").
        return {"may": lambda capability: current_user.is_authenticated and has_capability(current_user, capability)}
