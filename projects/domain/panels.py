"""Review panels: inviting reviewers to a call, assigning them proposals, and the conflicts that forbid it.

Reviewers are invited by program staff by e-mail for one call. The invitation works like a co-investigator's
(projects/invitations.py): the row is recorded first, a task claims it and e-mails a one-time link whose token is
stored only as its SHA-256, the link expires (REVIEWER_INVITATION_DAYS) and only an account with the invited address,
verified, may accept it; the sending limits of leoportal/domain/invitations.py count these invitations too.

A conflict of interest is a hard rule: a reviewer is never assigned (by hand or by suggestion) a proposal
- they declared a conflict with,
- whose team they are on (principal investigator or co-investigator with an account),
- from their own organisation, or
- from the organisation of one of its co-investigators.
Organisations are compared by name, ignoring case and surrounding spaces.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leoportal.dispatch import dispatch
from leoportal.domain import invitations
from leoportal.domain.emails import build_email
from leoportal.domain.invitations import sending_problem
from leoportal.domain.notifications import absolute_url, notify, wording
from leoportal.enums import NotificationKind
from leoportal.models import User
from leoportal.rules import is_program_staff
from projects.domain.invitations import has_verified_address
from projects.domain.rounds import current_round, overdue_q
from projects.enums import AssignmentSource
from projects.exceptions import PanelError
from projects.models import (
    OPEN_STATUSES,
    Call,
    PanelMember,
    Proposal,
    Review,
    ReviewAssignment,
    ReviewerInvitation,
    ReviewerProfile,
)
from projects.tasks import send_reviewer_invitation_task


def organisation_key(name: str | None) -> str:
    return (name or "").strip().casefold()


# --- Invitations ----------------------------------------------------------------------------------------------------


def invite_reviewer(call: Call, email: str, by: User) -> ReviewerInvitation:
    """Invite ``email`` to review for ``call``; an earlier pending invitation to that address for the call stops
    working."""
    if not is_program_staff(by):
        raise PanelError("Only program staff invite reviewers.")
    email = (email or "").strip()
    if not email:
        raise PanelError("Enter the reviewer's e-mail address.")
    if PanelMember.objects.filter(call=call, reviewer__email__iexact=email).exists():
        raise PanelError(f"{email} is already on the {call.code} panel.")
    now = timezone.now()
    with transaction.atomic():
        # Locked: two requests at once cannot both slip under the limits.
        User.objects.select_for_update().filter(pk=by.pk).first()
        Call.objects.select_for_update().filter(pk=call.pk).first()
        problem = sending_problem(
            earlier=ReviewerInvitation.objects.filter(call=call, email__iexact=email),
            sender=by,
            address=email,
            where=f"the {call.code} panel",
            now=now,
        )
        if problem:
            raise PanelError(problem)
        ReviewerInvitation.objects.filter(
            call=call, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = ReviewerInvitation.objects.create(
            call=call,
            email=email,
            invited_by=by,
            created_at=now,
            expires_at=now + timedelta(days=settings.REVIEWER_INVITATION_DAYS),
        )
        dispatch(send_reviewer_invitation_task, invitation.pk)
    return invitation


def send_reviewer_invitation_email(invitation_id: int) -> bool:
    """Send one reviewer invitation's e-mail unless it was sent already or is no longer pending."""
    now = timezone.now()
    token = invitations.claim(ReviewerInvitation, invitation_id, now)
    if token is None:
        return False
    invitation = ReviewerInvitation.objects.select_related("call", "invited_by").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "call": invitation.call,
        "inviter": invitation.invited_by,
        "link": absolute_url(reverse("projects:reviewer_invitation", args=[token])),
        "signup_link": absolute_url(reverse("account_signup")),
        "days": settings.REVIEWER_INVITATION_DAYS,
    }
    message = build_email(
        subject=f"Invitation to review proposals for {invitation.call.code}",
        text=render_to_string("projects/emails/reviewer_invitation.txt", context),
        html=None,
        to=invitation.email,
    )
    return invitations.send_claimed(ReviewerInvitation, invitation_id, now, message)


def overdue_reviewer_invitation_ids(now=None) -> list[int]:
    """Reviewer invitations whose e-mail should have gone by now: an outbox the sweep empties."""
    return list(invitations.unsent(ReviewerInvitation, now).values_list("pk", flat=True))


def find_reviewer_invitation(token: str) -> ReviewerInvitation | None:
    return invitations.find(ReviewerInvitation.objects.select_related("call", "invited_by"), token)


