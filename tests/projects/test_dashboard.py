"""The staff dashboard: figures on a known data set, the page's charts and tables, who may see it."""

import json

import pytest
from django.urls import reverse

from partners.enums import PublicationState
from projects.domain.statistics import Coverage, DemandSupply, Figure, desk_figures
from projects.enums import Fit, ProposalStatus
from tests.partners.factories import CapabilityFactory, OrganisationFactory
from tests.projects.factories import CallFactory, MatchFactory, ProposalFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

S = ProposalStatus
URL = reverse("admin:projects_proposal_dashboard")


@pytest.fixture
def known(researcher):
    """Seven proposals in two calls and none, four under consideration; five listings, three of them public."""
    first, second = CallFactory(code="NLRA 2027-1"), CallFactory(code="NLRA 2027-2")

    def proposal(status, call, areas, needs):
        return ProposalFactory(owner=researcher, status=status, call=call, research_areas=areas, needs=needs)

    eligible = proposal(S.SUBMITTED, first, ["organoids", "stem_cells"], ["cell_culture_bioreactor"])
    unconfirmed = proposal(S.SCREENING, first, ["organoids"], ["cell_culture_bioreactor", "cold_stowage_freezer"])
    only_near_miss = proposal(S.UNDER_REVIEW, second, ["protein_crystallization"], ["protein_crystallization"])
    proposal(S.REVISIONS_REQUESTED, None, ["biofabrication"], ["3d_bioprinter"])  # not scored
    proposal(S.ACCEPTED, second, ["organoids"], ["cell_culture_bioreactor"])
    proposal(S.DRAFT, first, ["stem_cells"], ["3d_bioprinter"])
    proposal(S.DRAFT, None, [], [])
    for scored in (eligible, unconfirmed, only_near_miss):
        scored.matched_at = scored.updated_at
        scored.save()

    verified = OrganisationFactory()
    incubator = CapabilityFactory(organisation=verified, categories=["cell_culture_bioreactor", "imaging_microscopy"])
    culture = CapabilityFactory(organisation=verified, categories=["cell_culture_bioreactor"])
    CapabilityFactory(organisation=verified, categories=["3d_bioprinter"])
    CapabilityFactory(organisation=verified, categories=["cold_stowage_freezer"], publication=PublicationState.DRAFT)
    CapabilityFactory(organisation=OrganisationFactory(verified=False), categories=["protein_crystallization"])

    MatchFactory(proposal=eligible, capability=incubator, rank=1, fit=Fit.FITS)
    MatchFactory(proposal=eligible, capability=culture, rank=2, fit=Fit.TO_CONFIRM)
    MatchFactory(proposal=unconfirmed, capability=incubator, rank=1, fit=Fit.TO_CONFIRM)
    MatchFactory(
        proposal=only_near_miss,
        capability=culture,
        rank=1,
        fit=Fit.DOES_NOT_FIT,
        near_miss="Warmer, please.",
    )


def test_figures_on_a_known_data_set(known):
    figures = desk_figures()

    assert figures.by_status == [
        Figure("Draft", 2),
        Figure("Submitted", 1),
        Figure("Screening", 1),
        Figure("Under review", 1),
        Figure("Revisions requested", 1),
        Figure("Invited to a full proposal", 0),  # every status, in the order of ProposalStatus, zeros included
        Figure("Accepted", 1),
        Figure("Declined", 0),
        Figure("Withdrawn", 0),
    ]
    assert figures.by_call == [Figure("NLRA 2027-1", 2), Figure("NLRA 2027-2", 2), Figure("Unsolicited", 1)]
    assert {f.label: f.value for f in figures.by_research_area if f.value} == {
        "Stem cells": 1,
        "Organoids": 3,
        "Biofabrication": 1,
        "Protein crystallization": 1,
    }
    assert len(figures.by_research_area) == 14  # every area, zeros included
    assert figures.coverage == Coverage(open_total=4, scored=3, with_fit=1, with_fit_or_to_confirm=2)
    assert (figures.coverage.fits_share, figures.coverage.fits_or_to_confirm_share) == (25.0, 50.0)
    assert [row for row in figures.demand_supply if row.demand or row.supply] == [
        DemandSupply("Cell culture / bioreactor", demand=2, supply=2),
        DemandSupply("3D bioprinter", demand=1, supply=1),
        DemandSupply("Protein crystallization", demand=1, supply=0),
        DemandSupply("Cold stowage / freezer", demand=1, supply=0),
        DemandSupply("Imaging / microscopy", demand=0, supply=1),
    ]


def test_figures_of_an_empty_site():
    figures = desk_figures()

    assert figures.coverage == Coverage(0, 0, 0, 0)
    assert (figures.coverage.fits_share, figures.by_call) == (None, [])
    assert sum(f.value for f in figures.by_status) == 0


def table(page, key):
    return [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in page.select(f"[data-figures={key}] tbody tr")
    ]


def test_dashboard_page_has_a_chart_and_a_table_for_each_figure(client, staff, known):
    client.force_login(staff)

    response = client.get(URL)

    page = soup(response)
    assert response.status_code == 200
    assert [s["data-chart-section"] for s in page.select("[data-chart-section]")] == [
        "by-status",
        "by-call",
        "by-research-area",
        "coverage",
        "demand-supply",
    ]
    assert [c["id"] for c in page.select("canvas[role=img][aria-label]")] == [
        "chart-by-status",
        "chart-by-call",
        "chart-by-research-area",
        "chart-coverage",
        "chart-demand-supply",
    ]
    assert table(page, "by-call") == [["NLRA 2027-1", "2"], ["NLRA 2027-2", "2"], ["Unsolicited", "1"]]
    assert table(page, "coverage") == [
        ["At least one match that fits", "1", "25.0%"],
        ["At least one match that fits or is to confirm", "2", "50.0%"],
    ]
    assert table(page, "demand-supply")[0] == ["Cell culture / bioreactor", "2", "2"]
    data = json.loads(page.select_one("#desk-chart-data").string)
    assert data["by-call"] == {
        "labels": ["NLRA 2027-1", "NLRA 2027-2", "Unsolicited"],
        "series": [{"label": "Submitted proposals", "data": [2, 2, 1]}],
    }
    assert data["coverage"]["series"][0]["data"] == [25.0, 50.0]
    assert [s["src"] for s in page.select("script[src]")][-2:] == [
        "/static/vendor/chart.js/chart.umd.min.js",
        "/static/js/desk-dashboard.js",
    ]


def test_dashboard_is_linked_from_the_admin_home(client, staff):
    client.force_login(staff)

    page = soup(client.get(reverse("admin:index")))

    assert page.select_one("[data-desk-shortcuts] a")["href"] == URL


@pytest.mark.parametrize("who", ["researcher", "provider_user"])
def test_dashboard_is_staff_only(client, request, who):
    client.force_login(request.getfixturevalue(who))

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_dashboard_query_count_does_not_grow_with_data(client, staff, researcher, django_assert_num_queries):
    client.force_login(staff)
    client.get(URL)
    with django_assert_num_queries(11) as small:  # the session is read from Redis
        client.get(URL)
    for _ in range(5):
        MatchFactory(proposal=ProposalFactory(owner=researcher, status=S.SUBMITTED, call=CallFactory()), rank=1)

    with django_assert_num_queries(len(small.captured_queries)):
        client.get(URL)
