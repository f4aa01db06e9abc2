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
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from leoportal.dispatch import dispatch
from leoportal.domain import invitations
from leoportal.domain.emails import build_email
from leoportal.domain.invitations import sending_problem
from leoportal.domain.notifications import absolute_url, notify, wording
from leoportal.enums import NotificationKind
from leoportal.models import User
from partners.enums import MembershipRole
from partners.models import Invitation, Membership, Organisation
from partners.signals import member_joined, organisation_verification_changed
from partners.tasks import send_invitation_task

logger = logging.getLogger(__name__)

# Links e-mailed before every invitation shared one scheme (invitation_from_token).
LEGACY_INVITATION_SALT = "partners.invitation"
# An invitation whose e-mail has not gone out this long after it was made is queued again by the sweep.
ORGANISATION_PROFILE_FIELDS = ["name", "website", "description", "contact_email", "country"]
# What researchers recognise a verified organisation by: its members' changes to these wait for program staff.
IDENTITY_FIELDS = ("name", "website")


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


def same_name(organisation: Organisation, name: str | None = None):
    """Other organisations called ``name`` (by default the organisation's own), in any case."""
    return Organisation.objects.filter(name__iexact=name or organisation.name).exclude(pk=organisation.pk)


def notify_staff_to_verify(organisation: Organisation, *, created_by: User | None = None) -> None:
    subject, body = wording(
        NotificationKind.ORGANISATION_TO_VERIFY,
        {
            "organisation": organisation,
            "created_by": created_by,
            "twins": list(same_name(organisation).order_by("created_at")),
        },
    )
    notify(
        User.objects.program_staff(),
        NotificationKind.ORGANISATION_TO_VERIFY,
        subject=subject,
        body=body,
        dedupe_key=f"organisation-to-verify:{organisation.pk}",
        url=reverse("admin:partners_organisation_change", args=[organisation.pk]),
        target=organisation,
    )


def get_or_create_verified_organisation(name: str) -> tuple[Organisation, bool]:
    """The organisation called ``name`` (case-insensitive), created verified when missing (staff imports)."""
    name = name.strip()
    organisation = Organisation.objects.filter(name__iexact=name).order_by("-verified", "pk").first()
    if organisation is not None:
        return organisation, False
    organisation = Organisation.objects.create(
        name=name, slug=unique_slug(name), verified=True, verified_at=timezone.now()
    )
    return organisation, True


class OrganisationError(Exception):
    """A change of an organisation that cannot be made, with the reason to show."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def update_organisation(organisation: Organisation, *, by: User | None = None, **profile) -> tuple[list, list]:
    """Save what changed in the profile; returns (fields saved, fields waiting for program staff).

    A member's change of a verified organisation's name or website is not saved but requested: the public keeps the
    verified one until program staff approve it (``approve_requested_changes``), and staff are notified. Sending
    the current value again withdraws that part of the request.
    """
    unknown = set(profile) - set(ORGANISATION_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not a profile field: {sorted(unknown)}")
    requested = dict(organisation.requested_changes)
    if organisation.verified and not (by is not None and by.is_staff):
        for field in IDENTITY_FIELDS:
            if field not in profile:
                continue
            value = profile.pop(field)
            if value == getattr(organisation, field):
                requested.pop(field, None)
            else:
                requested[field] = value
    changed = [field for field, value in profile.items() if getattr(organisation, field) != value]
    for field in changed:
        setattr(organisation, field, profile[field])
    newly_requested = requested != organisation.requested_changes
    with transaction.atomic():
        if newly_requested:
            organisation.requested_changes = requested
            organisation.changes_requested_at = timezone.now() if requested else None
            organisation.changes_requested_by = by if requested else None
            changed += ["requested_changes", "changes_requested_at", "changes_requested_by"]
        if changed:
            organisation.save(update_fields=[*changed, "updated_at"])
        if newly_requested and requested:
            _notify_staff_of_requested_changes(organisation)
    return [field for field in changed if field in ORGANISATION_PROFILE_FIELDS], sorted(requested)


def _notify_staff_of_requested_changes(organisation: Organisation) -> None:
    requested = organisation.requested_changes
    changes = [
        (field, getattr(organisation, field), requested[field]) for field in IDENTITY_FIELDS if field in requested
    ]
    twins = same_name(organisation, requested.get("name")) if "name" in requested else Organisation.objects.none()
    subject, body = wording(
        NotificationKind.ORGANISATION_TO_VERIFY,
        {
            "organisation": organisation,
            "by": organisation.changes_requested_by,
            "changes": changes,
            "twins": [twin.name for twin in twins],
        },
        event="changes_requested",
    )
    notify(
        User.objects.program_staff(),
        NotificationKind.ORGANISATION_TO_VERIFY,
        subject=subject,
        body=body,
        dedupe_key=f"organisation-change:{organisation.pk}:{organisation.changes_requested_at:%Y%m%d%H%M%S%f}",
        url=reverse("admin:partners_organisation_change", args=[organisation.pk]),
        target=organisation,
    )


def approve_requested_changes(organisation: Organisation) -> list[str]:
    """Program staff accept the name or website a verified organisation's members asked for."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        requested = dict(locked.requested_changes)
        if "name" in requested and same_name(locked, requested["name"]).filter(verified=True).exists():
            raise OrganisationError(
                f"“{requested['name']}” is the name of another verified organisation: refuse the change, or rename "
                "or unverify the other one first."
            )
        for field, value in requested.items():
            setattr(locked, field, value)
        locked.requested_changes, locked.changes_requested_at, locked.changes_requested_by = {}, None, None
        locked._change_reason = "Approved the requested " + " and ".join(sorted(requested))
        locked.save()
    for field in ("name", "website", "requested_changes", "changes_requested_at", "changes_requested_by"):
        setattr(organisation, field, getattr(locked, field))
    return sorted(requested)


