"""One small site with every kind of object and every kind of visitor, for the permission matrix.

Private text is planted as canaries: unique strings that must appear only in responses to the people allowed to
read them. ``World.allowed`` says which canaries each actor may see.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.http import int_to_base36

from leoportal.domain import jobs
from leoportal.domain.invitations import token_hash
from leoportal.enums import JobState, NotificationKind
from leoportal.models import ApiToken, BackgroundJob, Notification
from partners.domain import uploads
from partners.enums import MembershipRole, PublicationState
from partners.models import CapabilityUpload
from projects.domain.reviews import declare_conflict, submit_review
from projects.domain.versions import freeze_version
from projects.enums import Access, ProposalStatus
from projects.models import CalendarFeed, DecisionEmail, ReviewAssignment, ReviewerInvitation, StatusChange
from projects.models import Invitation as ProjectInvitation
from tests.factories import ProviderUserFactory, ResearcherFactory, ReviewerFactory, StaffFactory
from tests.partners.factories import (
    CapabilityFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationFactory,
    invitation_link,
)
from tests.projects.factories import (
    CallFactory,
    CoInvestigatorFactory,
    IntroductionFactory,
    IntroductionRequestFactory,
    MatchFactory,
    NarrativeFactory,
    PanelMemberFactory,
    ProposalFactory,
)
from tests.webhooks.factories import EndpointFactory

ACTORS = ("anonymous", "owner", "co_investigator", "other_researcher", "introduced", "not_introduced", "staff")
# Panel reviewers of the proposal's call: assigned the proposal; on the panel but not assigned; assigned, reviewed
# and then unassigned; assigned and then declared a conflict of interest.
REVIEWERS = ("reviewer_assigned", "reviewer_unassigned", "reviewer_removed", "reviewer_conflict")

# What each canary guards. The introduced provider reads the proposal's title, summary and flight requirements, but
# not its objectives, funding, attachments or the team's contact details until it answers with interest.
CANARIES = {
    "proposal_shared": ["Canary liver organoid title", "Canary summary of hepatocyte maturation"],
    "proposal_team": [
        "Canary objectives on albumin output",
        "Canary funding from the Smith foundation",
        "canary-pi@example.edu",
        "canary-coi@example.edu",
        "canary-invited@example.edu",
        "canary-narrative.pdf",
        "Canary request to meet Stellar",
    ],
    "other_proposal": ["Canary cardiac tissue title", "canary-other@example.edu"],
    "organisation_private": [
        "Canary draft bioprinter",
        "canary-invitee@orbital.example",
        "canary-upload.json",
        "canary-hooks.orbital.example",
        "Canary webhook to the Orbital CRM",
    ],
    "staff_only": ["Canary staff export of proposals", "Canary decision draft wording"],
}
VISIBLE = {
    "anonymous": set(),
    "owner": {"proposal_shared", "proposal_team"},
    "co_investigator": {"proposal_shared", "proposal_team"},
    "other_researcher": {"other_proposal"},
    "introduced": {"proposal_shared", "organisation_private"},
    "not_introduced": set(),
    "staff": set(CANARIES),
    # An assigned reviewer reads the whole proposal; the others nothing of it.
    "reviewer_assigned": {"proposal_shared", "proposal_team"},
    "reviewer_unassigned": set(),
    "reviewer_removed": set(),
    "reviewer_conflict": set(),
}


@dataclass
class World:
    users: dict
    objects: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)

    def forbidden_canaries(self, actor: str) -> list[str]:
        return [text for group, texts in CANARIES.items() if group not in VISIBLE[actor] for text in texts]


def build_world() -> World:
    owner = ResearcherFactory(email="canary-pi@example.edu", full_name="Priya Investigator")
    co_investigator_user = ResearcherFactory(email="canary-coi@example.edu", full_name="Colin Coinvestigator")
    other_researcher = ResearcherFactory(email="canary-other@example.edu", full_name="Olga Other")
    introduced = ProviderUserFactory(email="member@orbital.example", full_name="Ian Introduced")
    not_introduced = ProviderUserFactory(email="member@stellar.example", full_name="Nina Notintroduced")
    staff = StaffFactory(email="desk@leoportal.example", full_name="Sam Staff")
    users = {
        "anonymous": None,
        "owner": owner,
        "co_investigator": co_investigator_user,
        "other_researcher": other_researcher,
        "introduced": introduced,
        "not_introduced": not_introduced,
        "staff": staff,
    }
    world = World(users=users)

    call = CallFactory()
    proposal = ProposalFactory(
        owner=owner,
        call=call,
        complete=True,
        status=ProposalStatus.SUBMITTED,
        submission_count=1,
        submitted_at=timezone.now(),
        title="Canary liver organoid title",
        summary="Canary summary of hepatocyte maturation",
        objectives="Canary objectives on albumin output",
        matching_funds_sources="Canary funding from the Smith foundation",
    )
    draft = ProposalFactory(owner=owner, call=call, title="Canary liver organoid title (draft)")
    co_investigator = CoInvestigatorFactory(
        proposal=proposal, email="canary-coi@example.edu", user=co_investigator_user, access=Access.VIEW
    )
    invited = CoInvestigatorFactory(proposal=proposal, email="canary-invited@example.edu")
    ProjectInvitation.objects.create(
        co_investigator=invited,
        email=invited.email,
        access=Access.EDIT,
        invited_by=owner,
        expires_at=timezone.now() + timedelta(days=7),
        token_hash=token_hash("matrix-invitation-token"),
    )
    narrative = NarrativeFactory(proposal=proposal, original_name="canary-narrative.pdf")
    freeze_version(proposal, owner, timezone.now())  # as its submission did: version 1, with the narrative
    CalendarFeed.objects.create(user=owner)  # the owner asked for a calendar address
    other_proposal = ProposalFactory(
        owner=other_researcher, call=call, complete=True, title="Canary cardiac tissue title"
    )
    # A decision staff made on another proposal of the other researcher: its e-mail waits in the outbox, for staff.
    decided = ProposalFactory(
        owner=other_researcher,
        call=call,
        complete=True,
        title="Canary cardiac tissue title, decided",
        status=ProposalStatus.ACCEPTED,
    )
    decision = DecisionEmail.objects.create(
        proposal=decided,
        status_change=StatusChange.objects.create(
            proposal=decided,
            from_status=ProposalStatus.UNDER_REVIEW,
            to_status=ProposalStatus.ACCEPTED,
            changed_by=staff,
        ),
        decision=ProposalStatus.ACCEPTED,
        subject="Accepted",
        body="Canary decision draft wording",
        created_by=staff,
    )

    orbital = OrganisationFactory(name="Orbital Labs", slug="orbital-labs")
    orbital_membership = MembershipFactory(organisation=orbital, user=introduced, role=MembershipRole.ADMIN)
    listing = CapabilityFactory(organisation=orbital, name="Orbital culture locker")
    draft_listing = CapabilityFactory(
        organisation=orbital, name="Canary draft bioprinter", publication=PublicationState.DRAFT
    )
    member_invitation = InvitationFactory(organisation=orbital, email="canary-invitee@orbital.example")
    upload = CapabilityUpload.objects.create(
        organisation=orbital, uploaded_by=introduced, filename="canary-upload.json", document={}
    )
    import_job = jobs.start_job(
        introduced,
        uploads.CAPABILITY_IMPORT,
        label="Import of canary-upload.json",
        params={"upload_id": upload.pk, "organisation_id": orbital.pk, "filename": upload.filename, "digest": "0" * 64},
        total=2,
    )
    webhook = EndpointFactory(
        organisation=orbital,
        url="https://canary-hooks.orbital.example/leo",
        description="Canary webhook to the Orbital CRM",
    )

    stellar = OrganisationFactory(name="Stellar Bio", slug="stellar-bio")
    MembershipFactory(organisation=stellar, user=not_introduced, role=MembershipRole.ADMIN)
    stellar_listing = CapabilityFactory(organisation=stellar, name="Stellar incubator")

    match = MatchFactory(proposal=proposal, capability=listing, rank=1)
    MatchFactory(proposal=proposal, capability=stellar_listing, rank=2)
    introduction = IntroductionFactory(
        proposal=proposal, organisation=orbital, match=match, capability=listing, introduced_by=staff
    )
    # The team asked staff about Stellar's incubator: Stellar must learn nothing of it.
    introduction_request = IntroductionRequestFactory(
        proposal=proposal,
        organisation=stellar,
        capability=stellar_listing,
        facility_name="Stellar incubator",
        requested_by=owner,
        message="Canary request to meet Stellar",
    )

    notification = Notification.objects.create(
        recipient=owner,
        kind=NotificationKind.SUBMISSION,
        subject="Your proposal was received",
        body="We received your proposal.",
        dedupe_key="matrix",
        url=proposal.get_absolute_url(),
    )
    job = BackgroundJob.objects.create(
        owner=staff,
        kind="export",
        label="Canary staff export of proposals",
        state=JobState.DONE,
        progress_done=1,
        finished_at=timezone.now(),
        result_name="proposals.csv",
        result_content_type="text/csv",
    )
    job.result_file.save("export.csv", ContentFile(b"title\r\nCanary liver organoid title\r\n"))

    for actor in REVIEWERS:
        reviewer = ReviewerFactory(email=f"{actor.replace('_', '-')}@panel.example", organisation="Panel University")
        users[actor] = reviewer
        PanelMemberFactory(call=call, reviewer=reviewer)
        if actor != "reviewer_unassigned":
            ReviewAssignment.objects.create(proposal=proposal, reviewer=reviewer, assigned_by=staff)
    scores = {"scientific_merit": 4, "need_for_microgravity": 4, "feasibility": 4, "value": 4, "operations": "pass"}
    submit_review(proposal, users["reviewer_removed"], **scores)
    ReviewAssignment.objects.filter(reviewer=users["reviewer_removed"]).delete()
    declare_conflict(proposal, users["reviewer_conflict"], "A shared grant.")
    reviewer_invitation = ReviewerInvitation.objects.create(
        call=call,
        email="canary-reviewer-invitee@example.edu",
        invited_by=staff,
        expires_at=timezone.now() + timedelta(days=7),
        token_hash=token_hash("matrix-reviewer-invitation-token"),
    )
    api_token = ApiToken.objects.create(user=owner, name="Owner's script", prefix="leo_abcdef", key_hash="1" * 64)

    owner_address = EmailAddress.objects.get(user=owner)
    world.objects.update(
        call=call,
        proposal=proposal,
        draft=draft,
        co_investigator=co_investigator,
        invited=invited,
        narrative=narrative,
        other_proposal=other_proposal,
        orbital=orbital,
        orbital_membership=orbital_membership,
        listing=listing,
        draft_listing=draft_listing,
        member_invitation=member_invitation,
        upload=upload,
        import_job=import_job,
        stellar=stellar,
        introduction=introduction,
        introduction_request=introduction_request,
        api_token=api_token,
        webhook=webhook,
        notification=notification,
        job=job,
        reviewer_invitation=reviewer_invitation,
        decision=decision,
    )
    world.tokens.update(
        project_invitation="matrix-invitation-token",
        reviewer_invitation="matrix-reviewer-invitation-token",
        member_invitation=invitation_link(member_invitation).rstrip("/").rsplit("/", 1)[-1],
        email_confirmation=EmailConfirmationHMAC(owner_address).key,
        password_reset=(int_to_base36(owner.pk), default_token_generator.make_token(owner)),
    )
    return world
