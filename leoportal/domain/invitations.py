"""Invitations of every kind (co-investigators', reviewers', organisation members'): one link scheme, one way of
sending, and limits on how often the site e-mails an address someone typed.

Links
-----
An invitation's link carries a random token made when its e-mail is sent; only the token's SHA-256 is kept
(``token_hash``), so a leaked database opens no invitation. The sending task claims the row by setting ``sent_at``
and the new hash in one conditional update (``claim``), so two deliveries of the task send one e-mail; if sending
fails, ``send_claimed`` releases the claim and the retry sends a fresh token (the first never arrived). Rows whose
``sent_at`` is still empty a while after they were made are an outbox the periodic sweep empties (``unsent``).

Limits
------
An invitation e-mails whatever address the sender types, so without limits the site could be used to flood a
stranger's inbox. Three limits apply to every kind alike (each a setting):

* the same address, for the same proposal or organisation, is invited again at the earliest
  ``INVITATION_RESEND_MINUTES`` after the last invitation;
* it is invited at most ``INVITATIONS_PER_ADDRESS`` times in all (the last invitation still works meanwhile);
* one person sends at most ``INVITATIONS_PER_SENDER_PER_DAY`` invitations in any 24 hours, all kinds together.

The rows are the record: the counts come from the invitations saved, so they survive restarts and cache flushes.
The callers lock the rows they count (the invitee's, the sender's) so that two requests at once cannot both slip
under a limit.
"""

import hashlib
import math
import secrets
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from leoportal.domain import claims

# A queued e-mail gets this long before the sweep takes it over (its task may still be on its way).
RESEND_AFTER = timedelta(minutes=5)

# Every kind of invitation, by model label: looked up when counting (they live in apps above this one).
INVITATION_MODELS = ("projects.Invitation", "projects.ReviewerInvitation", "partners.Invitation")


def _minutes(delta: timedelta) -> str:
    minutes = max(1, math.ceil(delta.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def sent_by_in_last_day(sender, now) -> list:
    """When ``sender``'s invitations of the last 24 hours were made, oldest first."""
    since = now - timedelta(days=1)
    times = []
    for label in INVITATION_MODELS:
        model = apps.get_model(label)
        times += model.objects.filter(invited_by=sender, created_at__gt=since).values_list("created_at", flat=True)
    return sorted(times)


def sending_problem(*, earlier, sender, address: str, where: str, now=None) -> str | None:
    """Why another invitation to ``address`` cannot be sent now, or None when it can.

    ``earlier``: the invitations already made to this address for the same proposal or organisation (a queryset);
    ``where``: how the message names that proposal or organisation ("this proposal", "Redwire Space").
    """
    now = now or timezone.now()
    sent = earlier.aggregate(count=Count("pk"), latest=Max("created_at"))
    resend_after = timedelta(minutes=settings.INVITATION_RESEND_MINUTES)
    if sent["count"] >= settings.INVITATIONS_PER_ADDRESS:
        return (
            f"{address} has been invited to {where} {sent['count']} times, the most the portal sends to one address. "
            "The latest invitation still works until it expires: ask them to look for it (and in their spam folder)."
        )
    if sent["latest"] is not None and now - sent["latest"] < resend_after:
        return (
            f"{address} was invited to {where} less than {settings.INVITATION_RESEND_MINUTES} minutes ago. To spare "
            f"people repeated e-mails, invite them again in {_minutes(sent['latest'] + resend_after - now)}."
        )
    today = sent_by_in_last_day(sender, now)
    if len(today) >= settings.INVITATIONS_PER_SENDER_PER_DAY:
        free_at = today[len(today) - settings.INVITATIONS_PER_SENDER_PER_DAY] + timedelta(days=1)
        return (
            f"You have sent {len(today)} invitations in the last 24 hours, the most one person may send in a day. "
            f"You can send the next one in {_hours_and_minutes(free_at - now)}."
        )
    return None


def _hours_and_minutes(delta: timedelta) -> str:
    total = max(1, math.ceil(delta.total_seconds() / 60))
    hours, minutes = divmod(total, 60)
    if not hours:
        return _minutes(delta)
    return f"{hours} h {minutes:02d} min"


# --- Links ------------------------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _open(model, now: datetime):
    """Invitations of ``model`` that may still be accepted: neither accepted nor revoked, and not expired."""
    return model.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


def claim(model, pk: int, now: datetime) -> str | None:
    """Claim an invitation of ``model`` for sending at ``now``: a fresh token, whose hash is stored with ``sent_at``.
    None when it was sent already, or is no longer open (accepted, revoked, expired)."""
    token = secrets.token_urlsafe(32)
    claimed = claims.claim(
        _open(model, now).filter(pk=pk, sent_at__isnull=True), sent_at=now, token_hash=token_hash(token)
    )
    return token if claimed else None


def send_claimed(model, pk: int, claimed_at: datetime, message) -> bool:
    """Send the e-mail of an invitation claimed at ``claimed_at``; if sending fails, release the claim so the retry
    sends it (with a fresh token: the old one was never delivered)."""
    with claims.released_on_error(model.objects.filter(pk=pk, sent_at=claimed_at), sent_at=None, token_hash=""):
        message.send()
    return True


def unsent(model, now: datetime | None = None):
    """Invitations of ``model`` still to e-mail: never sent, still open, and older than the pause a queued send gets
    before the sweep takes it over."""
    now = now or timezone.now()
    return _open(model, now).filter(sent_at__isnull=True, created_at__lte=now - RESEND_AFTER)


def find(queryset, token: str):
    """The invitation of ``queryset`` a link's token opens, or None (an unknown, tampered or released token)."""
    if not token or len(token) > 100:
        return None
    return queryset.filter(token_hash=token_hash(token)).first()
