"""A proposal page's suggestions are rendered once and kept under a key of everything they show
(projects.domain.suggestions.rendering_key): the next visit reads no match, and the kept markup is never stale
after a rescoring or a listing's change, nor shown to a viewer with other rights."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Capability
from projects.domain import scoring, suggestions
from projects.enums import ProposalStatus
from tests.projects.test_suggestions import catalogue, proposal_with_status, section

pytestmark = pytest.mark.django_db

__all__ = ["catalogue"]  # the fixture, imported for these tests


@pytest.fixture
def scored(researcher, catalogue, settings):
    settings.MATCH_TOP_N = 3
    proposal = proposal_with_status(researcher, ProposalStatus.SUBMITTED)
    scoring.score_proposal(proposal.pk)
    return proposal


def test_the_second_visit_shows_the_same_suggestions_without_reading_the_matches(
    client, researcher, scored, monkeypatch
):
    # Both visits in the same minute (the kept markup says "scored 3 minutes ago"), however slow the machine.
    monkeypatch.setattr(suggestions, "time", SimpleNamespace(time=lambda: 1_800_000_000.0))
    client.force_login(researcher)
    first = section(client, scored)
    with CaptureQueriesContext(connection) as second_visit:
        second = section(client, scored)

    assert second == first
    assert len(first.select("[data-match]")) == 3
    assert not [query for query in second_visit.captured_queries if '"projects_match"' in query["sql"]]


def test_a_rescoring_shows_at_the_next_visit(client, researcher, scored, settings):
    client.force_login(researcher)
    assert len(section(client, scored).select("[data-match]")) == 3

    settings.MATCH_TOP_N = 25
    scoring.score_proposal(scored.pk)

    assert len(section(client, scored).select("[data-match]")) == 10  # the page shows ten at most


def test_a_listing_renamed_shows_at_the_next_visit(client, researcher, scored):
    client.force_login(researcher)
    top = scored.matches.order_by("rank").first().capability
    assert top.name in section(client, scored).get_text()

    listing = Capability.objects.get(pk=top.pk)
    listing.name = "A renamed facility"
    listing.save()

    assert "A renamed facility" in section(client, scored).get_text()


def test_the_teams_kept_suggestions_are_not_shown_to_staff_who_may_not_ask(client, researcher, staff, scored):
    client.force_login(researcher)
    assert section(client, scored).select("[data-ask]")  # kept with the team's "Ask about this facility"

    client.force_login(staff)
    page = section(client, scored)

    assert len(page.select("[data-match]")) == 3
    assert not page.select("[data-ask]")
