"""The review desk's proposal list: columns, filters, search, sorting, constant query count, estimated count."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from leoportal.admin.pagination import EstimatedCountPaginator
from projects.enums import Fit, ProposalStatus
from projects.models import Match, Proposal
from tests.factories import StaffFactory
from tests.partners.factories import CapabilityFactory, OrganisationFactory
from tests.projects.factories import CallFactory, ProposalFactory, ReviewFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:projects_proposal_changelist")
EVERY = {"status__exact": "all"}  # the list leaves drafts out unless asked
S = ProposalStatus


def match(proposal, capability, rank, score, fit=Fit.FITS, near_miss=""):
    return Match.objects.create(
        proposal=proposal,
        capability=capability,
        rank=rank,
        score=score,
        fit=fit,
        near_miss=near_miss,
        criteria_json='[["temperature", "pass", "Needs 36.5-37.5 °C; holds 4-40 °C."]]',
        algorithm_version="test",
        computed_at=timezone.now(),
    )


def review(proposal, *scores, conflict=False):
    if conflict:
        return ReviewFactory(
            proposal=proposal,
            conflict_of_interest=True,
            scientific_merit=None,
            need_for_microgravity=None,
            feasibility=None,
            value=None,
            operations="",
        )
    merit, need, feasibility, value = scores
    return ReviewFactory(
        proposal=proposal, scientific_merit=merit, need_for_microgravity=need, feasibility=feasibility, value=value
    )


def titles(response):
    return [
        cell.get_text(strip=True) for cell in soup(response).select("#result_list tbody th.field-title_or_untitled")
    ]


def row_cells(response, title):
    for row in soup(response).select("#result_list tbody tr"):
        if row.select_one("th.field-title_or_untitled").get_text(strip=True) == title:
            return {
                cell["class"][0].removeprefix("field-"): " ".join(cell.get_text(" ", strip=True).split())
                for cell in row.select("td[class^=field-], th[class^=field-]")
            }
    raise AssertionError(f"{title} is not listed")


@pytest.fixture
def desk(researcher):
    """Three submitted proposals with matches and reviews, one draft never scored."""
    now = timezone.now()
    call = CallFactory(code="NLRA 2027-1")
    provider = OrganisationFactory(name="Redwire Space")
    incubator = CapabilityFactory(organisation=provider, name="ADSEP incubator")
    printer = CapabilityFactory(organisation=provider, name="BFF bioprinter")
    liver = ProposalFactory(
        owner=researcher,
        call=call,
        complete=True,
        status=S.SUBMITTED,
        title="Liver organoids in orbit",
        research_areas=["organoids"],
        needs=["cell_culture_bioreactor"],
        last_submitted_at=now - timedelta(days=1),
        matched_at=now,
    )
    match(liver, incubator, 1, 82.4)
    match(liver, printer, 2, 61.0, Fit.TO_CONFIRM)
    review(liver, 5, 4, 4, 3)  # 4.0
    review(liver, 3, 3, 2, 4)  # 3.0
    review(liver, conflict=True)
    crystals = ProposalFactory(
        owner=researcher,
        call=call,
        complete=True,
        status=S.SCREENING,
        title="Protein crystals",
        research_areas=["protein_crystallization"],
        needs=["protein_crystallization"],
        summary="Grow larger lysozyme crystals for diffraction.",
        last_submitted_at=now - timedelta(days=2),
        matched_at=now,
    )
    match(crystals, printer, 1, 55.0, Fit.TO_CONFIRM)
    review(crystals, 5, 5, 5, 5)
    bioprint = ProposalFactory(
        owner=researcher,
        call=None,
        complete=True,
        status=S.UNDER_REVIEW,
        title="Bioprinted cartilage",
        research_areas=["biofabrication", "organoids"],
        needs=["3d_bioprinter"],
        last_submitted_at=now - timedelta(days=3),
        matched_at=now,
    )
    match(bioprint, printer, 1, 40.0, Fit.DOES_NOT_FIT, near_miss="Holds 4-30 °C; you need up to 37 °C.")
    draft = ProposalFactory(owner=researcher, call=call, title="Early draft", status=S.DRAFT)
    return {"liver": liver, "crystals": crystals, "bioprint": bioprint, "draft": draft}


def test_list_shows_the_desk_columns(client, staff, desk):
    client.force_login(staff)

    response = client.get(LIST_URL, EVERY)

    assert response.status_code == 200
    assert titles(response) == ["Liver organoids in orbit", "Protein crystals", "Bioprinted cartilage", "Early draft"]
    cells = row_cells(response, "Liver organoids in orbit")
    assert cells == {
        "title_or_untitled": "Liver organoids in orbit",
        "principal_investigator": f"{desk['liver'].owner.display_name} Midwest Regenerative Medicine Institute",
        "call_code": "NLRA 2027-1",
        "status": "Submitted",
        "submitted": date_format(timezone.localtime(desk["liver"].last_submitted_at), "j M Y"),
        "best_match_display": "ADSEP incubator Redwire Space · 82 · fits",
        "matches_that_fit": "1",
        "review_average": "3.50 2 reviews",
    }
    assert row_cells(response, "Bioprinted cartilage")["call_code"] == "Unsolicited"
    assert row_cells(response, "Early draft")["best_match_display"] == "Not scored"
    assert row_cells(response, "Early draft")["review_average"] == "none yet"
    assert row_cells(response, "Early draft")["submitted"] == "Not yet"


def test_list_sorts_by_review_average_best_first_then_unreviewed(client, staff, desk):
    client.force_login(staff)
    column = admin.site._registry[Proposal].list_display.index("review_average") + 1

    response = client.get(LIST_URL, {"o": str(column), **EVERY})

    # The column sorts best first (descending) on the first click, with unreviewed proposals last.
    assert titles(response)[:2] == ["Protein crystals", "Liver organoids in orbit"]
    assert set(titles(response)[2:]) == {"Bioprinted cartilage", "Early draft"}


def test_list_sorts_by_matches_that_fit(client, staff, desk):
    client.force_login(staff)
    column = admin.site._registry[Proposal].list_display.index("matches_that_fit") + 1

    response = client.get(LIST_URL, {"o": f"-{column}"})

    assert titles(response)[0] == "Liver organoids in orbit"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "screening"}, ["Protein crystals"]),
        ({"research_area": "organoids"}, ["Liver organoids in orbit", "Bioprinted cartilage"]),
        ({"need": "3d_bioprinter"}, ["Bioprinted cartilage"]),
        ({"matches": "fits"}, ["Liver organoids in orbit"]),
        ({"matches": "to_confirm"}, ["Protein crystals"]),
        ({"matches": "none"}, ["Bioprinted cartilage"]),
        ({"matches": "not_scored"}, ["Early draft"]),
        ({"reviews": "none"}, ["Bioprinted cartilage", "Early draft"]),
    ],
    ids=lambda value: "-".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else None,
)
def test_list_filters(client, staff, desk, query, expected):
    client.force_login(staff)

    response = client.get(LIST_URL, {**EVERY, **query})

    assert titles(response) == expected


def test_list_filters_by_call(client, staff, desk):
    client.force_login(staff)

    response = client.get(LIST_URL, {"call__id__exact": desk["liver"].call_id, **EVERY})

    assert titles(response) == ["Liver organoids in orbit", "Protein crystals", "Early draft"]


def test_reviews_filter_mine_and_not_mine(client, desk):
    reviewer = StaffFactory(organisation="Program office")
    ReviewFactory(proposal=desk["bioprint"], reviewer=reviewer)
    client.force_login(reviewer)

    mine = client.get(LIST_URL, {"reviews": "mine", **EVERY})
    not_mine = client.get(LIST_URL, {"reviews": "not_mine", **EVERY})

    assert titles(mine) == ["Bioprinted cartilage"]
    assert titles(not_mine) == ["Liver organoids in orbit", "Protein crystals", "Early draft"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("cartilage", ["Bioprinted cartilage"]),  # title
        ("lysozyme crystal", ["Protein crystals"]),  # full text of the summary, stemmed ("crystal" ~ "crystals")
        ("researcher@example", ["Liver organoids in orbit", "Protein crystals", "Bioprinted cartilage", "Early draft"]),
        ("midwest regenerative", ["Liver organoids in orbit", "Protein crystals", "Bioprinted cartilage"]),
    ],
)
def test_list_search(client, staff, desk, term, expected):
    client.force_login(staff)

    response = client.get(LIST_URL, {"q": term, **EVERY})

    assert titles(response) == expected


def test_list_search_by_the_pis_name(client, staff, desk, researcher):
    researcher.full_name = "Imani Okafor"
    researcher.save(update_fields=["full_name"])
    ProposalFactory(title="Someone else's", status=ProposalStatus.SUBMITTED)
    client.force_login(staff)

    response = client.get(LIST_URL, {"q": "okafor", **EVERY})

    assert sorted(titles(response)) == sorted(
        ["Liver organoids in orbit", "Protein crystals", "Bioprinted cartilage", "Early draft"]
    )


def test_list_search_by_public_id(client, staff, desk):
    client.force_login(staff)

    response = client.get(LIST_URL, {"q": str(desk["crystals"].public_id)})

    assert titles(response) == ["Protein crystals"]


def test_list_date_hierarchy_narrows_to_a_day(client, staff, desk):
    client.force_login(staff)
    day = desk["crystals"].last_submitted_at

    response = client.get(
        LIST_URL,
        {
            "last_submitted_at__year": day.year,
            "last_submitted_at__month": day.month,
            "last_submitted_at__day": day.day,
        },
    )

    assert titles(response) == ["Protein crystals"]


def many_proposals(owner, count):
    """``count`` submitted proposals, each with two matches and a review."""
    capabilities = [CapabilityFactory(), CapabilityFactory()]
    reviewer = StaffFactory(organisation="Program office")
    call = CallFactory()
    proposals = Proposal.objects.bulk_create(
        [
            Proposal(
                owner=owner,
                call=call,
                title=f"Proposal {i}",
                organisation="Gulf Coast University",
                status=S.SUBMITTED,
                last_submitted_at=timezone.now(),
                matched_at=timezone.now(),
            )
            for i in range(count)
        ]
    )
    Match.objects.bulk_create(
        Match(
            proposal=proposal,
            capability=capability,
            rank=rank,
            score=70 - rank,
            fit=Fit.FITS,
            algorithm_version="test",
            computed_at=timezone.now(),
        )
        for proposal in proposals
        for rank, capability in enumerate(capabilities, 1)
    )
    for proposal in proposals:
        ReviewFactory(proposal=proposal, reviewer=reviewer)
    return proposals


@pytest.mark.parametrize("count", [10, 200])
def test_list_query_count_is_constant(client, staff, researcher, django_assert_num_queries, settings, count):
    many_proposals(researcher, count)
    client.force_login(staff)

    # user, the stamp the list is kept under, calls for the filter, count (exact: the list leaves drafts out),
    # permissions x2, page, figures of the page, date hierarchy x2 (the session is read from Redis)
    with django_assert_num_queries(10):
        response = client.get(LIST_URL)

    assert response.status_code == 200
    assert len(titles(response)) == min(count, settings.DESK_PAGE_SIZE)


@pytest.mark.parametrize("count", [10, 200])
def test_list_query_count_is_constant_when_filtered_searched_and_sorted(
    client, staff, researcher, django_assert_num_queries, count
):
    many_proposals(researcher, count)
    client.force_login(staff)
    column = admin.site._registry[Proposal].list_display.index("review_average") + 1

    # as above, with an exact count only (a filtered list is never estimated) and the search's ids looked up first
    with django_assert_num_queries(11):
        response = client.get(LIST_URL, {"q": "Proposal", "matches": "fits", "research_area": "", "o": column})

    assert response.status_code == 200


def test_unfiltered_count_comes_from_the_planner_statistics(researcher, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.fail("The estimate needs PostgreSQL: run the suite with `make test`.")
    ProposalFactory.create_batch(3, owner=researcher)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_proposal")
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 0)
    # Make the statistics disagree with the table, as they do between autovacuum runs.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE pg_class SET reltuples = 12345 WHERE oid = 'projects_proposal'::regclass")

    unfiltered = EstimatedCountPaginator(Proposal.objects.order_by("pk"), 100)
    filtered = EstimatedCountPaginator(Proposal.objects.filter(status=S.DRAFT).order_by("pk"), 100)

    assert (unfiltered.count, filtered.count) == (12345, 3)


def test_small_tables_are_counted_exactly(researcher):
    ProposalFactory.create_batch(3, owner=researcher)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_proposal")

    assert EstimatedCountPaginator(Proposal.objects.order_by("pk"), 100).count == 3


def test_list_checkbox_is_djangos_markup(researcher):
    from bs4 import BeautifulSoup

    proposal = ProposalFactory(owner=researcher, title="Liver <organoids> & more")
    model_admin = admin.site._registry[Proposal]

    ours = BeautifulSoup(model_admin.action_checkbox(proposal), "html.parser").input.attrs
    djangos = BeautifulSoup(admin.ModelAdmin.action_checkbox(model_admin, proposal), "html.parser").input.attrs

    assert ours == djangos


def test_list_search_matching_many_proposals_filters_by_subquery(client, staff, desk, monkeypatch):
    from projects.admin import proposals as desk_admin

    monkeypatch.setattr(desk_admin, "SEARCH_IDS_MAX", 1)
    client.force_login(staff)

    response = client.get(LIST_URL, {"q": "researcher@example", **EVERY})

    assert titles(response) == ["Liver organoids in orbit", "Protein crystals", "Bioprinted cartilage", "Early draft"]
