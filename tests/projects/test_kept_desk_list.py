"""The review desk's list of proposals (the admin's) is kept whole per member of staff, their rights, its address and
the stamp PostgreSQL changes whenever a row of the tables it shows changes (the table rows_version, written
by the triggers of projects.0020_rows_version_triggers): the next visit reads the account, the stamp and the rights
and renders nothing; any change to a row it shows, however made, shows at the next visit; the stamp is written when
the changing transaction commits, so it never makes two transactions wait for each other; the kept forms work."""

import threading

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leoportal.domain import page_cache
from leoportal.models import User
from partners.models import Capability, Organisation
from projects.admin import proposals as proposal_admin
from projects.domain import page_rows
from projects.enums import Fit, ProposalStatus
from projects.models import Call, Match, Proposal, Review, ReviewAssignment
from tests.factories import ReviewerFactory, StaffFactory
from tests.partners.factories import CapabilityFactory, OrganisationFactory
from tests.projects.factories import (
    CallFactory,
    MatchFactory,
    ProposalFactory,
    ReviewAssignmentFactory,
    ReviewFactory,
)
from tests.projects.test_kept_desk_page import THE_VIEWERS
from tests.utils import shown_without_tokens, soup, tables_read

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:projects_proposal_changelist")


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch):
    monkeypatch.setattr(proposal_admin, "minute", lambda: 29_500_000)


@pytest.fixture
def proposal(researcher):
    researcher.full_name = "Rosa Lind"
    researcher.save()
    proposal = ProposalFactory(
        owner=researcher,
        complete=True,
        status=ProposalStatus.UNDER_REVIEW,
        title="Liver organoids in orbit",
        call=CallFactory(code="LEO-2027-A"),
    )
    listing = CapabilityFactory(organisation=OrganisationFactory(name="Space Tango"), name="CubeLab")
    MatchFactory(proposal=proposal, capability=listing, rank=1, fit=Fit.FITS, score=82.0)
    ReviewFactory(proposal=proposal)  # 4, 4, 3 and 5: an average of 4.00
    ReviewAssignmentFactory(proposal=proposal)
    return proposal


def content(client, url: str = LIST_URL) -> str:
    return shown_without_tokens(client, url, part="#changelist")


def test_the_next_visit_renders_nothing_and_shows_the_same_list(client, staff, proposal):
    client.force_login(staff)
    first = content(client)
    with CaptureQueriesContext(connection) as next_visit:
        response = client.get(LIST_URL)

    assert response.templates == []  # nothing rendered
    # The account, the stamp, and the account's permissions (two lookups).
    assert len(next_visit.captured_queries) == 4
    assert content(client) == first
    for shown in ("Liver organoids in orbit", "Rosa Lind", "LEO-2027-A", "CubeLab", "Space Tango", "4.00"):
        assert shown in first


def _retitle(proposal):
    Proposal.objects.filter(pk=proposal.pk).update(title="Bone marrow in orbit")
    return "Bone marrow in orbit"


def _rename_investigator(proposal):
    User.objects.filter(pk=proposal.owner_id).update(full_name="Rosa Renamed")
    return "Rosa Renamed"


def _recode_call(proposal):
    Call.objects.filter(pk=proposal.call_id).update(code="LEO-2027-B")
    return "LEO-2027-B"


def _rename_listing(proposal):
    Capability.objects.filter(matches__proposal=proposal).update(name="CubeLab-2")
    return "CubeLab-2"


def _rename_provider(proposal):
    Organisation.objects.filter(capabilities__matches__proposal=proposal).update(name="Tango Renamed")
    return "Tango Renamed"


def _rescore(proposal):
    Match.objects.filter(proposal=proposal).update(score=61.0)
    return "61"


def _edit_review(proposal):
    Review.objects.filter(proposal=proposal).update(scientific_merit=1)  # 1, 4, 3 and 5
    return "3.25"


def _assign_another(proposal):
    ReviewAssignment.objects.bulk_create([ReviewAssignment(proposal=proposal, reviewer=ReviewerFactory())])
    return "0 of 2 assigned in"


@pytest.mark.parametrize(
    "change",
    [
        _retitle,
        _rename_investigator,
        _recode_call,
        _rename_listing,
        _rename_provider,
        _rescore,
        _edit_review,
        _assign_another,
    ],
)
def test_a_change_made_around_the_models_shows_at_the_next_visit(client, staff, proposal, change):
    client.force_login(staff)
    assert "0 of 1 assigned in" in content(client)

    shown = change(proposal)

    assert shown in content(client)


def _filter_addresses(client) -> list[str]:
    """Every filter's and the date hierarchy's links on the list, and a search."""
    page = soup(client.get(LIST_URL))
    links = [a["href"] for a in page.select("#changelist-filter a[href^='?'], .xfull a[href^='?']")]
    return [LIST_URL, f"{LIST_URL}?q=organoids", *(LIST_URL + link for link in links)]


