"""The review desk's proposal page (the admin's) is kept whole per member of staff, their rights, its address and the
digest of every row it shows (projects.domain.page_rows.desk_page): the next visit reads the account, the proposal,
the digest and the rights and renders nothing; any change to a row it shows, however made, shows at the next visit;
a message waiting is shown on a page rendered afresh; the kept forms work."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leoportal.models import User
from partners.models import Capability, Organisation
from projects.admin import proposals as proposal_admin
from projects.domain import page_rows
from projects.enums import Fit, ProposalStatus
from projects.models import Match, Proposal, Review, StatusChange
from tests.factories import StaffFactory
from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory
from tests.projects.factories import (
    CoInvestigatorFactory,
    IntroductionFactory,
    IntroductionRequestFactory,
    MatchFactory,
    NarrativeFactory,
    ProposalFactory,
    ReviewFactory,
)
from tests.utils import shown_without_tokens, soup, tables_in, tables_read

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch):
    monkeypatch.setattr(proposal_admin, "minute", lambda: 29_500_000)


@pytest.fixture
def proposal(researcher):
    proposal = ProposalFactory(
        owner=researcher, complete=True, status=ProposalStatus.SUBMITTED, title="Liver organoids in orbit"
    )
    provider = OrganisationFactory(name="Space Tango")
    MembershipFactory(organisation=provider, user__full_name="Tess Member")
    MatchFactory(
        proposal=proposal, capability=CapabilityFactory(organisation=provider, name="CubeLab"), rank=1, fit=Fit.FITS
    )
    ReviewFactory(proposal=proposal, comment="Strong rationale.")
    CoInvestigatorFactory(proposal=proposal, name="Ada Partner")
    NarrativeFactory(proposal=proposal, original_name="narrative-v1.pdf")
    StatusChange.objects.create(
        proposal=proposal, from_status=ProposalStatus.DRAFT, to_status=ProposalStatus.SUBMITTED, changed_by=researcher
    )
    IntroductionFactory(proposal=proposal, organisation__name="Orbital Bioworks")
    IntroductionRequestFactory(proposal=proposal, message="Could you hold organoids at 37 °C?")
    return proposal


def page_url(proposal) -> str:
    return reverse("admin:projects_proposal_change", args=[proposal.pk])


def content(client, proposal) -> str:
    return shown_without_tokens(client, page_url(proposal), part=None)


def test_the_next_visit_renders_nothing_and_shows_the_same_page(client, staff, proposal):
    client.force_login(staff)
    first = content(client, proposal)
    with CaptureQueriesContext(connection) as next_visit:
        response = client.get(page_url(proposal))

    assert response.templates == []  # nothing rendered
    # The account, the proposal, the digest of the rows shown, and the account's permissions (two lookups).
    assert len(next_visit.captured_queries) == 5
    assert content(client, proposal) == first
    assert "CubeLab" in first and "Strong rationale." in first and "narrative-v1.pdf" in first


def _rename_listing(proposal):
    Capability.objects.filter(matches__proposal=proposal).update(name="CubeLab-2")
    return "CubeLab-2"


def _rescore(proposal):
    checks = '[["duration_days", "unknown", "Provider has not stated a maximum duration; you need 99 days."]]'
    Match.objects.filter(proposal=proposal).update(criteria_json=checks)
    return "you need 99 days"


def _edit_review(proposal):
    Review.objects.filter(proposal=proposal).update(comment="Weak controls.")
    return "Weak controls."


def _deactivate_members(proposal):
    User.objects.filter(provider_memberships__organisation__name="Space Tango").update(is_active=False)
    return "Invite a contact and introduce"


def _rename_provider_introduced(proposal):
    Organisation.objects.filter(introductions__proposal=proposal).update(name="Orbital Renamed")
    return "Orbital Renamed"


def _retitle(proposal):
    Proposal.objects.filter(pk=proposal.pk).update(title="Bone marrow in orbit")
    return "Bone marrow in orbit"


def _note(proposal):
    StatusChange.objects.filter(proposal=proposal).update(note="Received in good order.")
    return "Received in good order."


@pytest.mark.parametrize(
    "change",
    [_rename_listing, _rescore, _edit_review, _deactivate_members, _rename_provider_introduced, _retitle, _note],
)
def test_a_change_made_around_the_models_shows_at_the_next_visit(client, staff, proposal, change):
    client.force_login(staff)
    content(client, proposal)

    shown = change(proposal)

    assert shown in content(client, proposal)


# The account's rights (the key holds them), its session and its second factor.
THE_VIEWERS = {
    "django_session",
    "auth_group",
    "auth_group_permissions",
    "auth_permission",
    "django_content_type",
    "leoportal_user_groups",
    "leoportal_user_user_permissions",
}


def test_every_table_a_fresh_rendering_reads_is_in_the_digest(client, staff, proposal):
    client.force_login(staff)
    with CaptureQueriesContext(connection) as fresh:
        client.get(page_url(proposal))

    read = tables_read(fresh.captured_queries)
    digest_sql, _params = page_rows.desk_page.sql

    assert read - THE_VIEWERS <= tables_in(digest_sql)


def test_each_member_of_staff_gets_their_own_page(client, staff, proposal):
    other = StaffFactory(full_name="Otto Other", email="otto@example.org")
    client.force_login(staff)
    theirs = content(client, proposal)
    client.force_login(other)
    others = content(client, proposal)

    welcome = lambda page: BeautifulSoup(page, "html.parser").select_one("#user-tools strong").get_text()  # noqa: E731 -- the greeting
    assert (welcome(theirs), welcome(others)) == (staff.get_short_name(), other.get_short_name())
    assert welcome(theirs) != welcome(others)


def test_a_message_waiting_is_shown_on_a_page_rendered_afresh_and_only_once(client, staff, proposal):
    client.force_login(staff)
    content(client, proposal)

    client.post(reverse("admin:projects_proposal_status", args=[proposal.pk]), {"new_status": "screening"})
    told = soup(client.get(page_url(proposal)))
    after = soup(client.get(page_url(proposal)))

    assert "Screening" in told.select_one(".messagelist").get_text()
    assert after.select_one(".messagelist") is None


def test_the_kept_pages_forms_work_with_fresh_tokens(staff, proposal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    client.get(page_url(proposal))
    page = soup(client.get(page_url(proposal)))
    form = page.select_one(f"form[action='{reverse('admin:projects_proposal_status', args=[proposal.pk])}']")
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]

    client.post(form["action"], {"csrfmiddlewaretoken": token, "new_status": "screening", "note": ""})

    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SCREENING
    assert StatusChange.objects.filter(proposal=proposal, to_status=ProposalStatus.SCREENING).exists()
