from pathlib import Path

import pytest
from django.conf import settings

from partners.domain.importing import import_capabilities
from partners.enums import MembershipRole
from partners.models import Capability, Organisation
from projects.domain import scoring
from projects.enums import ProposalStatus
from projects.matching.explain import group_checks
from tests.partners.factories import CapabilityFactory, MembershipFactory
from tests.projects.factories import ProposalFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "partners" / "data" / "iss-facilities.json"


@pytest.fixture
def catalogue(db):
    import_capabilities(CATALOGUE.read_bytes())


def proposal_with_status(owner, status):
    proposal = ProposalFactory(owner=owner, complete=True)
    proposal.status = status
    proposal.save(update_fields=["status"])
    return proposal


def section(client, proposal):
    return soup(client.get(proposal.get_absolute_url())).select_one("section.suggestions")


def test_a_scored_proposal_shows_its_stored_matches_with_reasons(client, researcher, catalogue):
    proposal = proposal_with_status(researcher, ProposalStatus.SUBMITTED)
    scoring.score_proposal(proposal.pk)
    client.force_login(researcher)

    page = section(client, proposal)

    items = page.select('ol[aria-label="Suggested facilities"] > li')
    top = proposal.matches.order_by("rank").select_related("capability").first()
    assert page.select_one("[data-suggestions-state]")["data-suggestions-state"] == "stored"
    assert len(items) == 10
    assert items[0]["data-match"] == top.capability.external_id
    assert items[0].select_one(".fit-badge").get_text(strip=True) == top.get_fit_display()
    assert items[0].select_one("[data-match-summary]").get_text(strip=True) == top.summary
    groups = group_checks(top.criteria)
    assert [group["data-group"] for group in items[0].select("[data-group]")] == [key for key, _, _ in groups]
    assert [li.get_text(" ", strip=True) for li in items[0].select("ul.criteria li")] == [
        f"{check['outcome']} {check['detail']}" for _, _, checks in groups for check in checks
    ]
    assert len(page.select("[data-score-scale]")) == 1  # the scale is explained once per page


def test_a_draft_shows_a_live_preview(client, researcher, catalogue):
    proposal = ProposalFactory(owner=researcher, complete=True, needs=["3d_bioprinter"], sample_type="bioink")
    client.force_login(researcher)

    page = section(client, proposal)

    assert page.select_one("[data-suggestions-state]")["data-suggestions-state"] == "preview"
    assert page.select_one('ol[aria-label="Suggested facilities"] > li')["data-match"] in {
        "redwire-bff",
        "auxilium-amp1",
    }
    assert proposal.matches.count() == 0  # a preview stores nothing


def test_a_submitted_proposal_waiting_for_scoring_says_so(client, researcher, catalogue):
    proposal = proposal_with_status(researcher, ProposalStatus.SUBMITTED)
    client.force_login(researcher)

    page = section(client, proposal)

    assert page.select_one("[data-suggestions-state]")["data-suggestions-state"] == "queued"


def test_without_listings_the_page_explains_why_there_are_no_suggestions(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True)
    client.force_login(researcher)

    page = section(client, proposal)

    assert page.select_one("[data-suggestions-state]")["data-suggestions-state"] == "none"


def test_a_proposal_scored_against_an_empty_catalogue_is_not_shown_as_waiting(client, researcher):
    proposal = proposal_with_status(researcher, ProposalStatus.SUBMITTED)
    scoring.score_proposal(proposal.pk)
    client.force_login(researcher)

    page = section(client, proposal)

    assert page.select_one("[data-suggestions-state]")["data-suggestions-state"] == "none"
    assert page.select_one("[data-suggestions-state]").get_text(" ", strip=True) == (
        "No suggestions yet: no provider has published a listing to compare your flight requirements with. "
        "Suggestions appear here as soon as one does; program staff will also look for partners with you."
    )


def test_a_withdrawn_proposal_is_not_matched(client, researcher, catalogue):
    proposal = proposal_with_status(researcher, ProposalStatus.WITHDRAWN)
    client.force_login(researcher)

    assert section(client, proposal).get_text(" ", strip=True) == (
        "Suggested partners This proposal was withdrawn, so it is no longer matched to hardware."
    )


def test_proposal_page_query_count_does_not_grow_with_matches(
    client, researcher, catalogue, settings, django_assert_max_num_queries
):
    proposal = proposal_with_status(researcher, ProposalStatus.SUBMITTED)
    client.force_login(researcher)
    settings.MATCH_TOP_N = 3
    scoring.score_proposal(proposal.pk)
    client.get(proposal.get_absolute_url())  # warm the catalogue cache
    scoring.score_proposal(proposal.pk)  # scored again: the suggestions are rendered afresh, as after a change
    with django_assert_max_num_queries(40) as few:
        client.get(proposal.get_absolute_url())
    settings.MATCH_TOP_N = 25
    scoring.score_proposal(proposal.pk)
    with django_assert_max_num_queries(40) as many:
        client.get(proposal.get_absolute_url())

    assert len(many.captured_queries) == len(few.captured_queries)


def demand_panel(client, capability):
    return soup(client.get(capability.get_absolute_url())).select_one("[data-demand]")


