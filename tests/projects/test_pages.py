"""The researcher dashboard and the proposal page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from projects.domain.calendars import feed_of
from projects.domain.proposals import create_draft, submit_proposal
from projects.domain.queries import dashboard_proposals, typical_days_in_status
from projects.domain.transitions import set_proposal_status
from projects.enums import Access, ProposalStatus
from projects.models import Proposal, StatusChange
from tests.projects.factories import CallFactory, CoInvestigatorFactory, NarrativeFactory, ProposalFactory
from tests.utils import nav_links, soup

pytestmark = pytest.mark.django_db


def rows(response):
    return [
        (
            row.select_one("td a").get_text(strip=True),
            row.select_one(".status-badge").get_text(strip=True),
            row.select("td")[2].get_text(strip=True),
            row.select_one("td:last-child a").get_text(" ", strip=True),
        )
        for row in soup(response).select('[data-table="proposals"] tbody tr')
    ]


def test_dashboard_lists_drafts_first_then_revisions_then_by_last_change(client, researcher):
    now = timezone.now()
    call = CallFactory(code="NLRA 2027-1")
    ProposalFactory(
        owner=researcher, title="Old submitted", status="submitted", call=call, updated_at=now - timedelta(days=9)
    )
    ProposalFactory(
        owner=researcher, title="New accepted", status="accepted", call=None, updated_at=now - timedelta(days=1)
    )
    ProposalFactory(
        owner=researcher,
        title="Revise me",
        status="revisions_requested",
        call=call,
        updated_at=now - timedelta(days=20),
    )
    ProposalFactory(owner=researcher, title="Old draft", call=call, updated_at=now - timedelta(days=30))
    ProposalFactory(owner=researcher, title="New draft", call=call, updated_at=now)
    ProposalFactory(title="Someone else's")
    client.force_login(researcher)

    response = client.get(reverse("projects:dashboard"))

    assert rows(response) == [
        ("New draft", "Draft", "NLRA 2027-1", "Continue draft : New draft"),
        ("Old draft", "Draft", "NLRA 2027-1", "Continue draft : Old draft"),
        ("Revise me", "Revisions requested", "NLRA 2027-1", "Revise : Revise me"),
        ("New accepted", "Accepted", "Unsolicited", "View : New accepted"),
        ("Old submitted", "Submitted", "NLRA 2027-1", "View : Old submitted"),
    ]


def test_dashboard_shows_proposals_shared_with_me_and_my_role(client, researcher, researcher2):
    shared = ProposalFactory(owner=researcher2, title="Shared with me")
    CoInvestigatorFactory(proposal=shared, user=researcher, access=Access.VIEW, email=researcher.email)
    client.force_login(researcher)

    page = soup(client.get(reverse("projects:dashboard")))

    row = page.select_one(f'[data-proposal="{shared.public_id}"]')
    assert row.select_one("td .small").get_text(strip=True) == "Co-investigator (view)"
    assert row.select_one("td:last-child a").get_text(" ", strip=True) == "View : Shared with me"


def test_dashboard_shows_deadline_and_last_change(client, researcher):
    call = CallFactory(closes_at=timezone.now().replace(year=2030, month=3, day=1, hour=17, minute=0))
    proposal = ProposalFactory(owner=researcher, call=call)
    client.force_login(researcher)

    row = soup(client.get(reverse("projects:dashboard"))).select_one(f'[data-proposal="{proposal.public_id}"]')

    assert row.select("td")[3].get_text(strip=True) == "1 Mar 2030, 17:00 UTC"
    assert row.select("td")[4].time["datetime"] == proposal.updated_at.isoformat()


def test_dashboard_empty_state_says_what_to_do_next(client, researcher):
    CallFactory()
    client.force_login(researcher)

    page = soup(client.get(reverse("projects:dashboard")))

    empty = page.select_one('[data-empty="proposals"]')
    assert empty.h2.get_text(strip=True) == "You have no proposals yet"
    assert [a["href"] for a in empty.select("a")] == [
        reverse("projects:call_list"),
        reverse("projects:proposal_start"),
    ]
    assert "(1 open now)" in empty.p.get_text()


@pytest.mark.parametrize("count", [1, 20])
def test_dashboard_query_count_does_not_grow_with_proposals(
    client, researcher, researcher2, django_assert_num_queries, count
):
    calls = [CallFactory(), CallFactory(upcoming=True)]
    for index in range(count):
        proposal = ProposalFactory(owner=researcher, call=calls[index % 2] if index % 3 else None)
        CoInvestigatorFactory(proposal=proposal)
    shared = ProposalFactory(owner=researcher2)
    CoInvestigatorFactory(proposal=shared, user=researcher, access=Access.EDIT, email=researcher.email)
    client.force_login(researcher)
    feed_of(researcher)  # the calendar address exists from the first visit on

    # user, the digest of the rows the page shows, proposals, the calendar address, unread notifications (the
    # session is read from Redis); the open calls are counted only for the empty state
    with django_assert_num_queries(5):
        response = client.get(reverse("projects:dashboard"))
    # Kept whole from then on: user and digest (the unread count is kept too).
    with django_assert_num_queries(2):
        kept = client.get(reverse("projects:dashboard"))

    assert len(rows(response)) == len(rows(kept)) == count + 1


def test_dashboard_reads_only_the_columns_it_shows(researcher):
    ProposalFactory(owner=researcher, call=CallFactory())

    (proposal,) = dashboard_proposals(researcher)

    # A proposal's texts are most of its row, and the list shows none of them.
    assert {"summary", "objectives", "why_microgravity", "earth_benefit"} <= proposal.get_deferred_fields()
    assert {"title", "status", "updated_at"}.isdisjoint(proposal.get_deferred_fields())
    assert {"code", "closes_at"}.isdisjoint(proposal.call.get_deferred_fields())


# --- My proposals' rows are kept rendered (projects.domain.queries.dashboard_rendering_key) ----------------------


@pytest.fixture
def links_made(monkeypatch):
    """How many proposal links the rendering has made: each row makes two or three."""
    made = []
    original = Proposal.get_absolute_url

    def counting(proposal):
        made.append(proposal.pk)
        return original(proposal)

    monkeypatch.setattr(Proposal, "get_absolute_url", counting)
    return made


def table(client):
    return soup(client.get(reverse("projects:dashboard"))).select_one('[data-table="proposals"] tbody')


def test_the_second_visit_shows_the_same_rows_without_rendering_them(client, researcher, links_made):
    ProposalFactory(owner=researcher, title="Liver organoids", call=CallFactory())
    ProposalFactory(owner=researcher, title="Cartilage", status=ProposalStatus.SUBMITTED)
    client.force_login(researcher)

    first = table(client)
    rendered = len(links_made)
    second = table(client)

    assert second == first
    assert len(first.select("tr")) == 2
    assert rendered > 0
    assert len(links_made) == rendered


def test_a_renamed_or_submitted_proposal_shows_at_the_next_visit(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="Liver organoids", complete=True, call=CallFactory())
    client.force_login(researcher)
    table(client)

    Proposal.objects.filter(pk=proposal.pk).update(title="Liver organoids in orbit")  # no save: updated_at unchanged
    assert table(client).select_one("td a").get_text(strip=True) == "Liver organoids in orbit"

    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.SUBMITTED)
    assert table(client).select_one(".status-badge").get_text(strip=True) == "Submitted"


def test_a_co_investigator_given_edit_rights_is_offered_the_draft_at_the_next_visit(client, researcher, researcher2):
    shared = ProposalFactory(owner=researcher2, title="Shared with me")
    member = CoInvestigatorFactory(proposal=shared, user=researcher, access=Access.VIEW, email=researcher.email)
    client.force_login(researcher)
    assert table(client).select_one("td:last-child a").get_text(" ", strip=True) == "View : Shared with me"

    member.access = Access.EDIT
    member.save()

    assert table(client).select_one("td:last-child a").get_text(" ", strip=True) == "Continue draft : Shared with me"


def test_a_call_closing_marks_its_drafts_at_the_next_visit(client, researcher, monkeypatch):
    call = CallFactory(closes_at=timezone.now() + timedelta(hours=1))
    ProposalFactory(owner=researcher, call=call)
    client.force_login(researcher)
    assert not table(client).select(".tag")

    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr("projects.models.calls.timezone.now", lambda: later)

    assert [tag.get_text() for tag in table(client).select(".tag")] == ["closed"]


def test_dashboard_finds_the_team_proposals_through_indexes_not_a_scan(researcher, researcher2):
    ProposalFactory(owner=researcher)
    CoInvestigatorFactory(
        proposal=ProposalFactory(owner=researcher2), user=researcher, access=Access.VIEW, email=researcher.email
    )
    queryset = Proposal.objects.team_of(researcher)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tables this small are scanned whatever the query
        plan = queryset.explain()

    assert "Seq Scan on projects_proposal " not in plan, plan
    assert queryset.count() == 2


def test_nav_leads_researchers_to_their_proposals(client, researcher):
    client.force_login(researcher)

    assert nav_links(client.get(reverse("projects:dashboard"))) == ["Calls", "Catalogue", "My proposals"]


def test_proposal_page_shows_every_section_and_not_stated_apart_from_no(client, researcher):
    proposal = ProposalFactory(
        owner=researcher,
        complete=True,
        co2=True,
        humidity=False,
        imaging=None,
        power_w=None,
        amount_requested=Decimal("250000"),
    )
    client.force_login(researcher)

    page = soup(client.get(proposal.get_absolute_url()))

    assert [h2.get_text(strip=True) for h2 in page.select("main h2")] == [
        "Progress",
        "Still needed before submission",
        "Overview",
        "Team and eligibility",
        "Science",
        "Flight requirements",
        "Funding",
        "Attachments",
        "Suggested partners",
        "Status history",
    ]
    facts = {
        dt.get_text(strip=True): dd.get_text(strip=True)
        for dt, dd in zip(page.select('[data-facts="flight"] dt'), page.select('[data-facts="flight"] dd'), strict=True)
    }
    assert (facts["CO₂ control"], facts["Humidity control"], facts["Imaging on orbit"]) == ("Yes", "No", "Not stated")
    assert facts["Temperature range"] == "36.5 to 37.5 °C"
    assert facts["Days on orbit"] == "14 days"
    assert facts["Power"] == "Not stated"
    assert page.select_one('[data-fact="imaging"] .not-stated') is not None
    assert page.select_one('[data-fact="humidity"] .not-stated') is None


def test_proposal_page_timeline_shows_who_when_from_to_and_note(client, researcher, staff):
    call = CallFactory()
    proposal = create_draft(researcher, call=call, title="Organoids")
    for field, value in {
        "summary": "S",
        "objectives": "O",
        "organisation": "Org",
        "uei": "J7M9HPTGJ1S8",
        "attest_us_persons": True,
        "attest_export_control": True,
        "why_microgravity": "W",
        "earth_benefit": "E",
        "research_areas": ["organoids"],
        "needs": ["cell_culture_bioreactor"],
        "trl_current": 3,
        "trl_target": 6,
        "amount_requested": Decimal("1000"),
    }.items():
        setattr(proposal, field, value)
    proposal.save()
    NarrativeFactory(proposal=proposal)
    submit_proposal(proposal, researcher)
    set_proposal_status(proposal, ProposalStatus.SCREENING, staff, note="Operations screen started.")
    client.force_login(researcher)

    page = soup(client.get(proposal.get_absolute_url()))

    items = page.select("[data-timeline] li")
    assert [item.select_one(".fw-semibold").get_text(strip=True) for item in items] == [
        "Draft",
        "Draft → Submitted",
        "Submitted → Screening",
    ]
    assert [item.select_one(".small").get_text(" ", strip=True).split(" · ")[1] for item in items] == [
        researcher.display_name,
        researcher.display_name,
        "Program staff",
    ]
    assert items[2].select_one(".timeline-note").get_text(strip=True) == "Operations screen started."
    assert StatusChange.objects.filter(proposal=proposal).count() == 3


def test_proposal_page_query_count_does_not_grow_with_team_and_history(
    client, researcher, staff, django_assert_num_queries
):
    typical_days_in_status()  # the stage bar's durations: cached, as between any two visits
    counts = []
    for size in (1, 8):
        proposal = ProposalFactory(owner=researcher, complete=True)
        for _ in range(size):
            CoInvestigatorFactory(proposal=proposal)
            StatusChange.objects.create(proposal=proposal, from_status="", to_status="draft", changed_by=staff)
        NarrativeFactory(proposal=proposal)
        client.force_login(researcher)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.get(proposal.get_absolute_url())  # warm, as in any running process
        with CaptureQueriesContext(connection) as captured:
            assert client.get(proposal.get_absolute_url()).status_code == 200
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_what_staff_asked_for_is_shown_while_revisions_are_requested(client, researcher, staff):
    proposal = ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.UNDER_REVIEW, submission_count=1)
    set_proposal_status(proposal, ProposalStatus.REVISIONS_REQUESTED, staff, note="State the launch window.")
    client.force_login(researcher)

    for url in (proposal.get_absolute_url(), reverse("projects:proposal_edit", args=[proposal.public_id])):
        box = soup(client.get(url)).select_one("[data-revision-request]")
        assert box.p.get_text(strip=True) == "State the launch window."
