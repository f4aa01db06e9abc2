"""Calls for proposals, proposals and what hangs off them: co-investigators, invitations, attachments, history,
matches and introductions to providers; flight precedents.

One module per subject; everything is importable from ``projects.models``.
"""

from projects.models.calendars import CalendarFeed
from projects.models.calls import Call, CallQuerySet
from projects.models.decisions import DECISION_STATUSES, DecisionEmail, DecisionTemplate
from projects.models.files import Attachment, attachment_path
from projects.models.history import StatusChange
from projects.models.introductions import Introduction, IntroductionQuerySet, IntroductionRequest
from projects.models.matches import ListingDemand, Match, RescoreRequest
from projects.models.panels import (
    PanelMember,
    ReviewAssignment,
    ReviewerInvitation,
    ReviewerProfile,
    ReviewRound,
    SuggestedAssignment,
)
from projects.models.precedents import Precedent, PrecedentQuerySet
from projects.models.proposal_access import (
    EDITABLE_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    ProposalQuerySet,
    proposal_search_vector,
    team_q,
    visibility_q,
)
from projects.models.proposals import CAGE_PATTERN, FLIGHT_REQUIREMENT_FIELDS, MATCHER_FIELDS, UEI_PATTERN, Proposal
from projects.models.reviews import CRITERIA_FIELDS, REVIEW_CRITERIA, Review, review_score_expression
from projects.models.team import CoInvestigator, Invitation
from projects.models.versions import ProposalVersion

__all__ = [
    "CAGE_PATTERN",
    "CRITERIA_FIELDS",
    "DECISION_STATUSES",
    "EDITABLE_STATUSES",
    "FINAL_STATUSES",
    "FLIGHT_REQUIREMENT_FIELDS",
    "MATCHER_FIELDS",
    "OPEN_STATUSES",
    "REVIEW_CRITERIA",
    "UEI_PATTERN",
    "Attachment",
    "CalendarFeed",
    "Call",
    "CallQuerySet",
    "CoInvestigator",
    "DecisionEmail",
    "DecisionTemplate",
    "Introduction",
    "IntroductionQuerySet",
    "IntroductionRequest",
    "Invitation",
    "ListingDemand",
    "Match",
    "PanelMember",
    "Precedent",
    "PrecedentQuerySet",
    "Proposal",
    "ProposalQuerySet",
    "ProposalVersion",
    "RescoreRequest",
    "Review",
    "ReviewAssignment",
    "ReviewRound",
    "ReviewerInvitation",
    "ReviewerProfile",
    "StatusChange",
    "SuggestedAssignment",
    "attachment_path",
    "proposal_search_vector",
    "review_score_expression",
    "team_q",
    "visibility_q",
]
