"""Domain functions for provider organisations and their members.

Views, the admin, the importer and the demo seed call these; each validates, saves only what changed and queues
its side effects after the commit. Refusals raise ``MembershipError`` with a message meant for the person who
asked.
"""

import logging
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from leoportal.dispatch import dispatch
from leoportal.enums import NotificationKind
from leoportal.models import User
from leoportal.notifications import absolute_url, notify
from partners.enums import MembershipRole
from partners.models import Invitation, Membership, Organisation
from partners.signals import organisation_verification_changed

logger = logging.getLogger(__name__)

INVITATION_SALT = "partners.invitation"
ORGANISATION_PROFILE_FIELDS = ["name", "website", "description", "contact_email", "country"]


class MembershipError(Exception):
    """A membership action that is not allowed, with the reason to show."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def unique_slug(name: str) -> str:
    base = slugify(name)[:70].strip("-") or "organisation"
    slug, suffix = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def create_organisation(*, by: User, name: str, **profile) -> Organisation:
    """A provider registers an organisation: they become its first administrator; staff are asked to verify it."""
    unknown = set(profile) - set(ORGANISATION_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name.strip(), slug=unique_slug(name), **profile)
        Membership.objects.create(organisation=organisation, user=by, role=MembershipRole.ADMIN)
        notify_staff_to_verify(organisation, created_by=by)
    return organisation


def notify_staff_to_verify(organisation: Organisation, *, created_by: User | None = None) -> None:
    who = f" by {created_by.display_name} ({created_by.email})" if created_by else ""
    notify(
        User.objects.filter(is_staff=True, is_active=True),
        NotificationKind.ORGANISATION_TO_VERIFY,
        subject=f"New provider organisation to verify: {organisation.name}",
        body=(
            f"{organisation.name} was registered{who}. Its listings stay out of the public catalogue until you "
            "check the organisation and tick 'verified' in the admin."
        ),
        dedupe_key=f"organisation-to-verify:{organisation.pk}",
        url=reverse("admin:partners_organisation_change", args=[organisation.pk]),
        target=organisation,
    )


def get_or_create_verified_organisation(name: str) -> tuple[Organisation, bool]:
    """The organisation called ``name`` (case-insensitive), created verified when missing (staff imports)."""
    name = name.strip()
    organisation = Organisation.objects.filter(name__iexact=name).first()
    if organisation is not None:
        return organisation, False
    organisation = Organisation.objects.create(
        name=name, slug=unique_slug(name), verified=True, verified_at=timezone.now()
    )
    return organisation, True


def update_organisation(organisation: Organisation, **profile) -> list[str]:
    changed = [field for field, value in profile.items() if getattr(organisation, field) != value]
    if set(changed) - set(ORGANISATION_PROFILE_FIELDS):
        raise TypeError(f"not a profile field: {sorted(set(changed) - set(ORGANISATION_PROFILE_FIELDS))}")
    for field in changed:
        setattr(organisation, field, profile[field])
    if changed:
        organisation.save(update_fields=[*changed, "updated_at"])
    return changed


def set_organisation_verified(organisation: Organisation, verified: bool) -> bool:
    """Staff verify (or withdraw verification of) an organisation. Returns whether anything changed."""
    if organisation.verified == verified and (organisation.verified_at is not None) == verified:
        return False
    organisation.verified = verified
    organisation.verified_at = timezone.now() if verified else None
    organisation.save(update_fields=["verified", "verified_at", "updated_at"])
    report_verification_change(organisation)
    return True


def report_verification_change(organisation: Organisation) -> None:
    """Tell the rest of the portal (the matcher) once the verification change has committed."""
    organisation_id, verified = organisation.pk, organisation.verified
    transaction.on_commit(
        lambda: organisation_verification_changed.send(
            sender=Organisation, organisation_id=organisation_id, verified=verified
        )
    )


# --- Members ------------------------------------------------------------------------------------------------


def _locked_memberships(organisation: Organisation):
    """The organisation's memberships, locked so two admins demoting each other cannot leave it without one."""
    return list(Membership.objects.select_for_update().filter(organisation=organisation).order_by("pk"))


def _admins_left_without(memberships, leaving: Membership) -> int:
    return sum(1 for m in memberships if m.role == MembershipRole.ADMIN and m.pk != leaving.pk)


