"""Introductions of proposals to providers: the two business actions and who hears about them.

``introduce_to_provider`` (program staff) shares a proposal's summary with a verified provider organisation and
notifies its members; an organisation nobody on the portal belongs to yet is reached with
``introduce_inviting_contact``, which invites a contact by e-mail and writes the introduction at once: it waits,
and the contact finds it on joining (``notify_new_member_of_waiting``). ``answer_introduction`` (a member of that
organisation) answers once, interested or not, and notifies the research team and program staff. Views, the
admin and the demo seed call these. Refusals raise ``IntroductionError`` with a message meant for the person who
asked.
"""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from leoportal.domain.notifications import notify, wording
from leoportal.domain.page_cache import markup_key
from leoportal.enums import NotificationKind
from leoportal.models import User
from leoportal.rules import is_program_staff
from partners.domain.organisations import MembershipError, invite_contact, pending_contact_invitation
from partners.models import Organisation
from partners.rules import is_provider_member
from projects.enums import IntroductionAnswer, ProposalStatus
from projects.exceptions import IntroductionError
from projects.models import Introduction, Match, Proposal
from webhooks.domain import events as webhook_events

# A draft is not ready to be shown to anyone, and a withdrawn proposal is no longer looking for a partner.
NOT_INTRODUCIBLE = (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN)
NOTE_MAX_LENGTH = 5000


def team_accounts(proposal: Proposal) -> list[User]:
    """The principal investigator and every co-investigator who joined with an account."""
    members = [proposal.owner]
    members += [coi.user for coi in proposal.co_investigators.select_related("user") if coi.user]
    return members


def provider_members(organisation: Organisation) -> list[User]:
    return list(User.objects.filter(provider_memberships__organisation=organisation, is_active=True).order_by("pk"))


def introduction_problem(proposal: Proposal, organisation: Organisation, match: Match | None = None) -> str | None:
    """Why ``proposal`` cannot be introduced to ``organisation`` now, or None when it can."""
    if proposal.status in NOT_INTRODUCIBLE:
        state = "still a draft" if proposal.status == ProposalStatus.DRAFT else "withdrawn"
        return f"“{proposal.display_title}” is {state}: only submitted proposals can be introduced to providers."
    if not organisation.verified:
        return f"{organisation.name} is not verified yet: verify the organisation before introducing proposals to it."
    if not provider_members(organisation) and pending_contact_invitation(organisation) is None:
        return (
            f"{organisation.name} has no members on the portal, so nobody could read or answer the introduction: "
            "invite a contact of the organisation by e-mail, and the introduction waits for them."
        )
    if match is not None:
        if match.proposal_id != proposal.pk:
            return "That match belongs to another proposal."
        if match.capability.organisation_id != organisation.pk:
            listed_by = match.capability.organisation.name
            return f"{match.capability.name} is listed by {listed_by}, not {organisation.name}."
    earlier = Introduction.objects.filter(proposal=proposal, organisation=organisation)
    waiting = earlier.filter(answer="").first()
    if waiting is not None:
        return (
            f"“{proposal.display_title}” was already introduced to {organisation.name} on "
            f"{waiting.created_at:%d %B %Y}, and they have not answered yet."
        )
    if earlier.filter(answer=IntroductionAnswer.INTERESTED).exists():
        return (
            f"{organisation.name} already answered that they are interested in “{proposal.display_title}”: the "
            "contacts are shared."
        )
    return None


def introduce_to_provider(
    proposal: Proposal, organisation: Organisation, by: User, note: str, match: Match | None = None
) -> Introduction:
    """Program staff introduce ``proposal`` to ``organisation`` (optionally from one of its matches) with a note.

    The organisation's members are notified and may then read the proposal's title, summary, flight requirements
    and the match explanation, and answer.
    """
    if not is_program_staff(by):
        raise IntroductionError("Only program staff introduce proposals to providers.")
    note = (note or "").strip()
    if not note:
        raise IntroductionError("Write a note for the provider: why this proposal may suit them.")
    if len(note) > NOTE_MAX_LENGTH:
        raise IntroductionError(f"Keep the note to {NOTE_MAX_LENGTH} characters.")
    with transaction.atomic():
        # Locking the proposal serialises introductions of it (and its withdrawal) so the checks below hold.
        proposal = Proposal.objects.select_for_update(of=("self",)).select_related("owner").get(pk=proposal.pk)
        if match is not None:
            match = Match.objects.select_related("capability__organisation").filter(pk=match.pk).first()
            if match is None:
                raise IntroductionError(
                    "The proposal was rescored since you opened the page and that match is gone: choose again."
                )
        problem = introduction_problem(proposal, organisation, match)
        if problem:
            raise IntroductionError(problem)
        introduction = Introduction(proposal=proposal, organisation=organisation, introduced_by=by, note=note)
        if match is not None:
            introduction.match = match
            introduction.capability = match.capability
            introduction.facility_name = match.capability.name
            introduction.score = match.score
            introduction.fit = match.fit
            introduction.summary = match.summary[:300]
            introduction.criteria = match.criteria
            introduction.near_miss = match.near_miss
        try:
            with transaction.atomic():
                introduction.save()
        except IntegrityError:
            raise IntroductionError(
                f"“{proposal.display_title}” was just introduced to {organisation.name} by someone else."
            ) from None
        _notify_provider(introduction)
        webhook_events.introduction_received(introduction)
    return introduction


