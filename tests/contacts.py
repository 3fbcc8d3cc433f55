"""A delegation as its forms send it: the contact's details for the services, the form's fields for the pages."""

from exchange.models import Registration
from exchange.services.registrations import ContactData


def contact_of(registration: Registration) -> ContactData:
    return ContactData(
        full_name=registration.full_name,
        position=registration.position,
        organization=registration.organization,
        country=registration.country,
    )


def delegation_post(size: int, email: str = "consulate@example.org", **changes) -> dict:
    """A valid delegation form with `size` delegates named 대표 1, 대표 2, …; `changes` override or add fields."""
    data = {
        "organization": "Consulate General of Korea",
        "country": "KR",
        "contact_name": "Kim Min-jun",
        "email": email,
        "phone": "+82 10 1234 5678",
        "consent": "y",
    }
    for index in range(size):
        data[f"delegates-{index}-full_name"] = f"대표 {index + 1}"
    return data | changes
