"""Where every registration state change starts: lock the rows it decides on, check where it leaves from.

One lock order everywhere, so two changes never deadlock on PostgreSQL: the
event's row first, then the registration's. Taking seats (`seats.take_seats`)
locks the event row too, so a transition and a registration for the same
event also queue behind each other. On SQLite the IMMEDIATE transaction of
`database.write_transaction` already excludes every other writer.

The loser of two simultaneous clicks waits for the winner's commit, then
reads the new status and gets the same refusal a late click would.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..database import for_update
from ..errors import RegistrationLocked, RegistrationNotFound
from ..extensions import db
from ..models import Event, Registration, RegistrationStatus, Transition


def lock_event(event_id: int) -> Event:
    """The event, reloaded with its row locked until the transaction ends."""
    event = db.session.scalars(
        for_update(select(Event).where(Event.id == event_id)).execution_options(populate_existing=True)
    ).one_or_none()
    if event is None:
        raise RegistrationNotFound(_l("This event no longer exists."))
    return event


def lock_registration(registration_id: int) -> Registration:
    """The registration, reloaded with its event's row and its own row locked (in that order)."""
    event_id = db.session.scalar(select(Registration.event_id).where(Registration.id == registration_id))
    if event_id is None:
        raise RegistrationNotFound(_l("This registration no longer exists."))
    lock_event(event_id)
    registration = db.session.scalars(
        for_update(select(Registration).where(Registration.id == registration_id)).execution_options(populate_existing=True)
    ).one()
    return registration


def begin(registration_id: int, transition: Transition) -> Registration:
    """Lock the registration and check that `transition` may leave from its status now.

    Raises RegistrationLocked with a message that says why not (the same for
    a late click and for the loser of a race), RegistrationNotFound if the
    registration is gone.
    """
    registration = lock_registration(registration_id)
    if not registration.may(transition):
        raise RegistrationLocked(refusal(transition, registration))
    return registration


def refusal(transition: Transition, registration: Registration):
    """Why `transition` cannot happen to `registration` as it is now, in the reader's language."""
    status = registration.status
    if transition in (Transition.CONFIRM_ADDRESS, Transition.LAPSE) and registration.address_confirmed_at is not None:
        return _l("This address is already confirmed.")
    if status == RegistrationStatus.CANCELLED:
        return _l("This registration is already cancelled.")
    if status == RegistrationStatus.DECLINED:
        return _l("This delegation has already been declined.")
    if transition == Transition.APPROVE and status == RegistrationStatus.CONFIRMED:
        return _l("This delegation is already approved.")
    if transition == Transition.PROMOTE and status.holds_seats:
        return _l("This registration already holds its seats.")
    if transition == Transition.APPROVE:
        return _l("Only a delegation awaiting approval can be approved.")
    if transition == Transition.DECLINE:
        return _l("Only a delegation awaiting approval or on the waiting list can be declined.")
    if transition == Transition.SUBSTITUTE:
        return _l("Delegates can be replaced only while the delegation holds its seats.")
    if transition == Transition.DECLINE_DELEGATES:
        return _l("Delegates can be declined one by one only while their delegation awaits approval or is approved.")
    return _l("This registration is no longer active and cannot be changed.")
