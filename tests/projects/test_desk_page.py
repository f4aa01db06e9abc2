"""The proposal page of the review desk: read-only sections, files, matches, near misses, reviews, history."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.domain.transitions import set_proposal_status
from projects.enums import Fit, ProposalStatus
from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory
from tests.projects.factories import (
    CoInvestigatorFactory,
    MatchFactory,
    NarrativeFactory,
    ProposalFactory,
    ReviewFactory,
)
from tests.utils import soup

pytestmark = pytest.mark.django_db


def page_url(proposal):
    return reverse("admin:projects_proposal_change", args=[proposal.pk])


@pytest.fixture
def proposal(researcher):
    return ProposalFactory(
        owner=researcher,
        complete=True,
        status=ProposalStatus.SUBMITTED,
        title="Liver organoids in orbit",
        co2=None,
        imaging=False,
        matched_at=timezone.now(),
    )


@pytest.fixture
def matched(proposal):
    provider = OrganisationFactory(name="Space Tango")
    MatchFactory(
        proposal=proposal,
        capability=CapabilityFactory(organisation=provider, name="CubeLab"),
        rank=1,
        score=81.6,
        fit=Fit.FITS,
    )
    MatchFactory(
        proposal=proposal,
        capability=CapabilityFactory(organisation=provider, name="PowerCube"),
        rank=2,
        score=64.2,
        fit=Fit.TO_CONFIRM,
        criteria_json='[["duration_days", "unknown", "Provider has not stated a maximum duration; you need 14 days."]]',
        needs_met=0,
        needs_to_confirm=1,
    )
    MatchFactory(
        proposal=proposal,
        capability=CapabilityFactory(organisation=provider, name="Cold box"),
        rank=3,
        score=42.0,
        fit=Fit.DOES_NOT_FIT,
        near_miss="Holds 4-30 °C; you need up to 37.5 °C.",
    )
    return proposal


def table_rows(page, selector):
    return [
        [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.select("th, td")]
        for row in page.select(f"{selector} tbody tr")
    ]


def test_page_is_read_only(client, staff, proposal):
    client.force_login(staff)

    page = soup(client.get(page_url(proposal)))

    assert page.select("#proposal_form input[name=title], #proposal_form textarea, #proposal_form select") == []
    assert page.select_one("#proposal_form .submit-row input[name=_save]") is None
    assert page.select_one(".field-title .readonly").get_text(strip=True) == "Liver organoids in orbit"
    # "Not stated" stays distinct from "no".
    assert page.select_one(".field-co2_display .readonly").get_text(strip=True) == "Not stated"
    assert page.select_one(".field-imaging_display .readonly").get_text(strip=True) == "No"
    assert page.select_one(".field-needs_display .readonly").get_text(strip=True) == "Cell culture / bioreactor"


def test_posting_the_page_changes_nothing(client, staff, proposal):
    client.force_login(staff)

    response = client.post(page_url(proposal), {"title": "Renamed"})

    proposal.refresh_from_db()
    assert (response.status_code, proposal.title) == (403, "Liver organoids in orbit")


def test_page_shows_matches_and_near_misses(client, staff, matched):
    client.force_login(staff)

    page = soup(client.get(page_url(matched)))

    assert page.select_one("#desk-matches-title").get_text(strip=True) == "Matches (2)"
    assert table_rows(page, "[data-matches]") == [
        [
            "1",
            "CubeLab",
            "Space Tango",
            "Fits",
            "82",
            "Meets 1 of 1 needs Fits pass Needs 36.5-37.5 °C; holds 4-40 °C.",
            "Invite a contact and introduce to Space Tango (CubeLab)",
        ],
        [
            "2",
            "PowerCube",
            "Space Tango",
            "To confirm",
            "64",
            "Meets 0 of 1 needs · 1 to confirm with the provider To confirm with the provider unknown Provider has not "
            "stated a maximum duration; you need 14 days.",
            "Invite a contact and introduce to Space Tango (PowerCube)",
        ],
    ]
    assert table_rows(page, "[data-near-misses]") == [
        ["Cold box", "Space Tango", "42", "Holds 4-30 °C; you need up to 37.5 °C."]
    ]


def test_match_rows_link_to_the_introductions_page(client, staff, matched):
    client.force_login(staff)

    page = soup(client.get(page_url(matched)))

    capability = matched.matches.get(rank=1).capability
    assert page.select("[data-introduce]")[0]["href"] == (
        f"/proposals/{matched.public_id}/introduce/?capability={capability.public_id}"
    )


def test_page_shows_reviews_with_their_average(client, staff, proposal):
    ReviewFactory(proposal=proposal, scientific_merit=5, need_for_microgravity=4, feasibility=4, value=3)
    ReviewFactory(
        proposal=proposal,
        conflict_of_interest=True,
        scientific_merit=None,
        need_for_microgravity=None,
        feasibility=None,
        value=None,
        operations="",
        comment="Former student.",
    )
    client.force_login(staff)

    page = soup(client.get(page_url(proposal)))

    assert page.select_one("#desk-reviews-title").get_text(strip=True) == "Reviews: average 4.00"
    rows = table_rows(page, "[data-reviews]")
    assert [row[1:] for row in rows] == [
        ["5", "4", "4", "3", "4.00", "Pass", "Clear aims; the return logistics need a plan."],
        ["Conflict of interest declared", "Former student."],
    ]


def test_page_shows_team_files_and_status_history(client, staff, proposal):
    CoInvestigatorFactory(proposal=proposal, name="Ada Byron", email="ada@example.edu", role="co_pi")
    attachment = NarrativeFactory(proposal=proposal)
    set_proposal_status(proposal, ProposalStatus.SCREENING, staff, "Operations screen first.")
    client.force_login(staff)

    page = soup(client.get(page_url(proposal)))

    assert table_rows(page, "[data-team]") == [
        [
            proposal.owner.display_name,
            "researcher@example.org",
            proposal.organisation,
            "Principal investigator",
            "Owner",
        ],
        ["Ada Byron", "ada@example.edu", "Gulf Coast University", "Co-principal investigator", "Not joined"],
    ]
    assert page.select_one("[data-files] a[data-download]")["href"] == attachment.get_absolute_url()
    history = table_rows(page, "[data-status-history]")
    assert [row[1:] for row in history] == [["Submitted", "Screening", staff.display_name, "Operations screen first."]]


def test_staff_download_attachments_through_the_checked_view(client, staff, proposal):
    attachment = NarrativeFactory(proposal=proposal)
    client.force_login(staff)

    response = client.get(attachment.get_absolute_url())

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_page_leaves_a_place_for_introductions(client, staff, proposal):
    client.force_login(staff)

    response = client.get(page_url(proposal))

    assert "projects/admin/_introductions.html" in [t.name for t in response.templates]


def test_page_offers_the_moves_staff_may_make(client, staff, proposal):
    client.force_login(staff)

    page = soup(client.get(page_url(proposal)))

    options = [option["value"] for option in page.select("[data-status-form] select[name=new_status] option")]
    assert options == ["", "screening"]


def test_draft_page_offers_no_move(client, staff, researcher):
    draft = ProposalFactory(owner=researcher)
    client.force_login(staff)

    page = soup(client.get(page_url(draft)))

    assert page.select_one("[data-status-form]") is None
    assert "the researcher has not submitted it" in page.select_one("[data-desk-actions]").get_text()


def test_page_query_count_does_not_grow_with_matches_and_reviews(client, staff, researcher):
    few, many = (ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED) for _ in range(2))
    for proposal, count in ((few, 1), (many, 8)):
        for rank in range(1, count + 1):
            MatchFactory(proposal=proposal, rank=rank)
            ReviewFactory(proposal=proposal)
    client.force_login(staff)
    # Warm the content-type and permission caches on another proposal's page (each of these is then rendered fresh).
    client.get(page_url(ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED)))

    counts = []
    for proposal in (few, many):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(proposal)).status_code == 200
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]


def test_status_moves_appear_in_the_proposals_history_in_the_admin(client, staff, proposal):
    client.force_login(staff)
    client.post(reverse("admin:projects_proposal_status", args=[proposal.pk]), {"new_status": "screening"})

    response = client.get(reverse("admin:projects_proposal_history", args=[proposal.pk]))

    rows = soup(response).select("#change-history tbody tr")
    newest = [cell.get_text(strip=True) for cell in rows[0].select("td")]
    assert (newest[3], newest[4]) == (str(staff), "Submitted → Screening")  # changed by, change reason


@pytest.mark.parametrize("size", [1, 6])
def test_page_query_count_does_not_grow_with_matches_reviews_and_team(
    client, staff, researcher, django_assert_num_queries, size
):
    proposal = ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED)
    for rank in range(1, size + 1):
        MatchFactory(proposal=proposal, capability=CapabilityFactory(), rank=rank)
        ReviewFactory(proposal=proposal)
        CoInvestigatorFactory(proposal=proposal)
    client.force_login(staff)
    # The content types cached, as in any running process (on another proposal's page: this one is not kept yet).
    client.get(page_url(ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED)))

    # user (the session is read from Redis), the proposal with its PI and call (once: Django's form view asks for it
    # again), the digest of the rows the page shows, two permission lookups of the admin (its key), matches, the
    # providers already introduced, reviews, team, files, history, conflict and team checks for the reviewer,
    # introductions, introduction requests
    with django_assert_num_queries(15):
        fresh = client.get(page_url(proposal))
    # The page is kept whole: user, proposal, digest, permissions (tests/projects/test_kept_desk_page.py).
    with django_assert_num_queries(5):
        kept = client.get(page_url(proposal))

    assert fresh.status_code == kept.status_code == 200


def test_each_panel_has_its_heading_and_a_table_labelled_by_it_or_says_what_is_missing(
    client, staff, proposal, matched
):
    client.force_login(staff)

    page = soup(client.get(page_url(proposal)))

    panels = [
        (
            panel.h2.get_text(strip=True),
            panel.get("aria-labelledby") == panel.h2["id"],
            [region["aria-labelledby"] == panel.h2["id"] for region in panel.select("[role=region]")],
            [caption.get_text(strip=True) for caption in panel.select("table.desk-table > caption")],
            [p.get_text(strip=True) for p in panel.select(":scope > p.desk-body")],
        )
        for panel in page.select("section.desk-panel[data-team], section.desk-panel[data-team] ~ section.desk-panel")
    ]
    assert panels == [
        ("Team", True, [True], ["The principal investigator and the co-investigators the PI listed"], []),
        ("Files (0)", True, [], [], ["No files uploaded yet."]),
        ("Matches (2)", True, [True], ["Listings matched to this proposal, best first"], []),
        ("Near misses (1)", True, [True], ["Listings that fail one requirement by a small margin"], []),
        ("Reviews", True, [], [], ["No reviews yet.Write the first review."]),
        ("Status history", True, [True], ["Every status move, oldest first"], []),
    ]


def test_the_desk_lists_a_matchs_checks_with_their_outcome(client, staff, proposal, matched):
    client.force_login(staff)

    page = soup(client.get(page_url(proposal)))

    checks = page.select('[data-match-rank="2"] ul.desk-criteria li')
    assert [(li["data-check"], li.select_one(".criterion").get_text()) for li in checks] == [
        ("duration_days", "unknown")
    ]


# --- The matches' markup is kept (projects.domain.suggestions.desk_rendering_key) ------------------------------


def matches_panel(client, proposal):
    response = client.get(page_url(proposal))
    return soup(response).select_one("section[data-matches]"), [template.name for template in response.templates]


def test_the_second_visit_shows_the_same_matches_without_rendering_their_checks(client, staff, matched):
    client.force_login(staff)
    first, first_templates = matches_panel(client, matched)
    second, second_templates = matches_panel(client, matched)

    assert second == first
    assert len(first.select("[data-match-rank]")) == 2
    assert "admin/projects/proposal/desk/matches.html" in first_templates
    assert "admin/projects/proposal/desk/matches.html" not in second_templates


def test_a_rescoring_shows_at_the_next_visit_of_the_desk(client, staff, matched):
    client.force_login(staff)
    matches_panel(client, matched)

    matched.matches.filter(rank=2).delete()
    matched.matched_at = timezone.now()
    matched.save(update_fields=["matched_at"])

    panel, _ = matches_panel(client, matched)
    assert [row["data-match-rank"] for row in panel.select("[data-match-rank]")] == ["1"]


@pytest.mark.parametrize(
    ("renamed", "expected"),
    [("listing", "1 CubeLab Mark II Space Tango"), ("provider", "1 CubeLab Space Tango Inc.")],
)
def test_a_listing_or_provider_renamed_shows_at_the_next_visit_of_the_desk(client, staff, matched, renamed, expected):
    client.force_login(staff)
    matches_panel(client, matched)

    listing = matched.matches.get(rank=1).capability
    if renamed == "listing":
        listing.name = "CubeLab Mark II"
        listing.save()
    else:
        listing.organisation.name = "Space Tango Inc."
        listing.organisation.save()

    panel, _ = matches_panel(client, matched)
    assert panel.select_one('[data-match-rank="1"]').get_text(" ", strip=True).startswith(expected)


def test_a_provider_gaining_a_member_is_offered_a_plain_introduction_at_the_next_visit(
    client, staff, matched, provider_user
):
    client.force_login(staff)
    panel, _ = matches_panel(client, matched)
    assert panel.select_one("[data-introduce]").get_text(strip=True).startswith("Invite a contact and introduce")

    MembershipFactory(organisation=matched.matches.get(rank=1).capability.organisation, user=provider_user)

    panel, _ = matches_panel(client, matched)
    assert panel.select_one("[data-introduce]").get_text(strip=True).startswith("Introduce")
