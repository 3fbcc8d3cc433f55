"""A delegation's contact details as its edit form sends them back, for tests that save a delegate list."""

from exchange.models import Registration
from exchange.services.registrations import ContactData


def contact_of(registration: Registration) -> ContactData:
    return ContactData(
        full_name=registration.full_name,
        position=registration.position,
        organization=registration.organization,
        country=registration.country,
    )