def reviewer_invitation_problem(invitation: ReviewerInvitation, user=None) -> str | None:
    """Why ``invitation`` cannot be accepted (by ``user``, when given), or None when it can."""
    if invitation.accepted_at is not None:
        return "This invitation has already been used. Links work once: sign in to find your reviews."
    if invitation.revoked_at is not None:
        return "This invitation was replaced by a newer one. Use the latest e-mail from program staff."
    if timezone.now() >= invitation.expires_at:
        return "This invitation expired. Ask program staff to send you a new one."
    if user is not None and user.is_authenticated:
        if user.is_staff:
            return "Program staff review from the desk; reviewer invitations are for experts from outside."
        if not has_verified_address(user, invitation.email):
            if user.email.lower() == invitation.email.lower():
                return (
                    f"Confirm your e-mail address {user.email} first (follow the link in the confirmation e-mail we "
                    "sent you), then open this invitation again."
                )
            return (
                f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. Sign out "
                f"and sign in with {invitation.email}, or add and verify that address under E-mail addresses."
            )
        if PanelMember.objects.filter(call=invitation.call, reviewer=user).exists():
            return f"You are already on the {invitation.call.code} panel."
    return None


@dataclass(frozen=True)
class Expertise:
    organisation: str
    research_areas: list[str]
    keywords: str
    bio: str


def accept_reviewer_invitation(invitation: ReviewerInvitation, user: User, expertise: Expertise) -> PanelMember:
    """Join the call's panel with the expertise given. Works once, before the invitation expires."""
    problem = reviewer_invitation_problem(invitation, user)
    if problem:
        raise PanelError(problem)
    now = timezone.now()
    with transaction.atomic():
        used = ReviewerInvitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(accepted_at=now, accepted_by=user)
        if not used:
            raise PanelError("This invitation has already been used or has expired.")
        save_expertise(user, expertise)
        member = PanelMember.objects.create(call=invitation.call, reviewer=user, joined_at=now)
    invitation.accepted_at, invitation.accepted_by = now, user
    return member


def save_expertise(user: User, expertise: Expertise) -> ReviewerProfile:
    if user.organisation != expertise.organisation.strip():
        user.organisation = expertise.organisation.strip()
        user.save(update_fields=["organisation"])
    profile, _created = ReviewerProfile.objects.update_or_create(
        user=user,
        defaults={
            "research_areas": list(expertise.research_areas),
            "keywords": expertise.keywords.strip(),
            "bio": expertise.bio.strip(),
            "updated_at": timezone.now(),
        },
    )
    return profile


# --- Conflicts ------------------------------------------------------------------------------------------------------


def conflict_with(proposal: Proposal, reviewer: User) -> str | None:
    """Why ``reviewer`` may not review ``proposal`` (in words for staff), or None when nothing stands in the way."""
    name = reviewer.display_name
    if Review.objects.filter(proposal=proposal, reviewer=reviewer, conflict_of_interest=True).exists():
        return f"{name} declared a conflict of interest with it"
    if proposal.owner_id == reviewer.pk or proposal.co_investigators.filter(user=reviewer).exists():
        return f"{name} is on its team"
    mine = organisation_key(reviewer.organisation)
    if mine and organisation_key(proposal.organisation) == mine:
        return f"{name} works at {proposal.organisation.strip()}, the proposal's organisation"
    for coi in proposal.co_investigators.all():
        if mine and organisation_key(coi.organisation) == mine:
            return f"{name} works at {coi.organisation.strip()}, the organisation of co-investigator {coi}"
    return None


# --- Assignments ----------------------------------------------------------------------------------------------------


def load_in_call(reviewer: User, call: Call) -> int:
    return ReviewAssignment.objects.filter(reviewer=reviewer, proposal__call=call).count()


