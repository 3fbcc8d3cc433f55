"""Erasing personal data once events are over."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from ..database import begin_write
from ..extensions import db
from ..models import Delegate, Event, ManageToken, OutboxMessage, Registration, RegistrationChange, utcnow


def purge_personal_data(ended_before: datetime) -> int:
    """Anonymise every registration of events that ended before `ended_before`; returns how many.

    Names, e-mail addresses, phone numbers, organisations, positions, notes,
    dietary needs, organizers' notes, manage links and the emails sent are
    erased. What statistics need stays: status, kind, seats, category,
    country, nationality, interpreter language, language and the dates.
    Running it again changes nothing more.
    """
    begin_write()
    ids = select(Registration.id).join(Event).where(Event.ends_at < ended_before, Registration.anonymised_at.is_(None))
    chosen = list(db.session.scalars(ids))
    if not chosen:
        db.session.rollback()
        return 0
    for batch_start in range(0, len(chosen), 500):
        batch = chosen[batch_start : batch_start + 500]
        db.session.execute(
            update(Registration)
            .where(Registration.id.in_(batch))
            .values(
                full_name="",
                email="",
                # Unique per registration, so the one-active-registration-per-address index never trips.
                email_normalized="anonymised-" + Registration.reference,
                phone="",
                organization="",
                position="",
                notes="",
                anonymised_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            update(Delegate).where(Delegate.registration_id.in_(batch)).values(full_name="", position="", dietary="")
        )
        db.session.execute(update(RegistrationChange).where(RegistrationChange.registration_id.in_(batch)).values(note=""))
        db.session.execute(delete(ManageToken).where(ManageToken.registration_id.in_(batch)))
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id.in_(batch)))
    db.session.commit()
    return len(chosen)
