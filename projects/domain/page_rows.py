"""The rows each kept signed-in page shows (My proposals, a proposal's page and edit page, a provider's home and
introductions, an introduction, the desk's proposal page), as digests (leoportal.domain.page_cache.RowsDigest): a
page's kept content is keyed by its digest, so a change to any of these rows, however it was made, shows at the next
visit. A page that comes to show another table adds it here (the kept pages' tests check that every table a fresh
rendering reads is in its digest).

The desk's list of proposals shows more rows than a digest could read at each visit: it is kept under the stamp
PostgreSQL changes whenever a row of its tables changes (DESK_LIST_MODELS, and the triggers of the migration
projects.0020_rows_version_triggers)."""

from allauth.account.models import EmailAddress
from django.db.models import F, Q, QuerySet, Subquery
from django.db.models.functions import Lower

from leoportal.domain.page_cache import RowsDigest
from leoportal.models import User
from partners.models import Capability, Membership, Organisation
from partners.models import Invitation as OrganisationInvitation
from projects.models import (
    Attachment,
    CalendarFeed,
    Call,
    CoInvestigator,
    Introduction,
    IntroductionRequest,
    Invitation,
    Match,
    Proposal,
    ProposalVersion,
    Review,
    ReviewAssignment,
    ReviewRound,
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


# A proposal's own rows, which its page, its edit page and the desk's page all show.
PROPOSAL_ROWS = (
    lambda proposal_id: Proposal.objects.filter(pk=proposal_id),
    lambda proposal_id: Call.objects.filter(proposals=proposal_id),
    lambda proposal_id: CoInvestigator.objects.filter(proposal=proposal_id),
    lambda proposal_id: Attachment.objects.filter(proposal=proposal_id),
    lambda proposal_id: StatusChange.objects.filter(proposal=proposal_id),
    lambda proposal_id: Introduction.objects.filter(proposal=proposal_id),
    lambda proposal_id: IntroductionRequest.objects.filter(proposal=proposal_id),
)

proposal_page = RowsDigest(
    *PROPOSAL_ROWS,
    _people,
    _providers,
    lambda proposal_id: Invitation.objects.filter(co_investigator__proposal=proposal_id),
    # Only their number is shown ("Versions (3)"), and each holds a copy of the whole proposal.
    lambda proposal_id: ProposalVersion.objects.filter(proposal=proposal_id).values("pk"),
)

# The edit page shows the proposal's rows and the calls it may choose (those not closed, and its own).
proposal_form = RowsDigest(*proposal_page.sources, lambda _proposal_id: Call.objects.all())


# --- My proposals (a researcher's dashboard) ---------------------------------------------------------------------

my_proposals = RowsDigest(
    lambda user_id: User.objects.filter(pk=user_id),
    # The proposals they own, and those they are on the team of (two indexed lookups, not one "or").
    lambda user_id: Proposal.objects.filter(owner=user_id),
    lambda user_id: Proposal.objects.filter(co_investigators__user=user_id),
    lambda user_id: CoInvestigator.objects.filter(user=user_id),
    # The calls: each proposal's, and those open (counted when there is no proposal yet).
    lambda _user_id: Call.objects.all(),
    lambda user_id: CalendarFeed.objects.filter(user=user_id),
)


# --- A provider's home (partners' dashboard) ----------------------------------------------------------------------


def _invitations_to_join(user_id: int) -> QuerySet:
    """Invitations to join a provider sent to the account's address or one it has verified, with the provider's name
    and the sender's."""
    own = Lower(Subquery(User.objects.filter(pk=user_id).values("email")))
    verified = EmailAddress.objects.filter(user=user_id).annotate(address=Lower("email")).values("address")
    return (
        OrganisationInvitation.objects.annotate(address=Lower("email"))
        .filter(Q(address=own) | Q(address__in=verified))
        .annotate(provider=F("organisation__name"), sender=F("invited_by__full_name"))
    )


def _introductions_to(user_id: int) -> QuerySet:
    """Introductions to the account's providers, with what their table shows of the proposal and of who answered."""
    return Introduction.objects.filter(organisation__memberships__user=user_id).annotate(
        title=F("proposal__title"), answerer=F("answered_by__full_name"), answerer_email=F("answered_by__email")
    )


# What a provider's pages show of the account: who they are, the providers they are a member of, and the
# introductions to those providers.
PROVIDER_ROWS = (
    lambda user_id: User.objects.filter(pk=user_id),
    lambda user_id: Membership.objects.filter(user=user_id),
    lambda user_id: Organisation.objects.filter(memberships__user=user_id),
    _introductions_to,
)

provider_introductions = RowsDigest(*PROVIDER_ROWS)

provider_home = RowsDigest(
    *PROVIDER_ROWS,
    lambda user_id: EmailAddress.objects.filter(user=user_id),
    lambda user_id: Capability.objects.filter(organisation__memberships__user=user_id),
    _invitations_to_join,
)


# --- An introduction's page -----------------------------------------------------------------------------------------

introduction_page = RowsDigest(
    lambda introduction_id: Introduction.objects.filter(pk=introduction_id),
    lambda introduction_id: Proposal.objects.filter(introductions=introduction_id),
    lambda introduction_id: User.objects.filter(
        Q(pk__in=Proposal.objects.filter(introductions=introduction_id).values("owner"))
        | Q(pk__in=Introduction.objects.filter(pk=introduction_id).values("answered_by"))
    ),
    lambda introduction_id: Organisation.objects.filter(introductions=introduction_id),
    # Who may answer: the provider's members.
    lambda introduction_id: Membership.objects.filter(organisation__introductions=introduction_id),
    lambda introduction_id: Attachment.objects.filter(proposal__introductions=introduction_id),
)


# --- The review desk's proposal page (the admin's) ------------------------------------------------------------------


def _desk_people(proposal_id: int) -> QuerySet:
    """Everyone the desk's proposal page names, and the members whose being active decides whether a matched provider
    can be introduced at once."""
    return User.objects.filter(
        Q(pk__in=_people(proposal_id).values("pk"))
        | Q(pk__in=Review.objects.filter(proposal=proposal_id).values("reviewer"))
        | Q(pk__in=Attachment.objects.filter(proposal=proposal_id).values("uploaded_by"))
        | Q(pk__in=Membership.objects.filter(organisation__capabilities__matches__proposal=proposal_id).values("user"))
    )


desk_page = RowsDigest(
    *PROPOSAL_ROWS,
    _desk_people,
    lambda proposal_id: Review.objects.filter(proposal=proposal_id),
    lambda proposal_id: Match.objects.filter(proposal=proposal_id),
    lambda proposal_id: Capability.objects.filter(matches__proposal=proposal_id),
    lambda proposal_id: Membership.objects.filter(organisation__capabilities__matches__proposal=proposal_id),
    lambda proposal_id: Organisation.objects.filter(
        Q(pk__in=Capability.objects.filter(matches__proposal=proposal_id).values("organisation"))
        | Q(pk__in=_providers(proposal_id).values("pk"))
    ),
)


# The tables whose changes change the stamp (triggers of the migration projects.0020_rows_version_triggers): those a
# rendering of the desk's list reads, with any filter or search. A table the list comes to show is added here and
# given the triggers by a migration (tests/projects/test_kept_desk_list.py checks both).
DESK_LIST_MODELS = (User, Organisation, Capability, Call, Proposal, Match, Review, ReviewAssignment, ReviewRound)