def test_the_listings_provider_sees_how_many_open_proposals_it_could_serve(
    client, provider_user, researcher, catalogue
):
    MembershipFactory(
        organisation=Organisation.objects.get(name="Airbus Defence and Space"),
        user=provider_user,
        role=MembershipRole.MEMBER,
    )
    for _ in range(2):
        proposal_with_status(researcher, ProposalStatus.SUBMITTED)
    scoring.refresh_listing_demand()
    client.force_login(provider_user)

    panel = demand_panel(client, Capability.objects.get(external_id="airbus-organoid-hardware"))

    fits = int(panel.select_one("[data-demand-fits]").get_text())
    to_confirm = int(panel.select_one("[data-demand-to-confirm]").get_text())
    assert fits + to_confirm == 2
    assert "Organoid study" not in panel.get_text()  # counts only, never proposal content


@pytest.mark.parametrize("viewer", [None, "researcher", "provider_user2"])
def test_others_do_not_see_a_listings_demand(client, request, viewer, catalogue):
    scoring.refresh_listing_demand()
    if viewer:
        client.force_login(request.getfixturevalue(viewer))

    assert demand_panel(client, Capability.objects.get(external_id="airbus-organoid-hardware")) is None


def test_a_proposal_needing_two_kinds_of_hardware_sees_providers_covering_both(client, researcher, catalogue):
    proposal = ProposalFactory(
        owner=researcher,
        complete=True,
        needs=["3d_bioprinter", "cell_culture_bioreactor"],
        sample_type="bioink",
        crew_time="medium",
    )
    client.force_login(researcher)

    providers = section(client, proposal).select('ul[aria-label="Providers"] > li')

    redwire = next(li for li in providers if li.strong.get_text() == "Redwire Space")
    text = redwire.get_text(" ", strip=True)
    assert "3D bioprinter: 3D BioFabrication Facility (BFF)" in text
    assert "Cell culture / bioreactor:" in text


def test_a_proposal_needing_one_kind_gets_no_separate_provider_list(client, researcher, catalogue):
    proposal = ProposalFactory(owner=researcher, complete=True)  # needs one kind: cell culture
    client.force_login(researcher)

    assert section(client, proposal).select('ul[aria-label="Providers"]') == []


def test_facilities_that_cannot_take_the_experiment_are_not_suggested(client, researcher):
    # Stored matches keep listings that do not fit for staff; the researcher's suggestions leave them out.
    CapabilityFactory(name="Warm incubator", temperature_min_c=20, temperature_max_c=40)
    CapabilityFactory(name="Cold box", temperature_min_c=-20, temperature_max_c=4)
    proposal = proposal_with_status(researcher, ProposalStatus.SUBMITTED)  # needs 36.5-37.5 °C
    scoring.score_proposal(proposal.pk)
    client.force_login(researcher)

    page = section(client, proposal)

    stored = sorted(proposal.matches.values_list("capability__name", "fit"))
    items = page.select('ol[aria-label="Suggested facilities"] > li')
    assert stored == [("Cold box", "does_not_fit"), ("Warm incubator", "to_confirm")]
    assert [li.select_one(".fit-badge").get_text(strip=True) for li in items] == ["To confirm"]


def test_the_researcher_sees_near_misses_with_what_would_have_to_change(client, researcher):
    CapabilityFactory(name="Short-stay incubator", temperature_min_c=20, temperature_max_c=40, max_duration_days=10)
    proposal = proposal_with_status(researcher, ProposalStatus.SUBMITTED)  # 14 days at 36.5-37.5 °C
    scoring.score_proposal(proposal.pk)
    client.force_login(researcher)

    page = section(client, proposal)

    near = proposal.matches.exclude(near_miss="").get()
    assert [li.get_text(" ", strip=True) for li in page.select('ul[aria-label="Near misses"] li')] == [
        f"Short-stay incubator · {near.capability.organisation.name} : {near.near_miss}."
    ]
    assert near.near_miss == "fits if your experiment can run in 10 days instead of 14"


def test_a_proposal_stating_no_flight_requirement_is_told_its_suggestions_rest_on_text_alone(
    client, researcher, catalogue
):
    bare = ProposalFactory(owner=researcher, summary="Grow liver organoids for 14 days and return them live.")
    stated = ProposalFactory(owner=researcher, complete=True)
    client.force_login(researcher)

    bare_page, stated_page = section(client, bare), section(client, stated)

    assert "rest on your text alone" in bare_page.select_one("[data-weak-matching]").get_text(" ", strip=True)
    fits = [li["data-fit"] for li in bare_page.select('ol[aria-label="Suggested facilities"] > li')]
    assert fits  # still suggested, from the text
    assert "fits" not in fits
    assert stated_page.select_one("[data-weak-matching]") is None


def test_draft_page_previews_without_reading_stored_matches(
    client, researcher, catalogue, django_assert_max_num_queries
):
    proposal = proposal_with_status(researcher, ProposalStatus.DRAFT)
    client.force_login(researcher)
    # The catalogue loaded once per process, on another draft's page (this one's would be kept whole).
    client.get(proposal_with_status(researcher, ProposalStatus.DRAFT).get_absolute_url())

    with django_assert_max_num_queries(40) as captured:
        response = client.get(proposal.get_absolute_url())

    assert response.context["suggestions"].state == "preview"
    assert [q["sql"] for q in captured.captured_queries if 'FROM "projects_match"' in q["sql"]] == []
