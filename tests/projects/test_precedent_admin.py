"""Flight precedents in the admin (projects/admin/precedents.py): list, search, filters, add, edit, delete, history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.enums import PrecedentOrigin
from projects.models import Precedent, RescoreRequest
from tests.partners.factories import CapabilityFactory, OrganisationFactory
from tests.projects.factories import PrecedentFactory, ProposalFactory
from tests.utils import form_data, soup

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:projects_precedent_changelist")


@pytest.fixture
def adsep():
    return CapabilityFactory(organisation=OrganisationFactory(name="Redwire Space"), external_id="adsep", name="ADSEP")


@pytest.fixture
def cubelab():
    return CapabilityFactory(
        organisation=OrganisationFactory(name="Space Tango"),
        external_id="cubelab",
        name="CubeLab",
        categories=["modular_payload_platform"],
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def portal(adsep, researcher):
    return PrecedentFactory(
        external_id="portal-9c2e4f",
        origin=PrecedentOrigin.PORTAL,
        proposal=ProposalFactory(owner=researcher, complete=True, status="accepted", title="Secret liver flight"),
        title="Secret liver flight",
        summary="Grow liver organoids for 14 days and return them live; a confidential plan of the team.",
        year=2026,
        listings=[adsep],
    )


def titles(response) -> list[str]:
    return [row.select_one("th").get_text(strip=True) for row in soup(response).select("#result_list tbody tr")]


def test_the_list_shows_title_year_listings_origin_and_confidence(staff_client, adsep, cubelab):
    PrecedentFactory(title="Heart cells in a locker", year=2019, confidence="medium", listings=[cubelab, adsep])

    response = staff_client.get(CHANGELIST)

    row = soup(response).select_one("#result_list tbody tr")
    cells = [cell.get_text(strip=True) for cell in row.select("th, td")[1:]]
    assert cells == ["Heart cells in a locker", "2019", "ADSEP, CubeLab", "Curated", "Flown", "Medium"]


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_query_count_does_not_grow_with_precedents(staff_client, adsep, cubelab, count):
    for _ in range(count):
        PrecedentFactory(listings=[adsep, cubelab])

    with CaptureQueriesContext(connection) as captured:
        response = staff_client.get(CHANGELIST)

    assert (response.status_code, len(titles(response))) == (200, count)
    assert len(captured) == 9  # the session is read from Redis


@pytest.mark.parametrize(
    ("query", "found"),
    [("cardiomyocyte", ["Heart cells"]), ("osteoblast", ["Bone cells"]), ("Baylor", ["Bone cells"])],
)
def test_search_finds_words_of_the_title_summary_and_team(staff_client, adsep, query, found):
    PrecedentFactory(
        title="Heart cells",
        summary="Cardiomyocyte sheets beat for a month in orbit and were fixed for imaging on return.",
        listings=[adsep],
    )
    PrecedentFactory(
        title="Bone cells",
        summary="Osteoblast cultures were loaded and unloaded in orbit to study bone formation over two weeks.",
        team="Baylor College of Medicine",
        listings=[adsep],
    )

    assert titles(staff_client.get(CHANGELIST, {"q": query})) == found


def test_filters_by_listing_year_and_origin(staff_client, adsep, cubelab, portal):
    PrecedentFactory(title="On the locker", year=2019, listings=[cubelab])
    PrecedentFactory(title="On ADSEP", year=2017, listings=[adsep])

    by_listing = titles(staff_client.get(CHANGELIST, {"listings__id__exact": cubelab.pk}))
    by_year = titles(staff_client.get(CHANGELIST, {"year": 2017}))
    by_origin = titles(staff_client.get(CHANGELIST, {"origin__exact": "portal"}))
    panel = soup(staff_client.get(CHANGELIST))

    assert (by_listing, by_year, by_origin) == (["On the locker"], ["On ADSEP"], ["Secret liver flight"])
    # "-": precedents left without a listing (theirs were deleted).
    assert filter_choices(panel, "listings that flew it") == ["All", "ADSEP", "CubeLab", "-"]
    assert filter_choices(panel, "year") == ["All", "2017", "2019", "2026"]
    assert filter_choices(panel, "origin") == ["All", "Curated", "Portal"]


def filter_choices(page, title) -> list[str]:
    return [a.get_text(strip=True) for a in page.select(f'#changelist-filter details[data-filter-title="{title}"] a')]


def test_the_edit_page_opens_with_every_fact(staff_client, adsep):
    precedent = PrecedentFactory(listings=[adsep])

    response = staff_client.get(reverse("admin:projects_precedent_change", args=[precedent.pk]))

    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("input[name=title]")["value"] == precedent.title
    assert page.select_one("textarea[name=summary]").get_text(strip=True) == precedent.summary
    assert [o["value"] for o in page.select("select[name=listings] option[selected]")] == [str(adsep.pk)]
    assert page.select_one("input[name=sample_return][checked]")["value"] == "true"
    assert page.select_one("input[name=variable_gravity][checked]")["value"] == "unknown"
    assert page.select_one(".field-external_id .readonly").get_text(strip=True) == precedent.external_id


def test_staff_see_a_portal_precedents_text_and_where_it_came_from(staff_client, portal):
    response = staff_client.get(reverse("admin:projects_precedent_change", args=[portal.pk]))

    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("input[name=title]")["value"] == "Secret liver flight"
    assert page.select_one(".field-proposal_link a")["href"] == reverse(
        "admin:projects_proposal_change", args=[portal.proposal_id]
    )
    assert page.select("select[name=listings]") == []  # the listing is the record made from the introduction
    assert page.select_one(".field-listings .readonly").get_text(strip=True) == "ADSEP"


def test_staff_edit_a_precedent_and_the_history_shows_it(staff_client, adsep, cubelab):
    precedent = PrecedentFactory(listings=[adsep])
    url = reverse("admin:projects_precedent_change", args=[precedent.pk])
    data = form_data(staff_client.get(url), "#precedent_form")
    data.update({"year": ["2021"], "listings": [str(cubelab.pk)]})

    response = staff_client.post(url, data)

    precedent.refresh_from_db()
    assert response.status_code == 302
    assert (precedent.year, list(precedent.listings.all())) == (2021, [cubelab])
    history = staff_client.get(reverse("admin:projects_precedent_history", args=[precedent.pk]))
    assert history.status_code == 200
    latest = precedent.history.latest()
    assert (latest.year, [row.capability for row in latest.listings.all()]) == (2021, [cubelab])
    assert latest.history_user.email == "staff@example.org"
    newest = soup(history).select_one("#change-history tbody tr").select("td")
    assert " ".join(newest[5].get_text().split()) == "Listings that flew it: [] → [CubeLab]"
    assert newest[3].get_text(strip=True) == latest.history_user.display_name
    assert sorted(RescoreRequest.objects.values_list("capability_id", flat=True)) == sorted([adsep.pk, cubelab.pk])


def test_a_bad_value_is_refused_with_the_reason_and_nothing_changes(staff_client, adsep):
    precedent = PrecedentFactory(listings=[adsep], year=2019)
    url = reverse("admin:projects_precedent_change", args=[precedent.pk])
    data = form_data(staff_client.get(url), "#precedent_form")
    data.update({"year": ["1975"], "summary": ["Too short."], "listings": []})

    response = staff_client.post(url, data)

    errors = {
        next(name for name in row["class"] if name.startswith("field-")).removeprefix("field-"): row.select_one(
            ".errorlist"
        ).get_text(strip=True)
        for row in soup(response).select(".form-row.errors")
    }
    assert response.status_code == 200
    assert errors == {
        "summary": "Ensure this value has at least 40 characters (it has 10).",
        "listings": "This field is required.",
        "year": "Ensure this value is greater than or equal to 1981.",
    }
    precedent.refresh_from_db()
    assert (precedent.year, RescoreRequest.objects.count()) == (2019, 0)


def test_staff_add_a_curated_precedent(staff_client, adsep):
    response = staff_client.post(
        reverse("admin:projects_precedent_add"),
        {
            "external_id": "stem-cell-expansion-2024",
            "title": "Stem-cell expansion in a culture bag",
            "summary": "Mesenchymal stem cells were expanded for three weeks in orbit and returned frozen.",
            "research_areas": ["stem_cells"],
            "sample_type": "live_cells",
            "needs": ["cell_culture_bioreactor"],
            "crew_time": "",
            "duration_days": "21",
            "sample_return": "true",
            "variable_gravity": "unknown",
            "listings": [adsep.pk],
            "year": "2024",
            "team": "",
            "sources": '["https://example.org/stem-cells"]',
            "confidence": "high",
        },
    )

    precedent = Precedent.objects.get()
    assert response.status_code == 302
    assert (precedent.origin, precedent.flight_status, precedent.sample_return, precedent.variable_gravity) == (
        "curated",
        "flown",
        True,
        None,
    )
    assert list(RescoreRequest.objects.values_list("capability_id", "categories")) == [
        (adsep.pk, ["cell_culture_bioreactor"])
    ]


def test_deleting_a_precedent_keeps_its_history_and_rescores_its_listings(staff_client, adsep):
    precedent = PrecedentFactory(listings=[adsep])

    response = staff_client.post(reverse("admin:projects_precedent_delete", args=[precedent.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert Precedent.objects.count() == 0
    assert precedent.history.model.objects.filter(id=precedent.pk).latest().history_type == "-"
    assert list(RescoreRequest.objects.values_list("capability_id", flat=True)) == [adsep.pk]


@pytest.mark.parametrize("who", ["provider_user", "researcher"])
def test_non_staff_do_not_reach_precedents(client, request, adsep, who):
    precedent = PrecedentFactory(listings=[adsep])
    client.force_login(request.getfixturevalue(who))

    pages = [CHANGELIST, reverse("admin:projects_precedent_change", args=[precedent.pk])]

    assert [client.get(page).status_code for page in pages] == [302, 302]