def change_member_role(membership: Membership, role: str) -> bool:
    if role not in MembershipRole.values:
        raise MembershipError("Choose administrator or member.")
    with transaction.atomic():
        memberships = _locked_memberships(membership.organisation)
        current = next((m for m in memberships if m.pk == membership.pk), None)
        if current is None:
            raise MembershipError("This person is no longer a member.")
        if current.role == role:
            return False
        if role != MembershipRole.ADMIN and _admins_left_without(memberships, current) == 0:
            raise MembershipError(
                f"{current.user.display_name} is the only administrator. Make another member an administrator first."
            )
        current.role = role
        current.save(update_fields=["role"])
        membership.role = role
    return True


def remove_member(membership: Membership) -> None:
    with transaction.atomic():
        memberships = _locked_memberships(membership.organisation)
        current = next((m for m in memberships if m.pk == membership.pk), None)
        if current is None:
            return
        if current.role == MembershipRole.ADMIN and _admins_left_without(memberships, current) == 0:
            raise MembershipError(
                f"{current.user.display_name} is the only administrator and cannot be removed. Make another "
                "member an administrator first."
            )
        current.delete()


def leave_organisation(organisation: Organisation, user: User) -> None:
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None:
        return
    try:
        remove_member(membership)
    except MembershipError:
        raise MembershipError(
            "You are the only administrator, so you cannot leave. Make another member an administrator first."
        ) from None


# --- Invitations --------------------------------------------------------------------------------------------


def invite_member(organisation: Organisation, *, by: User, email: str, role: str = MembershipRole.MEMBER):
    """Invite ``email`` to join; replaces any invitation still pending for that address. Sent after commit."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise MembershipError(f"{email} is already a member of {organisation.name}.")
    now = timezone.now()
    with transaction.atomic():
        organisation.invitations.pending(now).filter(email__iexact=email).update(revoked_at=now)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=by,
            expires_at=now + timedelta(days=settings.PROVIDER_INVITATION_DAYS),
        )
        from partners.tasks import send_invitation_email

        dispatch(send_invitation_email, invitation.pk)
    return invitation


def revoke_invitation(invitation: Invitation) -> bool:
    return bool(
        Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.key), salt=INVITATION_SALT, compress=False)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link points at, or None for a link that was never issued (or was tampered with)."""
    try:
        key = signing.loads(token, salt=INVITATION_SALT)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("organisation", "invited_by").filter(key=key).first()


def invitation_url(invitation: Invitation) -> str:
    return reverse("partners:invitation", kwargs={"token": invitation_token(invitation)})


def account_has_address(user: User, email: str) -> bool:
    if user.email.lower() == email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def invitation_problem(invitation: Invitation, user: User | None) -> str | None:
    """Why ``user`` cannot accept ``invitation`` now, or None when they can."""
    state = invitation.state
    if state == "accepted":
        return "This invitation has already been used. Ask an administrator of the organisation for a new one."
    if state == "revoked":
        return "This invitation was withdrawn. Ask an administrator of the organisation for a new one."
    if state == "expired":
        return "This invitation has expired. Ask an administrator of the organisation to invite you again."
    if user is None or not user.is_authenticated:
        return None
    if not account_has_address(user, invitation.email):
        return (
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. Sign in with "
            "the invited address to accept it."
        )
    if not user.is_provider:
        return "Only provider accounts can join a provider organisation."
    if Membership.objects.filter(organisation=invitation.organisation, user=user).exists():
        return f"You are already a member of {invitation.organisation.name}."
    return None


def accept_invitation(invitation: Invitation, user: User) -> Membership:
    problem = invitation_problem(invitation, user)
    if problem:
        raise MembershipError(problem)
    now = timezone.now()
    with transaction.atomic():
        # The conditional update makes the link work once even when two requests race.
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(accepted_at=now, accepted_by=user)
        if not claimed:
            raise MembershipError("This invitation has already been used. Ask an administrator for a new one.")
        membership = Membership.objects.create(organisation=invitation.organisation, user=user, role=invitation.role)
    invitation.accepted_at, invitation.accepted_by = now, user
    return membership


def send_invitation(invitation_id: int) -> bool:
    """E-mail an invitation unless it was already sent, revoked or used. Returns whether this call sent it."""
    now = timezone.now()
    claimed = Invitation.objects.filter(
        pk=invitation_id, emailed_at__isnull=True, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(emailed_at=now)
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "link": absolute_url(invitation_url(invitation)),
        "inviter": invitation.invited_by.display_name if invitation.invited_by else "An administrator",
    }
    message = EmailMultiAlternatives(
        subject=f"[LEO Portal] Join {invitation.organisation.name} on LEO Portal",
        body=render_to_string("partners/emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("partners/emails/invitation.html", context), "text/html")
    try:
        message.send()
    except Exception:
        # Release the claim so the retry sends it.
        Invitation.objects.filter(pk=invitation_id, emailed_at=now).update(emailed_at=None)
        raise
    return True
