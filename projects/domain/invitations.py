"""Co-investigator invitations: an e-mailed link that expires (PROPOSAL_INVITATION_DAYS) and works once.

The invitation row is recorded first; a Celery task claims it with a conditional update, creates the link's
token (only its SHA-256 is stored) and sends the e-mail, so the e-mail goes out once even when the task runs
twice. A periodic sweep sends invitations whose task could not be queued.

Whoever opens the link must be signed in with an account whose *verified* e-mail address is the invited
address: a forwarded link or a different account is refused with a message saying which address to use.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from leoportal.dispatch import dispatch
from leoportal.domain import invitations
from leoportal.domain.emails import build_email
from leoportal.domain.invitations import sending_problem
from leoportal.domain.notifications import absolute_url
from leoportal.models import User
from projects.enums import Access
from projects.exceptions import InvitationError
from projects.models import CoInvestigator, Invitation
from projects.rules import can_manage_team
from projects.tasks import send_invitation_task

# An invitation whose e-mail has not gone out this long after it was made is queued again by the sweep.


def invite(co_investigator: CoInvestigator, access: Access, by) -> Invitation:
    """Invite a co-investigator to view or edit the proposal; any earlier pending invitation stops working."""
    proposal = co_investigator.proposal
    if not can_manage_team(by, proposal):
        raise InvitationError("Only the principal investigator can invite co-investigators.")
    co_investigator.refresh_from_db(fields=["email", "user", "access"])
    if not co_investigator.email:
        raise InvitationError(f"Add an e-mail address for {co_investigator} before inviting them.")
    if co_investigator.user_id:
        raise InvitationError(f"{co_investigator} has already joined; change their access instead.")
    if co_investigator.email.lower() == proposal.owner.email.lower():
        raise InvitationError("That is your own address: you are already the principal investigator.")
    now = timezone.now()
    with transaction.atomic():
        # Locked: two requests at once cannot both slip under the limits.
        User.objects.select_for_update().filter(pk=by.pk).first()
        CoInvestigator.objects.select_for_update().filter(pk=co_investigator.pk).first()
        problem = sending_problem(
            earlier=Invitation.objects.filter(co_investigator__proposal=proposal, email__iexact=co_investigator.email),
            sender=by,
            address=co_investigator.email,
            where="this proposal",
            now=now,
        )
        if problem:
            raise InvitationError(problem)
        Invitation.objects.filter(
            co_investigator=co_investigator, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            co_investigator=co_investigator,
            email=co_investigator.email,
            access=access,
            invited_by=by,
            created_at=now,
            expires_at=now + timedelta(days=settings.PROPOSAL_INVITATION_DAYS),
        )
        dispatch(send_invitation_task, invitation.pk)
    return invitation


def send_invitation_email(invitation_id: int) -> bool:
    """Send one invitation's e-mail unless it was sent already (or is no longer pending). Returns whether sent."""
    now = timezone.now()
    token = invitations.claim(Invitation, invitation_id, now)
    if token is None:
        return False
    invitation = Invitation.objects.select_related("co_investigator__proposal__owner", "invited_by").get(
        pk=invitation_id
    )
    proposal = invitation.co_investigator.proposal
    inviter = invitation.invited_by or proposal.owner
    context = {
        "invitation": invitation,
        "proposal": proposal,
        "inviter": inviter,
        "link": absolute_url(reverse("projects:invitation", args=[token])),
        "signup_link": absolute_url(reverse("account_signup")),
        "days": settings.PROPOSAL_INVITATION_DAYS,
    }
    message = build_email(
        subject=f"{inviter.display_name} invited you to {invitation.get_access_display().lower()} a proposal",
        text=render_to_string("projects/emails/invitation.txt", context),
        html=render_to_string("projects/emails/invitation.html", context),
        to=invitation.email,
    )
    return invitations.send_claimed(Invitation, invitation_id, now, message)


