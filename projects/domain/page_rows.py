"""The rows each kept signed-in page of a proposal shows, as digests (leoportal.domain.page_cache.RowsDigest): a
page's kept content is keyed by its digest, so a change to any of these rows, however it was made, shows at the
next visit. A page that comes to show another table adds it here (tests/projects/test_kept_pages.py checks that
every table a fresh rendering reads is in its digest)."""

from django.db.models import Q, QuerySet

from leoportal.domain.page_cache import RowsDigest
from leoportal.models import User
from partners.models import Organisation
from projects.models import (
    Attachment,
    Call,
    CoInvestigator,
    Introduction,
    IntroductionRequest,
    Invitation,
    Proposal,
    ProposalVersion,
    StatusChange,
)


def _people(proposal_id: int) -> QuerySet:
    """Everyone a proposal's page names: its principal investigator, team, status history, introductions and asks."""
    return User.objects.filter(
        Q(pk__in=Proposal.objects.filter(pk=proposal_id).values("owner"))
        | Q(pk__in=CoInvestigator.objects.filter(proposal=proposal_id).values("user"))
        | Q(pk__in=StatusChange.objects.filter(proposal=proposal_id).values("changed_by"))
        | Q(pk__in=Introduction.objects.filter(proposal=proposal_id).values("answered_by"))
        | Q(pk__in=Introduction.objects.filter(proposal=proposal_id).values("introduced_by"))
        | Q(pk__in=IntroductionRequest.objects.filter(proposal=proposal_id).values("requested_by"))
    )


def _providers(proposal_id: int) -> QuerySet:
    return Organisation.objects.filter(
        Q(pk__in=Introduction.objects.filter(proposal=proposal_id).values("organisation"))
        | Q(pk__in=IntroductionRequest.objects.filter(proposal=proposal_id).values("organisation"))
    )


proposal_page = RowsDigest(
    lambda proposal_id: Proposal.objects.filter(pk=proposal_id),
    lambda proposal_id: Call.objects.filter(proposals=proposal_id),
    _people,
    lambda proposal_id: CoInvestigator.objects.filter(proposal=proposal_id),
    lambda proposal_id: Invitation.objects.filter(co_investigator__proposal=proposal_id),
    lambda proposal_id: Attachment.objects.filter(proposal=proposal_id),
    lambda proposal_id: StatusChange.objects.filter(proposal=proposal_id),
    # Only their number is shown ("Versions (3)"), and each holds a copy of the whole proposal.
    lambda proposal_id: ProposalVersion.objects.filter(proposal=proposal_id).values("pk"),
    lambda proposal_id: Introduction.objects.filter(proposal=proposal_id),
    lambda proposal_id: IntroductionRequest.objects.filter(proposal=proposal_id),
    _providers,
)
