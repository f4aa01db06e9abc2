"""My proposals, a proposal's page and its edit page are kept whole per viewer and per version of every row they show
(KeptContent and RowsDigest in leoportal.domain.page_cache, projects.domain.page_rows): the next visit reads the
proposal and the digest and renders nothing of the content; any change to a row shown, however made, shows at the
next visit; each viewer gets their own page, with forms that work; a form sent back with errors is never kept."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leoportal.domain import page_cache
from leoportal.models import User
from partners.models import Organisation
from projects.domain import page_rows
from projects.enums import Access, IntroductionAnswer, ProposalStatus
from projects.models import (
    Attachment,
    CalendarFeed,
    Call,
    CoInvestigator,
    Introduction,
    IntroductionRequest,
    Invitation,
    Proposal,
    ProposalVersion,
    StatusChange,
)
from projects.views import my_proposals as my_proposals_views
from projects.views import proposals as proposal_views
from tests.projects.factories import (
    CallFactory,
    CoInvestigatorFactory,
    IntroductionFactory,
    IntroductionRequestFactory,
    NarrativeFactory,
    ProposalFactory,
)
from tests.projects.forms_data import proposal_data
from tests.utils import shown_without_tokens, soup, tables_in, tables_read

pytestmark = pytest.mark.django_db

CONTENT_TEMPLATE = "projects/_proposal_sections.html"


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch):
    """Every visit in the same minute (the page says "3 days ago" and reopening closes at the deadline), however slow
    the machine."""
    for views in (proposal_views, my_proposals_views):
        monkeypatch.setattr(views, "minute", lambda: 29_500_000)


@pytest.fixture
def proposal(researcher):
    proposal = ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED, submission_count=1)
    StatusChange.objects.create(
        proposal=proposal, from_status=ProposalStatus.DRAFT, to_status=ProposalStatus.SUBMITTED, changed_by=researcher
    )
    coi = CoInvestigatorFactory(proposal=proposal, name="Ada Partner")
    Invitation.objects.create(
        co_investigator=coi,
        email=coi.email,
        access=Access.VIEW,
        invited_by=researcher,
        expires_at=timezone.now() + timedelta(days=7),
    )
    NarrativeFactory(proposal=proposal, original_name="narrative-v1.pdf")
    IntroductionFactory(proposal=proposal, organisation__name="Orbital Bioworks")
    IntroductionRequestFactory(proposal=proposal, message="Could you hold organoids at 37 °C?")
    return proposal


def content(client, proposal) -> str:
    return shown_without_tokens(client, proposal.get_absolute_url())


def rendered_templates(client, proposal) -> list[str]:
    return [template.name for template in client.get(proposal.get_absolute_url()).templates]


def test_the_next_visit_renders_nothing_of_the_content_and_shows_the_same_page(client, researcher, proposal):
    client.force_login(researcher)
    first = content(client, proposal)
    with CaptureQueriesContext(connection) as next_visit:
        second = content(client, proposal)

    assert second == first
    assert "Ada Partner" in first and "narrative-v1.pdf" in first and "Orbital Bioworks" in first
    # The account, the proposal (who may see it and its title) and the digest of the rows the page shows.
    assert len(next_visit.captured_queries) == 3
    assert CONTENT_TEMPLATE not in rendered_templates(client, proposal)


def _rename_proposal(proposal):
    Proposal.objects.filter(pk=proposal.pk).update(title="A renamed study")
    return "A renamed study"


def _rename_owner(proposal):
    User.objects.filter(pk=proposal.owner_id).update(full_name="Grace Renamed")
    return "Grace Renamed"


def _recode_call(proposal):
    Call.objects.filter(pk=proposal.call_id).update(code="ISS-RECODED")
    return "ISS-RECODED"


def _rename_co_investigator(proposal):
    CoInvestigator.objects.filter(proposal=proposal).update(name="Ada Renamed")
    return "Ada Renamed"


def _revoke_invitation(proposal):
    Invitation.objects.filter(co_investigator__proposal=proposal).update(revoked_at=timezone.now())
    return "No access"


def _rename_file(proposal):
    Attachment.objects.filter(proposal=proposal).update(original_name="narrative-v2.pdf")
    return "narrative-v2.pdf"


def _note_a_change(proposal):
    StatusChange.objects.filter(proposal=proposal).update(note="Received in good order.")
    return "Received in good order."


def _answer_introduction(proposal):
    Introduction.objects.filter(proposal=proposal).update(
        answer=IntroductionAnswer.INTERESTED, answered_at=timezone.now(), message="We can fly this in spring."
    )
    return "We can fly this in spring."


def _rename_provider(proposal):
    Organisation.objects.filter(introductions__proposal=proposal).update(name="Orbital Renamed")
    return "Orbital Renamed"


def _edit_request(proposal):
    IntroductionRequest.objects.filter(proposal=proposal).update(message="Could you hold them at 4 °C instead?")
    return "Could you hold them at 4 °C instead?"


def _add_version(proposal):
    ProposalVersion.objects.create(
        proposal=proposal, number=1, stage="full", submitted_at=timezone.now(), submitted_by=proposal.owner
    )
    return "Versions (1)"


@pytest.mark.parametrize(
    "change",
    [
        _rename_proposal,
        _rename_owner,
        _recode_call,
        _rename_co_investigator,
        _revoke_invitation,
        _rename_file,
        _note_a_change,
        _answer_introduction,
        _rename_provider,
        _edit_request,
        _add_version,
    ],
)
def test_a_change_made_around_the_models_shows_at_the_next_visit(client, researcher, proposal, change):
    client.force_login(researcher)
    content(client, proposal)
    content(client, proposal)  # kept

    shown = change(proposal)  # a queryset update: no save, no signal

    assert shown in content(client, proposal)


# Read by a fresh rendering but shown through other parts of the key: the viewer's session and account (the viewer),
# the stored matches and the listings of the suggestions (the proposal's last scoring, in its row, and the
# catalogue's fingerprint, with the flight precedents), and the typical days in each status (their own value).
OUTSIDE_THE_DIGEST = {
    "django_session",
    "leoportal_user",
    "leoportal_notification",  # the menu's unread count, kept on its own
    "projects_match",
    "partners_capability",
    "partners_organisation",
    "projects_precedent",
    "projects_statuschange",
}


def test_every_table_a_fresh_rendering_reads_is_in_the_digest(client, researcher, proposal):
    client.force_login(researcher)
    with CaptureQueriesContext(connection) as fresh:
        client.get(proposal.get_absolute_url())

    read = tables_read(fresh.captured_queries)
    digest_sql, _params = page_rows.proposal_page.sql

    assert read - OUTSIDE_THE_DIGEST <= tables_in(digest_sql)
    # The rows shown beside the page's own: its people and providers are in the digest too.
    assert {"leoportal_user", "partners_organisation", "projects_statuschange"} <= tables_in(digest_sql)


def test_each_viewer_gets_their_own_page(client, researcher, staff, proposal):
    viewer = User.objects.create_user(email="viewer@example.edu", password="x", full_name="Vera Viewer")
    CoInvestigatorFactory(proposal=proposal, user=viewer, email=viewer.email, access=Access.VIEW)
    client.force_login(researcher)
    owners = content(client, proposal)

    client.force_login(viewer)
    viewers = content(client, proposal)
    client.force_login(staff)
    staffs = content(client, proposal)

    assert "Withdraw the proposal" in owners
    assert "Withdraw the proposal" not in viewers
    assert "Could you hold organoids at 37 °C?" in staffs
    assert len({owners, viewers, staffs}) == 3


def test_a_kept_pages_form_carries_a_fresh_working_token(researcher, proposal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    client.get(proposal.get_absolute_url())
    kept = client.get(proposal.get_absolute_url())  # from the kept content
    form = soup(kept).select_one(f'form[action="/proposals/{proposal.public_id}/withdraw/"]')
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]

    response = client.post(form["action"], {"csrfmiddlewaretoken": token, "note": "We lost our funding."})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN


def test_a_refused_withdrawal_is_shown_with_its_error_and_never_kept(client, researcher, proposal):
    client.force_login(researcher)
    content(client, proposal)

    refused = client.post(f"/proposals/{proposal.public_id}/withdraw/", {"note": "x" * 2001})
    again = content(client, proposal)

    assert refused.status_code == 400
    assert "x" * 2001 in refused.content.decode()
    assert "x" * 2001 not in again


def test_on_another_database_the_page_is_rendered_each_time(client, researcher, proposal, monkeypatch):
    monkeypatch.setattr(page_cache, "connection", type("Other", (), {"vendor": "sqlite"})())
    client.force_login(researcher)
    client.get(proposal.get_absolute_url())

    assert CONTENT_TEMPLATE in rendered_templates(client, proposal)


# --- The edit page ---------------------------------------------------------------------------------------------


@pytest.fixture
def draft(researcher):
    draft = ProposalFactory(owner=researcher, complete=True)
    CoInvestigatorFactory(proposal=draft, name="Ada Partner")
    return draft


def edit_url(proposal) -> str:
    return reverse("projects:proposal_edit", args=[proposal.public_id])


def edit_content(client, proposal) -> str:
    return shown_without_tokens(client, edit_url(proposal))


def test_the_edit_pages_next_visit_renders_no_field_and_shows_the_same_form(client, researcher, draft):
    client.force_login(researcher)
    first = edit_content(client, draft)
    with CaptureQueriesContext(connection) as next_visit:
        second = edit_content(client, draft)

    assert second == first
    assert 'value="Ada Partner"' in first
    assert len(next_visit.captured_queries) == 3


def test_a_call_opened_and_a_title_changed_around_the_models_show_on_the_edit_page(client, researcher, draft):
    client.force_login(researcher)
    edit_content(client, draft)

    CallFactory(code="ISS-NEWLY-OPEN")
    Proposal.objects.filter(pk=draft.pk).update(title="A renamed study")
    page = edit_content(client, draft)

    assert "ISS-NEWLY-OPEN" in page
    assert 'value="A renamed study"' in page


def test_a_form_sent_back_keeps_what_was_typed_and_is_never_kept(client, researcher, draft):
    client.force_login(researcher)
    edit_content(client, draft)

    typed = proposal_data(draft, title="A study typed " + "long " * 60)  # over the title's length
    refused = client.post(edit_url(draft), typed)
    again = edit_content(client, draft)

    assert refused.status_code == 200
    assert "A study typed long" in refused.content.decode()
    assert "A study typed long" not in again


def test_the_kept_edit_page_saves_with_its_fresh_token(researcher, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)
    client.get(edit_url(draft))
    kept = soup(client.get(edit_url(draft)))
    token = kept.select_one("#proposal-form input[name=csrfmiddlewaretoken]")["value"]
    version = kept.select_one("#id_version")["value"]

    data = proposal_data(draft, title="Saved from a kept page", version=version)
    response = client.post(edit_url(draft), {**data, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Saved from a kept page"


# --- My proposals ---------------------------------------------------------------------------------------------------


def dashboard(client) -> str:
    return shown_without_tokens(client, reverse("projects:dashboard"))


@pytest.fixture
def shared(researcher, researcher2):
    """A draft of another team that the researcher may view."""
    draft = ProposalFactory(owner=researcher2, title="Shared with me")
    CoInvestigatorFactory(proposal=draft, user=researcher, access=Access.VIEW, email=researcher.email)
    return draft


def test_my_proposals_next_visit_renders_nothing_of_the_content(client, researcher, proposal, shared):
    client.force_login(researcher)
    first = dashboard(client)
    with CaptureQueriesContext(connection) as next_visit:
        response = client.get(reverse("projects:dashboard"))

    assert [template.name for template in response.templates if template.name.startswith("projects/")] == [
        "projects/dashboard.html"
    ]
    assert len(next_visit.captured_queries) == 2  # the account and the digest
    assert dashboard(client) == first
    assert "Shared with me" in first


def _edit_rights(proposal, shared):
    CoInvestigator.objects.filter(proposal=shared).update(access=Access.EDIT)
    return "Continue draft"


def _recode_own_call(proposal, shared):
    Call.objects.filter(pk=proposal.call_id).update(code="ISS-RECODED")
    return "ISS-RECODED"


def _retitle_shared(proposal, shared):
    Proposal.objects.filter(pk=shared.pk).update(title="Shared and renamed")
    return "Shared and renamed"


@pytest.mark.parametrize("change", [_edit_rights, _recode_own_call, _retitle_shared])
def test_a_change_made_around_the_models_shows_on_my_proposals(client, researcher, proposal, shared, change):
    client.force_login(researcher)
    dashboard(client)

    shown = change(proposal, shared)

    assert shown in dashboard(client)


def test_a_calendar_address_asked_for_shows_on_my_proposals(client, researcher, proposal):
    client.force_login(researcher)
    before = dashboard(client)

    CalendarFeed.objects.create(user=researcher)

    assert dashboard(client) != before


def test_every_table_my_proposals_read_fresh_is_in_their_digest(client, researcher, proposal, shared):
    client.force_login(researcher)
    with CaptureQueriesContext(connection) as fresh:
        client.get(reverse("projects:dashboard"))

    read = tables_read(fresh.captured_queries)
    digest_sql, _params = page_rows.my_proposals.sql

    assert {"projects_proposal", "projects_calendarfeed"} <= read
    assert read - {"django_session", "leoportal_notification"} <= tables_in(digest_sql)


def test_a_digest_is_prepared_once_per_connection_and_gives_what_its_query_gives(proposal):
    digest = page_rows.proposal_page
    with CaptureQueriesContext(connection) as first_use:  # prepared now, or by a test before: one query either way
        first = digest(proposal.pk)
    with CaptureQueriesContext(connection) as again:
        second = digest(proposal.pk)
    name, _text = digest.statement
    sql, params = digest.sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [proposal.pk if param == page_cache.OBJECT_ID else param for param in params])
        as_written = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
        prepared = cursor.fetchone()[0]

    assert first == second == as_written
    assert len(first_use.captured_queries) == 1  # so a page's query count does not depend on the tests run before
    assert [query["sql"] for query in again.captured_queries] == [f"EXECUTE {name}({proposal.pk})"]
    assert prepared == 1