def overdue_ids(now=None) -> list[int]:
    """Co-investigator invitations whose e-mail should have gone by now: an outbox the sweep empties."""
    return list(invitations.unsent(Invitation, now).values_list("pk", flat=True))


def find_invitation(token: str) -> Invitation | None:
    return invitations.find(Invitation.objects.select_related("co_investigator__proposal__owner", "invited_by"), token)


def has_verified_address(user, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def problem_for(invitation: Invitation, user=None) -> str | None:
    """Why ``invitation`` cannot be accepted (by ``user``, when given), or None when it can."""
    inviter = (invitation.invited_by or invitation.co_investigator.proposal.owner).display_name
    if invitation.accepted_at is not None:
        return (
            "This invitation has already been used. Links work once: sign in to find the proposal on your "
            f"dashboard, or ask {inviter} to invite you again."
        )
    if invitation.revoked_at is not None:
        return f"This invitation was withdrawn or replaced by a newer one. Use the latest e-mail from {inviter}."
    if timezone.now() >= invitation.expires_at:
        return f"This invitation expired. Ask {inviter} to send you a new one."
    if user is not None and user.is_authenticated:
        proposal = invitation.co_investigator.proposal
        if user.pk == proposal.owner_id:
            return "You are the principal investigator of this proposal already."
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
        if proposal.co_investigators.filter(user=user).exclude(pk=invitation.co_investigator_id).exists():
            return "You are already on this proposal's team."
    return None


def accept(invitation: Invitation, user) -> CoInvestigator:
    """Join the proposal's team as the invited co-investigator. Works once, before the invitation expires."""
    problem = problem_for(invitation, user)
    if problem:
        raise InvitationError(problem)
    now = timezone.now()
    with transaction.atomic():
        # The conditional update makes the link work once even when two requests race.
        used = Invitation.objects.filter(
            Q(pk=invitation.pk), accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(accepted_at=now, accepted_by=user)
        if not used:
            raise InvitationError("This invitation has already been used or has expired.")
        co_investigator = CoInvestigator.objects.select_for_update().get(pk=invitation.co_investigator_id)
        co_investigator.user = user
        co_investigator.access = invitation.access
        co_investigator.save(update_fields=["user", "access"])
    invitation.accepted_at, invitation.accepted_by = now, user
    return co_investigator


def change_access(co_investigator: CoInvestigator, access: Access, by) -> None:
    """The PI changes what a co-investigator who has joined may do (view, or view and edit)."""
    if not can_manage_team(by, co_investigator.proposal):
        raise InvitationError("Only the principal investigator can change who has access.")
    if not co_investigator.user_id:
        raise InvitationError(f"{co_investigator} has not joined yet; invite them instead.")
    co_investigator.access = Access(access)
    co_investigator.save(update_fields=["access"])


def remove_access(co_investigator: CoInvestigator, by) -> None:
    """The PI takes a co-investigator's account off the team (the row, name and e-mail stay listed)."""
    if not can_manage_team(by, co_investigator.proposal):
        raise InvitationError("Only the principal investigator can change who has access.")
    with transaction.atomic():
        Invitation.objects.filter(
            co_investigator=co_investigator, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        co_investigator.user = None
        co_investigator.access = ""
        co_investigator.save(update_fields=["user", "access"])


def invitation_state(co_investigator: CoInvestigator, now=None) -> str:
    """A short description of where this co-investigator stands, for the team table (uses prefetched rows)."""
    now = now or timezone.now()
    if co_investigator.user_id:
        return f"Joined ({Access(co_investigator.access).label.lower()})"
    invitations = list(co_investigator.invitations.all())
    latest = max(invitations, key=lambda invitation: invitation.created_at, default=None)
    if latest is None:
        return "Not invited"
    if latest.accepted_at is not None or latest.revoked_at is not None:
        return "No access"  # joined once and was removed, or the invitation was withdrawn
    if latest.expires_at <= now:
        return "Invitation expired"
    return f"Invited to {latest.get_access_display().lower()}, until {latest.expires_at:%-d %b %Y}"
