"""The proposal form's markup is cached per saved version: never stale, identical to a fresh rendering."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from projects.domain.submission import SECTIONS
from projects.enums import Access
from projects.models import Proposal
from tests.projects.factories import CallFactory, CoInvestigatorFactory, ProposalFactory
from tests.projects.forms_data import proposal_data
from tests.utils import form_data, soup

pytestmark = pytest.mark.django_db


def edit_url(proposal):
    return reverse("projects:proposal_edit", args=[proposal.public_id])


def form_markup(response) -> str:
    form = soup(response).select_one("#proposal-form")
    form.select_one("[name=csrfmiddlewaretoken]").decompose()  # masked afresh on every page
    return str(form)


def test_cached_form_is_the_same_markup_as_a_fresh_rendering(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True)
    CoInvestigatorFactory(proposal=proposal, name="Grace Hopper")
    client.force_login(researcher)

    fresh = form_markup(client.get(edit_url(proposal)))
    cached = form_markup(client.get(edit_url(proposal)))
    cache.clear()
    fresh_again = form_markup(client.get(edit_url(proposal)))

    assert cached == fresh
    assert fresh_again == fresh
    assert 'value="Grace Hopper"' in cached


def test_cached_form_shows_a_saved_change_at_once(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="Before")
    client.force_login(researcher)
    client.get(edit_url(proposal))

    client.post(edit_url(proposal), proposal_data(proposal, title="After"))
    page = soup(client.get(edit_url(proposal)))

    assert page.select_one("#id_title")["value"] == "After"


def fields_rendered(response) -> int:
    return [template.name for template in response.templates].count("bootstrap5/field.html")


def test_a_change_to_one_section_renders_that_section_alone(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True, amount_requested=Decimal("120000"))
    client.force_login(researcher)
    client.get(edit_url(proposal))
    # A new version with the same answers: the page is rendered again, and every section comes from the cache (the
    # fields still rendered are the two uploads', outside the form).
    Proposal.objects.filter(pk=proposal.pk).update(updated_at=timezone.now())
    unchanged = fields_rendered(client.get(edit_url(proposal)))

    answers = form_data(client.get(edit_url(proposal)), "#proposal-form")  # as the browser would post them
    client.post(edit_url(proposal), answers | {"summary": ["A new summary."], "action": ["save"]})
    response = client.get(edit_url(proposal))

    assert fields_rendered(response) - unchanged == len(SECTIONS["Overview"])
    assert (
        soup(response).select_one("#id_summary").get_text().lstrip("\n") == "A new summary."
    )  # a textarea starts with a newline
    assert soup(response).select_one("#id_amount_requested")["value"] == "120000"


def test_cached_form_shows_a_team_change_and_a_new_call(client, researcher):
    proposal = ProposalFactory(owner=researcher)
    client.force_login(researcher)
    client.get(edit_url(proposal))

    CoInvestigatorFactory(proposal=proposal, name="Katherine Johnson")  # the proposal itself is not saved
    call = CallFactory(code="NLRA 2031-1")
    page = soup(client.get(edit_url(proposal)))

    assert page.select_one("#id_coi-0-name")["value"] == "Katherine Johnson"
    assert str(call.public_id) in [option["value"] for option in page.select("#id_call option")]


def test_cached_form_differs_for_an_editor_who_does_not_manage_the_team(client, researcher, researcher2):
    proposal = ProposalFactory(owner=researcher)
    CoInvestigatorFactory(proposal=proposal, user=researcher2, email=researcher2.email, access=Access.EDIT)
    client.force_login(researcher)
    client.get(edit_url(proposal))
    client.force_login(researcher2)

    page = soup(client.get(edit_url(proposal)))

    assert page.select("#id_coi-TOTAL_FORMS") == []
    note = page.select_one("#co-investigators .form-text").get_text()
    assert note == "Only the principal investigator changes the team."


def test_form_with_errors_shows_what_was_typed_not_a_cached_rendering(client, researcher):
    proposal = ProposalFactory(owner=researcher, title="Saved title")
    client.force_login(researcher)
    client.get(edit_url(proposal))

    response = client.post(
        edit_url(proposal), proposal_data(proposal, title="Typed title", temperature_min_c="40", temperature_max_c="37")
    )
    page = soup(response)

    assert page.select_one("#id_title")["value"] == "Typed title"
    assert page.select_one("#id_temperature_min_c")["value"] == "40"


@pytest.mark.parametrize("team", [1, 8])
def test_proposal_form_query_count_does_not_grow_with_the_team(client, researcher, django_assert_num_queries, team):
    proposal = ProposalFactory(owner=researcher, complete=True)
    CoInvestigatorFactory.create_batch(team, proposal=proposal)
    client.force_login(researcher)
    client.get(proposal.get_absolute_url())  # the session and the menu's unread count kept in Redis from here on

    # user, proposal, the digest of the rows the page shows (it is not kept yet), its team and their invitations,
    # files, history, the calls it may choose, and the team's formset with its users (rendered with the form); the
    # form shows no introduction, so none is read
    with django_assert_num_queries(10):
        first = client.get(edit_url(proposal))
    # user, proposal, the digest: the page is kept whole
    with django_assert_num_queries(3):
        second = client.get(edit_url(proposal))

    assert first.status_code == second.status_code == 200


def test_flight_requirements_begin_with_the_not_stated_hint_and_label_the_temperature_range(client, researcher):
    proposal = ProposalFactory(owner=researcher)
    client.force_login(researcher)

    section = soup(client.get(edit_url(proposal))).select_one("#section-flight")

    assert section.select_one("p.text-body-secondary.small").get_text() == (
        "Leave anything you do not know as “Not stated”: the matcher treats it as something to confirm with a "
        "provider, never as “no”."
    )
    assert section.select_one("#temperature-range-label").get_text() == "Temperature range samples must be held in"
