"""Search that understands names, and lists in the reader's alphabetical order.

Every test runs on SQLite and on PostgreSQL alike (TEST_DATABASE_URL): the folded
columns make both answer the same.
"""

import pytest
from sqlalchemy import select

from exchange.extensions import db
from exchange.models import Delegate, Registration
from exchange.services import registration_admin as actions
from exchange.services.audit import Actor
from exchange.services.checkin import door_list, sign_in_sheet
from exchange.services.events import CatalogFilters, catalog_page
from exchange.services.privacy import erase_registration
from exchange.services.registration_admin import ListOrder, RegistrationFilters, registrations_page
from exchange.services.registrations import register
from exchange.text import fold_for_search

PEOPLE = {
    "Nguyễn Văn An": "an@example.com",
    "Đoàn Thị Bích": "bich@example.com",
    "Đặng Minh Châu": "chau@example.com",
    "Élodie Dupont": "elodie.dupont@example.fr",
    "이서연": "seoyeon@example.kr",
    "ສົມພອນ ແສງທອງ": "somphone@example.la",
    "សុខ សុភា": "sophea@example.kh",
    "Zhang Wei": "wei@example.cn",
}


@pytest.fixture
def actor(make_user):
    return Actor(user=make_user("organizer@example.org"), ip_address="203.0.113.7")


@pytest.fixture
def crowd(make_event, individual, delegation):
    """An event with the people above (confirmed individuals) and a delegation whose delegates have Vietnamese names."""
    event = make_event(capacity=50)
    people = {
        name: register(
            event.id, individual(email=email, full_name=name, organization="Đại học Cần Thơ" if "An" in name else "")
        ).registration
        for name, email in PEOPLE.items()
    }
    group = register(event.id, delegation(size=2)).registration
    group.delegates[0].full_name, group.delegates[1].full_name = "Đỗ Hùng", "Ánh Lê"
    db.session.commit()
    return event, people, group


def _found(event, query):
    page = registrations_page(event.id, RegistrationFilters(search=query), 1, 50, "vi")
    return {registration.full_name for registration in page.items}


def test_folding_drops_accents_case_and_width_and_keeps_the_letters_of_other_scripts():
    assert fold_for_search("Nguyễn Thị ĐOÀN") == "nguyen thi doan"
    assert fold_for_search("ＮＧＵＹＥＮ") == "nguyen"
    assert fold_for_search("Élodie", "  Đặng   Minh ") == "elodie\ndang minh"
    # Thai, Lao and Khmer vowel signs and tone marks are letters, not accents.
    assert fold_for_search("ສົມພອນ") == "ສົມພອນ"
    assert fold_for_search("សុខ សុភា") == "សុខ សុភា"
    assert fold_for_search("이서연") == "이서연"


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("nguyen", "Nguyễn Văn An"),
        ("NGUYỄN", "Nguyễn Văn An"),
        ("ＮＧＵＹＥＮ", "Nguyễn Văn An"),
        ("nguyen an", "Nguyễn Văn An"),  # every word, anywhere in the name
        ("doan", "Đoàn Thị Bích"),
        ("Đoàn", "Đoàn Thị Bích"),
        ("đoàn thị", "Đoàn Thị Bích"),
        ("dang chau", "Đặng Minh Châu"),
        ("elodie", "Élodie Dupont"),
        ("Élodie", "Élodie Dupont"),
        ("서연", "이서연"),
        ("ສົມພອນ", "ສົມພອນ ແສງທອງ"),
        ("សុភា", "សុខ សុភា"),
        ("dupont@example", "Élodie Dupont"),  # the email
    ],
)
def test_back_office_search_finds_names_however_they_are_typed(crowd, query, name):
    event, _people, _group = crowd

    assert _found(event, query) == {name}


def test_back_office_search_covers_references_organisations_and_delegates(crowd):
    event, people, group = crowd

    assert _found(event, people["Zhang Wei"].reference.lower()) == {"Zhang Wei"}
    assert _found(event, "dai hoc can tho") == {"Nguyễn Văn An"}
    assert _found(event, "do hung") == {group.full_name}  # a delegate's name finds the delegation
    assert _found(event, "%") == set()  # LIKE's wildcards are searched as themselves
    assert _found(event, "nguyen bich") == set()  # words from two people are no match


