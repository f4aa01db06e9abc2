"""Who sees which proposals, and the statuses that open or close them: the scoped querysets every lookup uses, and
the proposal's full-text search expression."""

from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Exists, OuterRef, Q

from projects.enums import ProposalStatus
from projects.models.team import CoInvestigator


def proposal_search_vector():
    """The proposal's text for full-text search (PostgreSQL): title first, then summary and objectives, then the
    science. Must stay identical to the GIN index's expression (migration 0003); a test checks the index is used."""
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", "objectives", weight="B", config="english")
        + SearchVector("why_microgravity", "earth_benefit", weight="C", config="english")
    )


def team_q(user) -> Q:
    """Proposals ``user`` works on: as principal investigator or as a co-investigator who accepted an invitation."""
    return Q(owner=user) | Q(Exists(CoInvestigator.objects.filter(proposal=OuterRef("pk"), user=user)))


def visibility_q(user) -> Q:
    """Every reason a (non-staff) user may see a proposal, OR-ed together: today the team alone.

    Providers a proposal was introduced to are deliberately not a branch here: they never reach the proposal's
    pages, attachments or edit views (404), only the introduction page (projects/views/introductions.py), which
    shows the part an introduction shares, through Introduction.objects.visible_to.
    """
    return team_q(user)


EDITABLE_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.INVITED, ProposalStatus.REVISIONS_REQUESTED)
OPEN_STATUSES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.INVITED,
    ProposalStatus.SCREENING,
    ProposalStatus.UNDER_REVIEW,
    ProposalStatus.REVISIONS_REQUESTED,
)
FINAL_STATUSES = (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED, ProposalStatus.WITHDRAWN)


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What ``user`` may see: program staff everything, others what visibility_q allows."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(visibility_q(user))

    def team_of(self, user):
        """The proposals ``user`` works on (staff too only see their own here: this feeds the dashboard).

        The same set as team_q, as a union of two indexed lookups: written as "owner OR co-investigator", PostgreSQL
        reads every proposal to answer it (20 ms at 10,000 proposals, growing with the table)."""
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        owned = self.model.objects.filter(owner=user).order_by().values("pk")
        shared = CoInvestigator.objects.filter(user=user).order_by().values("proposal_id")
        return self.filter(pk__in=owned.union(shared, all=True))
