"""An introduction's page is kept whole per viewer and per digest of every row it shows
(projects.domain.page_rows.introduction_page): the next visit renders nothing of the content, any change to a row it
shows, however made, shows at the next visit, and the kept answer form works."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leoportal.models import User
from partners.models import Membership, Organisation
from projects.domain import page_rows
from projects.domain.introductions import answer_introduction, introduce_to_provider
from projects.enums import IntroductionAnswer
from projects.models import Attachment, Introduction, Proposal
from tests.projects.introduction_fixtures import *  # noqa: F403
from tests.utils import shown_without_tokens, soup, tables_in, tables_read

pytestmark = pytest.mark.django_db

NOTE = "ADSEP holds 37 °C with CO₂ and brings samples back: worth a conversation."


@pytest.fixture
def introduction(submitted, match, staff):
    return introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)


def content(client, introduction) -> str:
    return shown_without_tokens(client, introduction.get_absolute_url())


def test_the_next_visit_renders_nothing_of_the_content(client, introduction, provider_user):
    client.force_login(provider_user)
    first = content(client, introduction)
    with CaptureQueriesContext(connection) as next_visit:
        response = client.get(introduction.get_absolute_url())

    assert [template.name for template in response.templates if template.name.startswith("projects/")] == [
        "projects/introduction_detail.html"
    ]
    assert len(next_visit.captured_queries) == 3  # the account, the introduction, the digest
    assert content(client, introduction) == first


def _retitle_proposal(introduction):
    Proposal.objects.filter(pk=introduction.proposal_id).update(title="Bone marrow in orbit")
    return "Bone marrow in orbit"


def _interested(introduction):
    """Answered interested (without a save): the page shows the team's contacts, and its files to the provider."""
    Introduction.objects.filter(pk=introduction.pk).update(
        answer=IntroductionAnswer.INTERESTED, answered_at=timezone.now()
    )


def _rename_researcher(introduction):
    User.objects.filter(pk=introduction.proposal.owner_id).update(full_name="Grace Renamed")
    return "Grace Renamed"


def _rename_provider(introduction):
    Organisation.objects.filter(pk=introduction.organisation_id).update(name="Redwire Renamed")
    return "Redwire Renamed"


def _rename_file(introduction):
    Attachment.objects.filter(proposal=introduction.proposal_id).update(original_name="narrative-v2.pdf")
    return "narrative-v2.pdf"


@pytest.mark.parametrize("change", [_retitle_proposal, _rename_researcher, _rename_provider, _rename_file])
def test_a_change_made_around_the_models_shows_at_the_next_visit(client, introduction, provider_user, change):
    _interested(introduction)
    client.force_login(provider_user)
    content(client, introduction)

    shown = change(introduction)

    assert shown in content(client, introduction)


def test_a_member_who_left_no_longer_sees_the_kept_page(client, introduction, provider_user):
    client.force_login(provider_user)
    content(client, introduction)

    Membership.objects.filter(user=provider_user).delete()

    assert client.get(introduction.get_absolute_url()).status_code == 404


def test_an_answer_by_a_colleague_shows_at_the_next_visit_without_the_form(
    client, introduction, provider_user, colleague
):
    client.force_login(provider_user)
    assert soup(client.get(introduction.get_absolute_url())).select("form[action$='/answer/']")

    answer_introduction(introduction, colleague, interested=True, message="We can fly it in March.")
    page = soup(client.get(introduction.get_absolute_url()))

    assert page.select("form[action$='/answer/']") == []
    assert "We can fly it in March." in page.get_text()


def test_every_table_a_fresh_rendering_reads_is_in_the_digest(client, introduction, provider_user):
    _interested(introduction)
    client.force_login(provider_user)
    with CaptureQueriesContext(connection) as fresh:
        client.get(introduction.get_absolute_url())

    read = tables_read(fresh.captured_queries)
    digest_sql, _params = page_rows.introduction_page.sql

    assert "projects_attachment" in read
    assert read - {"django_session", "leoportal_notification"} <= tables_in(digest_sql)


def test_the_kept_answer_form_works_with_its_fresh_token(introduction, provider_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_user)
    client.get(introduction.get_absolute_url())
    form = soup(client.get(introduction.get_absolute_url())).select_one("form[action$='/answer/']")
    token = form.select_one("input[name=csrfmiddlewaretoken]")["value"]

    response = client.post(form["action"], {"csrfmiddlewaretoken": token, "answer": "interested"})

    assert response.status_code == 302
    assert Introduction.objects.get(pk=introduction.pk).answer == IntroductionAnswer.INTERESTED