def refuse_requested_changes(organisation: Organisation) -> bool:
    """Program staff turn down the requested name or website; the verified ones stay. Returns whether any was."""
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if not locked.requested_changes:
            return False
        locked._change_reason = "Refused the requested " + " and ".join(sorted(locked.requested_changes))
        locked.requested_changes, locked.changes_requested_at, locked.changes_requested_by = {}, None, None
        locked.save(update_fields=["requested_changes", "changes_requested_at", "changes_requested_by", "updated_at"])
    organisation.requested_changes = {}
    return True


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


# --- Reaching an organisation ----------------------------------------------------------------------------------


def has_members(organisation: Organisation) -> bool:
    """Whether anyone on the portal can read and answer what is sent to the organisation."""
    return organisation.memberships.filter(user__is_active=True).exists()


def pending_contact_invitation(organisation: Organisation, now=None) -> Invitation | None:
    """The latest invitation still waiting to be accepted, or None: an organisation awaiting its first member."""
    return organisation.invitations.pending(now).order_by("-created_at").first()


def invite_contact(organisation: Organisation, *, by: User, email: str) -> Invitation:
    """Program staff invite a contact for an organisation nobody on the portal belongs to yet.

    The contact becomes the organisation's administrator on accepting, and finds waiting whatever was sent to the
    organisation meanwhile (introductions). The invitation limits of ``invite_member`` apply.
    """
    if not by.is_staff:
        raise MembershipError("Only program staff invite a contact for an organisation.")
    if has_members(organisation):
        raise MembershipError(
            f"{organisation.name} already has members on the portal: its administrators invite their colleagues."
        )
    return invite_member(organisation, by=by, email=email, role=MembershipRole.ADMIN)


# --- Invitations --------------------------------------------------------------------------------------------


def invite_member(organisation: Organisation, *, by: User, email: str, role: str = MembershipRole.MEMBER):
    """Invite ``email`` to join; replaces any invitation still pending for that address. Sent after commit."""
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise MembershipError(f"{email} is already a member of {organisation.name}.")
    now = timezone.now()
    with transaction.atomic():
        # Locked: two requests at once cannot both slip under the limits.
        User.objects.select_for_update().filter(pk=by.pk).first()
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        problem = sending_problem(
            earlier=organisation.invitations.filter(email__iexact=email),
            sender=by,
            address=email,
            where=organisation.name,
            now=now,
        )
        if problem:
            raise MembershipError(problem)
        organisation.invitations.pending(now).filter(email__iexact=email).update(revoked_at=now)
        invitation = Invitation.objects.create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=by,
            expires_at=now + timedelta(days=settings.PROVIDER_INVITATION_DAYS),
        )
        dispatch(send_invitation_task, invitation.pk)
    return invitation


def overdue_invitation_ids(now=None) -> list[int]:
    """Member invitations whose e-mail should have gone by now: an outbox the sweep empties."""
    return list(invitations.unsent(Invitation, now).values_list("pk", flat=True))


def revoke_invitation(invitation: Invitation) -> bool:
    return bool(
        Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link points at, or None for a link that was never issued (or was tampered with).

    Links e-mailed before invitations shared one scheme carry the invitation's ``key``, signed: they open their
    invitation until it expires, and only one whose e-mail went out under that scheme (it has no token hash)."""
    found = Invitation.objects.select_related("organisation", "invited_by")
    invitation = invitations.find(found, token)
    if invitation is not None or not token or len(token) > 200:
        return invitation
    try:
        key = signing.loads(token, salt=LEGACY_INVITATION_SALT)
    except signing.BadSignature:
        return None
    return found.filter(key=key, token_hash="", sent_at__isnull=False).first()


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
        organisation_id, user_id = invitation.organisation_id, user.pk
        transaction.on_commit(
            lambda: member_joined.send(sender=Organisation, organisation_id=organisation_id, user_id=user_id)
        )
    invitation.accepted_at, invitation.accepted_by = now, user
    return membership


def send_invitation_email(invitation_id: int) -> bool:
    """E-mail an invitation unless it was already sent, revoked or used. Returns whether this call sent it."""
    now = timezone.now()
    token = invitations.claim(Invitation, invitation_id, now)
    if token is None:
        return False
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "link": absolute_url(reverse("partners:invitation", kwargs={"token": token})),
        "inviter": invitation.invited_by.display_name if invitation.invited_by else "An administrator",
        "from_program_staff": bool(invitation.invited_by and invitation.invited_by.is_staff),
    }
    message = build_email(
        subject=f"Join {invitation.organisation.name} on LEO Portal",
        text=render_to_string("partners/emails/invitation.txt", context),
        html=render_to_string("partners/emails/invitation.html", context),
        to=invitation.email,
    )
    return invitations.send_claimed(Invitation, invitation_id, now, message)