def test_the_search_follows_a_changed_name_and_forgets_an_erased_one(actor, crowd):
    event, people, group = crowd
    people["Zhang Wei"].full_name = "Trương Vĩ"
    group.delegates[0].full_name = "Hồ Xuân Hương"
    db.session.commit()
    actions.cancel_by_organizer(actor, people["Đoàn Thị Bích"].id)
    erase_registration(people["Đoàn Thị Bích"].id)

    assert _found(event, "truong vi") == {"Trương Vĩ"}
    assert _found(event, "zhang") == set()
    assert _found(event, "xuan huong") == {group.full_name}
    assert _found(event, "bich") == set()
    stored = db.session.scalar(select(Registration.search_text).where(Registration.id == people["Đoàn Thị Bích"].id))
    assert stored == people["Đoàn Thị Bích"].reference.lower()
    assert db.session.scalar(select(Delegate.search_text).where(Delegate.id == group.delegates[0].id)) == "ho xuan huong"


def test_the_door_finds_names_without_accents_but_never_by_email(actor, crowd):
    event, people, group = crowd
    actions.approve(actor, group.id)

    assert [r.full_name for r in door_list(event, "vi", "doan")] == ["Đoàn Thị Bích"]
    assert [r.full_name for r in door_list(event, "vi", "ＥＬＯＤＩＥ")] == ["Élodie Dupont"]
    assert [r.reference for r in door_list(event, "vi", "anh le")] == [group.reference]
    assert door_list(event, "vi", "dupont@example") == []


def test_the_door_and_the_sign_in_sheet_list_names_in_the_readers_alphabet(actor, crowd):
    event, _people, group = crowd
    actions.approve(actor, group.id)

    door = [r.organization if r.is_delegation else r.full_name for r in door_list(event, "vi", limit=5)]
    sheet = sign_in_sheet(event, "vi")

    # Vietnamese: C, D, Đ, E, … Z, then the other scripts; the first five whoever registered first.
    assert door == ["Consulate General of Korea", "Đặng Minh Châu", "Đoàn Thị Bích", "Élodie Dupont", "Nguyễn Văn An"]
    assert [r.full_name for r in sheet.individuals] == [
        "Đặng Minh Châu", "Đoàn Thị Bích", "Élodie Dupont", "Nguyễn Văn An", "Zhang Wei",
        "ສົມພອນ ແສງທອງ", "សុខ សុភា", "이서연",
    ]  # fmt: skip
    assert [d.full_name for d in sheet.delegations[0].delegates] == ["Đỗ Hùng", "Ánh Lê"]  # the delegation's own order


def test_sorting_by_name_pages_through_the_whole_list_once(crowd):
    event, _people, _group = crowd
    filters = RegistrationFilters(order=ListOrder.NAME)

    pages = [registrations_page(event.id, filters, number, 3, "vi") for number in (1, 2, 3, 4)]

    names = [r.organization if r.is_delegation else r.full_name for page in pages for r in page.items]
    assert [page.total for page in pages] == [9] * 4 and pages[3].items == []
    assert names[:6] == [
        "Consulate General of Korea",
        "Đặng Minh Châu",
        "Đoàn Thị Bích",
        "Élodie Dupont",
        "Nguyễn Văn An",
        "Zhang Wei",
    ]
    assert len(names) == len(set(names)) == 9
    newest = registrations_page(event.id, RegistrationFilters(), 1, 50, "vi").items
    assert newest[0].is_delegation  # newest first stays the default


def test_catalog_search_looks_in_every_language_of_titles_and_summaries(make_event):
    festival = make_event(titles={"vi": "Lễ hội Đờn ca tài tử", "ko": "돈까따이뜨 축제", "en": "Traditional music festival"})
    other = make_event(titles={"vi": "Ngày hội việc làm", "en": "Job fair"})
    festival.translations[0].summary = "Một đêm nhạc bên bến Ninh Kiều"
    db.session.commit()

    def found(query, lang="fr"):
        return [event.slug for event in catalog_page(CatalogFilters(search=query), 1, lang).items]

    assert found("don ca") == [festival.slug]
    assert found("ĐỜN CA") == [festival.slug]
    assert found("축제") == [festival.slug]
    assert found("ninh kieu", "en") == [festival.slug]  # the summary, in another language than the page's
    assert found("fair") == [other.slug]
    assert found("festival fair") == []
    assert found("_") == []
    assert sorted(found("")) == sorted([festival.slug, other.slug])