def test_every_table_the_list_reads_with_any_filter_or_search_has_the_stamp(client, staff, proposal):
    client.force_login(staff)
    addresses = _filter_addresses(client)
    read = set()
    for address in addresses:
        cache.clear()  # each rendered afresh
        with CaptureQueriesContext(connection) as fresh:
            assert client.get(address).status_code == 200, address
        read |= tables_read(fresh.captured_queries)

    stamped = {model._meta.db_table for model in page_rows.DESK_LIST_MODELS}
    assert len(addresses) > 20  # the filters' links were found
    assert read - THE_VIEWERS - {"rows_version"} <= stamped
    assert {"projects_proposal", "projects_match", "projects_reviewassignment"} <= read


def test_every_table_of_the_list_has_the_triggers_that_write_the_stamp():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE tgname LIKE 'rows_version_%%' AND tgenabled = 'O'"
        )
        triggers = set(cursor.fetchall())

    for model in page_rows.DESK_LIST_MODELS:
        table = model._meta.db_table
        assert {(table, "rows_version_changed"), (table, "rows_version_truncated")} <= triggers, table


def test_the_stamp_is_written_when_the_transaction_commits(proposal):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS rows_version_changed DEFERRED")  # as outside the tests
    before = page_cache.rows_version()

    Proposal.objects.filter(pk=proposal.pk).update(title="Bone marrow in orbit")
    Match.objects.filter(proposal=proposal).update(score=61.0)
    pending = page_cache.rows_version()
    connection.check_constraints()  # runs what waits for the commit, as the commit would
    written = page_cache.rows_version()

    assert before == pending
    assert written != before


@pytest.mark.django_db(transaction=True)
def test_two_transactions_writing_the_list_s_tables_in_opposite_orders_both_commit():
    """One locks a proposal and then changes a match; the other changes a proposal and then wants the locked one.
    A stamp written at each change would make each wait for the other (a deadlock, one of them undone); written at
    the commit, the second waits for the first and then goes on."""
    first, second = ProposalFactory(), ProposalFactory()
    match = MatchFactory(proposal=first)
    locked, changed = threading.Event(), threading.Event()
    outcomes = {}

    def scoring():  # locks the first proposal, waits for the other to change its proposal, then changes a match
        try:
            with transaction.atomic():
                _limit_waits()
                list(Proposal.objects.select_for_update().filter(pk=first.pk))
                locked.set()
                assert changed.wait(10)
                Match.objects.filter(pk=match.pk).update(score=50.0)
            outcomes["scoring"] = "committed"
        except Exception as error:
            outcomes["scoring"] = repr(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=scoring)
    worker.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            _limit_waits()
            Proposal.objects.filter(pk=second.pk).update(title="Changed first")
            changed.set()
            Proposal.objects.filter(pk=first.pk).update(title="Then the locked one")
        outcomes["request"] = "committed"
    except Exception as error:
        outcomes["request"] = repr(error)
    worker.join(20)

    assert outcomes == {"scoring": "committed", "request": "committed"}
    assert Proposal.objects.get(pk=first.pk).title == "Then the locked one"
    assert Match.objects.get(pk=match.pk).score == 50.0


def _limit_waits():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '8s'")


def test_each_member_of_staff_gets_their_own_list(client, staff, proposal):
    other = StaffFactory(full_name="Otto Other", email="otto@example.org")
    client.force_login(staff)
    theirs = shown_without_tokens(client, LIST_URL, part=None)
    client.force_login(other)
    others = shown_without_tokens(client, LIST_URL, part=None)

    welcome = lambda page: BeautifulSoup(page, "html.parser").select_one("#user-tools strong").get_text()  # noqa: E731 -- the greeting
    assert welcome(theirs) == staff.get_short_name()
    assert welcome(others) == other.get_short_name()


def test_each_address_gets_its_own_list(client, staff, proposal):
    ProposalFactory(complete=True, status=ProposalStatus.SUBMITTED, title="Bioprinted cartilage")
    client.force_login(staff)
    everything = content(client)
    searched = content(client, f"{LIST_URL}?q=cartilage")

    assert "Liver organoids in orbit" in everything and "Bioprinted cartilage" in everything
    assert "Bioprinted cartilage" in searched and "Liver organoids in orbit" not in searched


def test_the_kept_list_s_actions_work_with_fresh_tokens(staff, proposal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    client.get(LIST_URL)
    page = soup(client.get(LIST_URL))
    token = page.select_one("#changelist-form input[name=csrfmiddlewaretoken]")["value"]

    response = client.post(
        LIST_URL,
        {"csrfmiddlewaretoken": token, "action": "export_csv", "_selected_action": [proposal.pk], "index": 0},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "Liver organoids in orbit" in response.content.decode()


def test_on_another_database_the_list_is_rendered_each_time(client, staff, proposal, monkeypatch):
    monkeypatch.setattr(page_cache, "connection", type("Other", (), {"vendor": "sqlite"})())
    client.force_login(staff)
    client.get(LIST_URL)

    assert "admin/change_list.html" in [template.name for template in client.get(LIST_URL).templates]