def introduce_inviting_contact(
    proposal: Proposal, organisation: Organisation, by: User, note: str, contact_email: str, match: Match | None = None
) -> Introduction:
    """Introduce ``proposal`` to an organisation with no members, inviting ``contact_email`` to join it as its
    administrator. Both happen or neither: the invitation is e-mailed once the introduction is written."""
    with transaction.atomic():
        try:
            invite_contact(organisation, by=by, email=contact_email)
        except MembershipError as error:
            raise IntroductionError(error.message) from None
        return introduce_to_provider(proposal, organisation, by, note, match=match)


def notify_new_member_of_waiting(organisation_id: int, user_id: int) -> int:
    """Someone joined the organisation: tell them of each introduction still waiting for an answer. Returns how
    many they were told of (each once: the notifications are deduplicated)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    waiting = (
        Introduction.objects.filter(organisation_id=organisation_id)
        .awaiting_answer()
        .exclude(proposal__status=ProposalStatus.WITHDRAWN)
        .select_related("proposal", "organisation")
        .order_by("created_at")
    )
    return sum(len(_notify_provider(introduction, [user])) for introduction in waiting)


def _notify_provider(introduction: Introduction, recipients=None) -> list:
    organisation = introduction.organisation
    subject, body = wording(
        NotificationKind.INTRODUCTION,
        {"introduction": introduction, "proposal": introduction.proposal, "organisation": organisation},
    )
    return notify(
        provider_members(organisation) if recipients is None else recipients,
        NotificationKind.INTRODUCTION,
        subject=subject,
        body=body,
        dedupe_key=f"introduction:{introduction.public_id}",
        url=introduction.get_absolute_url(),
        target=introduction,
    )


def answer_problem(introduction: Introduction, by: User) -> str | None:
    """Why ``by`` cannot answer ``introduction`` now, or None when they can."""
    if not is_provider_member(by, introduction.organisation):
        return f"Only members of {introduction.organisation.name} can answer this introduction."
    if introduction.proposal.status == ProposalStatus.WITHDRAWN:
        return "The research team withdrew this proposal, so there is nothing to answer any more."
    if introduction.is_answered:
        who = introduction.answered_by.display_name if introduction.answered_by else "A member"
        return (
            f"{who} already answered “{introduction.get_answer_display().lower()}” on "
            f"{introduction.answered_at:%d %B %Y}; an introduction is answered once."
        )
    return None


def answer_introduction(introduction: Introduction, by: User, interested: bool, message: str = "") -> Introduction:
    """A member of the provider answers once; the research team and program staff are notified.

    On "interested" the contacts are shared: the provider's page then shows the principal investigator's, and the
    proposal's page the provider's.
    """
    message = (message or "").strip()
    if len(message) > NOTE_MAX_LENGTH:
        raise IntroductionError(f"Keep the message to {NOTE_MAX_LENGTH} characters.")
    with transaction.atomic():
        # The row lock makes the answer happen once even when two members answer at the same moment.
        locked = (
            Introduction.objects.select_for_update(of=("self",))
            .select_related("organisation", "proposal__owner", "answered_by")
            .get(pk=introduction.pk)
        )
        problem = answer_problem(locked, by)
        if problem:
            raise IntroductionError(problem)
        locked.answer = IntroductionAnswer.INTERESTED if interested else IntroductionAnswer.NOT_INTERESTED
        locked.message = message
        locked.answered_by = by
        locked.answered_at = timezone.now()
        locked._change_reason = f"Answered {locked.get_answer_display().lower()}"
        locked.save(update_fields=["answer", "message", "answered_by", "answered_at"])
        _notify_answer(locked)
    for field in ("answer", "message", "answered_by", "answered_at"):
        setattr(introduction, field, getattr(locked, field))
    return introduction


def _notify_answer(introduction: Introduction) -> None:
    proposal, organisation, member = introduction.proposal, introduction.organisation, introduction.answered_by
    assert member is not None  # called once answer_introduction has recorded who answered
    subject, body = wording(
        NotificationKind.INTRODUCTION_ANSWER,
        {"introduction": introduction, "proposal": proposal, "organisation": organisation, "member": member},
    )
    dedupe_key = f"introduction-answer:{introduction.public_id}"
    notify(
        team_accounts(proposal),
        NotificationKind.INTRODUCTION_ANSWER,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        url=proposal.get_absolute_url() + "#introductions",
        target=introduction,
    )
    notify(
        User.objects.program_staff(),
        NotificationKind.INTRODUCTION_ANSWER,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        url=reverse("admin:projects_proposal_change", args=[proposal.pk]),
        target=introduction,
    )


def explanation_rendering_key(introduction: Introduction) -> str:
    """The key of an introduction's rendered match explanation (templates/projects/_match_explanation.html): the copy
    of the match it carries, as saved, and when it was made. The explanation is the same for every viewer."""
    return markup_key(
        introduction.public_id,
        introduction.facility_name,
        introduction.fit,
        introduction.score,
        introduction.summary,
        introduction.near_miss,
        introduction.criteria,
        introduction.created_at,
    )
