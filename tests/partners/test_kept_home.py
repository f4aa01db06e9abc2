"""A provider's home and their introductions are kept whole per provider and per digest of every row they show
(projects.domain.page_rows.provider_home, .provider_introductions): the next visit reads the account and the digest
and renders nothing of the content, and any change to a row shown, however made, shows at the next visit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import Capability, Invitation, Organisation
from partners.views import organisations as organisation_views
from projects.domain import page_rows
from projects.enums import IntroductionAnswer
from projects.models import Introduction, Proposal
from tests.partners.factories import CapabilityFactory, InvitationFactory, MembershipFactory, OrganisationFactory
from tests.projects.factories import IntroductionFactory
from tests.utils import shown_without_tokens, tables_in, tables_read

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch):
    monkeypatch.setattr(organisation_views, "minute", lambda: 29_500_000)


@pytest.fixture
def home(provider_user, redwire):
    CapabilityFactory(organisation=redwire, name="ADSEP")
    IntroductionFactory(organisation=redwire, proposal__title="Liver organoids in orbit")
    InvitationFactory(organisation=OrganisationFactory(name="Space Tango"), email=provider_user.email)
    return reverse("partners:dashboard")


def content(client, url) -> str:
    return shown_without_tokens(client, url)


def test_the_next_visit_renders_nothing_of_the_content_and_shows_the_same_page(provider_client, home):
    first = content(provider_client, home)
    with CaptureQueriesContext(connection) as next_visit:
        second = content(provider_client, home)
    queries = len(next_visit.captured_queries)  # read from the log the next request clears
    rendered = [template.name for template in provider_client.get(home).templates]

    assert second == first
    assert "ADSEP" in first and "Liver organoids in orbit" in first and "Space Tango" in first
    assert queries == 2  # the account and the digest
    assert "projects/_provider_introductions.html" not in rendered


def _rename_listing(redwire):
    Capability.objects.filter(organisation=redwire).update(name="ADSEP-2")
    return "ADSEP-2"


def _rename_provider(redwire):
    Organisation.objects.filter(pk=redwire.pk).update(name="Redwire Renamed")
    return "Redwire Renamed"


def _retitle_proposal(redwire):
    Proposal.objects.filter(introductions__organisation=redwire).update(title="Bone marrow in orbit")
    return "Bone marrow in orbit"


def _answer_introduction(redwire):
    Introduction.objects.filter(organisation=redwire).update(
        answer=IntroductionAnswer.INTERESTED, answered_at=timezone.now()
    )
    return 'data-state="interested"'


def _rename_inviting_provider(redwire):
    Organisation.objects.filter(invitations__isnull=False).update(name="Tango Renamed")
    return "Tango Renamed"


def _invite_again(redwire):
    Invitation.objects.update(revoked_at=timezone.now())
    InvitationFactory(organisation=OrganisationFactory(name="Orbital Bioworks"), email="PROVIDER@example.org")
    return "Orbital Bioworks"


def _join_another(redwire):
    MembershipFactory(user=redwire.memberships.get().user, organisation=OrganisationFactory(name="Nanoracks"))
    return "Nanoracks"


@pytest.mark.parametrize(
    "change",
    [
        _rename_listing,
        _rename_provider,
        _retitle_proposal,
        _answer_introduction,
        _rename_inviting_provider,
        _invite_again,
        _join_another,
    ],
)
def test_a_change_made_around_the_models_shows_at_the_next_visit(provider_client, redwire, home, change):
    content(provider_client, home)

    shown = change(redwire)

    assert shown in content(provider_client, home)


def test_every_table_a_fresh_rendering_reads_is_in_the_digest(provider_client, home):
    with CaptureQueriesContext(connection) as fresh:
        provider_client.get(home)

    read = tables_read(fresh.captured_queries)
    digest_sql, _params = page_rows.provider_home.sql

    # The session and the unread count are the menu's, outside the content.
    assert read - {"django_session", "leoportal_notification"} <= tables_in(digest_sql)
    assert {"projects_introduction", "projects_proposal", "partners_invitation"} <= tables_in(digest_sql)


def test_each_provider_gets_their_own_home(client, provider_user, provider_user2, redwire, home):
    client.force_login(provider_user)
    theirs = content(client, home)
    client.force_login(provider_user2)
    other = content(client, home)

    assert "ADSEP" in theirs
    assert "ADSEP" not in other and "Liver organoids in orbit" not in other


# --- A provider's introductions ----------------------------------------------------------------------------------


def test_the_introductions_next_visit_renders_nothing_of_the_content(provider_client, home):
    first = content(provider_client, reverse("projects:introduction_list"))
    with CaptureQueriesContext(connection) as next_visit:
        response = provider_client.get(reverse("projects:introduction_list"))

    assert "projects/_provider_introductions.html" not in [template.name for template in response.templates]
    assert len(next_visit.captured_queries) == 2  # the account and the digest
    assert content(provider_client, reverse("projects:introduction_list")) == first
    assert "Liver organoids in orbit" in first


@pytest.mark.parametrize("change", [_retitle_proposal, _answer_introduction, _rename_provider])
def test_a_change_made_around_the_models_shows_on_the_introductions(provider_client, redwire, home, change):
    url = reverse("projects:introduction_list")
    content(provider_client, url)

    shown = change(redwire)

    assert shown in content(provider_client, url)


def test_each_page_of_introductions_is_kept_on_its_own(provider_client, redwire, home):
    for number in range(30):
        IntroductionFactory(organisation=redwire, proposal__title=f"Study number {number:02}")
    url = reverse("projects:introduction_list")

    first, second = content(provider_client, url), content(provider_client, url + "?page=2")

    assert first != second
    assert content(provider_client, url + "?page=2") == second


def test_every_table_the_introductions_read_fresh_is_in_their_digest(provider_client, home):
    with CaptureQueriesContext(connection) as fresh:
        provider_client.get(reverse("projects:introduction_list"))

    read = tables_read(fresh.captured_queries)
    digest_sql, _params = page_rows.provider_introductions.sql

    assert "projects_introduction" in read
    assert read - {"django_session", "leoportal_notification"} <= tables_in(digest_sql)
