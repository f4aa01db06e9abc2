"""The cast of the introduction tests: a submitted proposal with a team and a narrative, scored against a listing of
Redwire Space (whose admin is ``provider_user``), and Space Tango (``provider_user2``) as the other provider.

Test modules use them with ``from tests.projects.introduction_fixtures import *``.
"""

from decimal import Decimal

import pytest

from partners.enums import MembershipRole
from projects.domain import scoring
from projects.enums import Access, CoInvestigatorRole, ProposalStatus
from projects.models import Match
from tests.factories import ProviderUserFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, adsep_listing
from tests.projects.factories import CoInvestigatorFactory, NarrativeFactory, ProposalFactory

__all__ = ["colleague", "match", "redwire", "submitted", "tango"]


@pytest.fixture
def redwire(provider_user):
    organisation = OrganisationFactory(
        name="Redwire Space", slug="redwire-space", contact_email="partnerships@redwire.example"
    )
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    return organisation


@pytest.fixture
def colleague(redwire):
    """A second (plain) member of Redwire Space."""
    user = ProviderUserFactory(email="colleague@redwire.example", full_name="Cole Reed")
    MembershipFactory(organisation=redwire, user=user, role=MembershipRole.MEMBER)
    return user


@pytest.fixture
def tango(provider_user2):
    organisation = OrganisationFactory(name="Space Tango", slug="space-tango", contact_email="hello@tango.example")
    MembershipFactory(organisation=organisation, user=provider_user2, role=MembershipRole.ADMIN)
    return organisation


@pytest.fixture
def submitted(researcher, researcher2):
    """Ada's submitted proposal; Ben (researcher2) joined its team; a narrative is attached."""
    researcher.full_name = "Ada Okafor"
    researcher.save(update_fields=["full_name"])
    proposal = ProposalFactory(
        owner=researcher,
        complete=True,
        status=ProposalStatus.SUBMITTED,
        submission_count=1,
        title="Liver organoids in microgravity",
        summary="Grow liver organoids for 14 days on orbit and return them live.",
        objectives="Compare albumin secretion with ground controls.",
        uei="J7M9HPTGJ1S8",
        cage_code="1ABC2",
        amount_requested=Decimal("250000"),
        matching_funds_sources="Foundation grant from the Hepatic Trust",
    )
    CoInvestigatorFactory(
        proposal=proposal,
        name="Ben Lindqvist",
        email=researcher2.email,
        user=researcher2,
        access=Access.VIEW,
        role=CoInvestigatorRole.CO_PI,
    )
    CoInvestigatorFactory(proposal=proposal, name="Priya Raman", email="priya.raman@example.edu")
    NarrativeFactory(proposal=proposal, original_name="liver-narrative.pdf")
    return proposal


@pytest.fixture
def match(submitted, redwire) -> Match:
    """ADSEP (Redwire Space) scored by the real matcher against the submitted proposal."""
    capability = adsep_listing(redwire)
    assert scoring.score_proposal(submitted.pk) is True
    return Match.objects.select_related("capability__organisation").get(proposal=submitted, capability=capability)
