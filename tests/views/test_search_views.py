"""Search and alphabetical order through HTTP: the catalog's search box, the registrations list, the door."""

import pytest

from exchange.services.registrations import register

NAMES = ("Zhang Wei", "Đỗ Hùng", "Élodie Martin", "Ánh Nguyễn", "Đoàn Thị Bích", "Nguyễn Văn An")


@pytest.fixture
def organizer(make_user, make_event, happening_now, individual):
    event = make_event(slug="mekong-night-2031", titles={"en": "Mekong night", "vi": "Đêm Mê Kông"}, capacity=20, **happening_now)
    for number, name in enumerate(NAMES):
        register(event.id, individual(email=f"p{number}@example.com", full_name=name))
    return make_user("organizer@example.org", language="vi", events=[event]), event


def _order(page: str, names=NAMES) -> list[str]:
    return sorted(names, key=page.index)


def test_the_catalog_search_box_finds_titles_typed_without_accents_and_keeps_the_query(client, make_event):
    make_event(titles={"vi": "Lễ hội Đờn ca tài tử", "en": "Traditional music festival"})
    make_event(titles={"vi": "Ngày hội việc làm", "en": "Job fair"})

    found = client.get("/fr/events/?q=DON+CA").get_data(as_text=True)
    other = client.get("/fr/events/?q=job").get_data(as_text=True)
    none = client.get("/en/events/?q=nothing%25here").get_data(as_text=True)

    assert 'type="search" name="q" value="DON CA"' in found
    assert "Traditional music festival" in found and "Job fair" not in found  # French page, English content
    assert "Job fair" in other and "Traditional music festival" not in other  # the cached page is per query
    assert "No event matches “nothing%here” with these filters." in none


@pytest.mark.parametrize("query", ["%00", "\x00abc", "a" * 5000, "%E2%80%AE", "_%", "ＮＧＵＹＥＮ"])
def test_any_catalog_query_gets_a_page(client, make_event, query):
    make_event()
    assert client.get(f"/vi/events/?q={query}").status_code == 200


def test_the_registrations_list_finds_names_without_accents_and_sorts_them_the_vietnamese_way(client, login, organizer):
    user, event = organizer
    login(user)
    base = f"/organizer/events/{event.slug}/registrations"

    searched = client.get(f"{base}?q=nguyen").get_data(as_text=True)
    full_width = client.get(f"{base}?q=%EF%BC%A4%EF%BC%AF%EF%BC%A1%EF%BC%AE").get_data(as_text=True)  # ＤＯＡＮ
    by_name = client.get(f"{base}?sort=name").get_data(as_text=True)

    assert "Nguyễn Văn An" in searched and "Ánh Nguyễn" in searched and "Zhang Wei" not in searched
    assert "Đoàn Thị Bích" in full_width and "Đỗ Hùng" not in full_width
    assert _order(by_name) == ["Ánh Nguyễn", "Đoàn Thị Bích", "Đỗ Hùng", "Élodie Martin", "Nguyễn Văn An", "Zhang Wei"]
    assert '<option value="name" selected>' in by_name


def test_the_export_buttons_say_which_file_is_for_people_and_which_for_programs(client, login, organizer):
    user, event = organizer
    login(user)

    page = client.get(f"/organizer/events/{event.slug}/registrations").get_data(as_text=True)

    assert "Excel (XLSX): để đọc và in" in page
    assert "CSV: cho các phần mềm khác" in page


def test_the_door_and_the_sign_in_sheet_put_accented_names_in_their_place(client, login, organizer):
    user, event = organizer
    login(user)

    door = client.get(f"/organizer/events/{event.slug}/checkin").get_data(as_text=True)
    sheet = client.get(f"/organizer/events/{event.slug}/sign-in-sheet").get_data(as_text=True)
    searched = client.get(f"/organizer/events/{event.slug}/checkin?q=elodie").get_data(as_text=True)

    expected = ["Ánh Nguyễn", "Đoàn Thị Bích", "Đỗ Hùng", "Élodie Martin", "Nguyễn Văn An", "Zhang Wei"]
    assert _order(door) == expected
    assert _order(sheet) == expected
    assert "Élodie Martin" in searched and "Zhang Wei" not in searched