def _refusal(proposal: Proposal, reviewer: User) -> str | None:
    title = proposal.display_title
    call = proposal.call
    if call is None:
        return f"“{title}” answers no call, so it has no panel: review it at the desk."
    if proposal.status not in OPEN_STATUSES:
        return f"“{title}” is “{proposal.get_status_display()}”: only submitted proposals are reviewed."
    if not PanelMember.objects.filter(call=call, reviewer=reviewer).exists():
        return f"{reviewer.display_name} is not on the {call.code} panel: invite them first."
    if ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).exists():
        return f"{reviewer.display_name} is already assigned “{title}”."
    conflict = conflict_with(proposal, reviewer)
    if conflict:
        return f"{reviewer.display_name} cannot review “{title}”: {conflict.removeprefix(reviewer.display_name + ' ')}."
    assigned = ReviewAssignment.objects.filter(proposal=proposal).count()
    if assigned >= call.reviewers_per_proposal:
        return (
            f"“{title}” already has {assigned} reviewers, the {call.code} panel's number per proposal; unassign one "
            "or raise the number on the call."
        )
    load = load_in_call(reviewer, call)
    if load >= call.max_reviews_per_reviewer:
        return (
            f"{reviewer.display_name} already has {load} proposals of {call.code}, the most per reviewer; unassign "
            "one or raise the limit on the call."
        )
    return None


@transaction.atomic
def assign(
    pairs: list[tuple[Proposal, User]],
    by: User,
    *,
    source: str = AssignmentSource.STAFF,
    reasons: dict[tuple[int, int], str] | None = None,
) -> list[ReviewAssignment]:
    """Assign each (proposal, reviewer) pair: all of them, or none with every reason listed (PanelError). Each
    assignment joins its call's review round open now, else the next one (``rounds.current_round``)."""
    if not is_program_staff(by):
        raise PanelError("Only program staff assign reviewers.")
    reasons = reasons or {}
    calls = {proposal.call_id: proposal.call for proposal, _reviewer in pairs if proposal.call_id}
    # Locked so that two staff assigning at once cannot both pass the limits.
    list(Call.objects.select_for_update().filter(pk__in=list(calls)))
    rounds = {call_id: current_round(call) for call_id, call in calls.items()}
    created, problems = [], []
    for proposal, reviewer in pairs:
        problem = _refusal(proposal, reviewer)
        if problem:
            problems.append(problem)
            continue
        created.append(
            ReviewAssignment.objects.create(
                proposal=proposal,
                reviewer=reviewer,
                assigned_by=by,
                source=source,
                reason=reasons.get((proposal.pk, reviewer.pk), "")[:300],
                round=rounds.get(proposal.call_id) if proposal.call_id is not None else None,
            )
        )
    if problems:
        transaction.set_rollback(True)
        raise PanelError(" ".join(problems))
    return created


def unassign(assignment: ReviewAssignment, by: User) -> None:
    if not is_program_staff(by):
        raise PanelError("Only program staff unassign reviewers.")
    assignment.delete()


def proposals_for_review(user):
    """What ``user`` may review: program staff every proposal, a panel reviewer those assigned to them (only while
    assigned)."""
    if not (user and user.is_authenticated and user.is_active):
        return Proposal.objects.none()
    if user.is_staff:
        return Proposal.objects.all()
    return Proposal.objects.filter(assignments__reviewer=user)


def is_assigned(proposal: Proposal, reviewer: User) -> bool:
    return bool(
        reviewer
        and reviewer.is_authenticated
        and ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer).exists()
    )


# --- What staff see of a panel ---------------------------------------------------------------------------------------


def panel_of(call: Call) -> list[PanelMember]:
    """The call's panel, each member with ``load`` (assignments in this call) and their expertise."""
    members: list[PanelMember] = list(
        PanelMember.objects.filter(call=call)
        .select_related("reviewer__reviewer_profile")
        .annotate(load=Count("reviewer__assignments", filter=Q(reviewer__assignments__proposal__call=call)))
        .order_by("reviewer__full_name", "reviewer__email")
    )
    return members


# --- Overdue reviews ------------------------------------------------------------------------------------------------


def overdue_assignments(now=None):
    """Assignments whose round has closed and whose reviewer has not submitted a review (proposals still open)."""
    return ReviewAssignment.objects.filter(overdue_q(now)).select_related("proposal__call", "reviewer", "round")


def remind_overdue(now=None) -> int:
    """Remind each overdue reviewer, once per assignment (the notification's dedupe key), by the notification
    machinery (a row first, the e-mail after commit). Returns how many reminders were new."""
    sent = 0
    for assignment in overdue_assignments(now):
        proposal = assignment.proposal
        subject, body = wording(NotificationKind.REVIEW_OVERDUE, {"proposal": proposal, "assignment": assignment})
        created = notify(
            [assignment.reviewer],
            NotificationKind.REVIEW_OVERDUE,
            subject=subject,
            body=body,
            dedupe_key=f"review-overdue:{assignment.pk}",
            url=reverse("projects:review_proposal", args=[proposal.public_id]),
            target=assignment,
        )
        sent += len(created)
    return sent
