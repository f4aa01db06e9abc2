"""How often the site e-mails an address someone typed: limits on invitations.

An invitation e-mails whatever address the sender types, so without limits the site could be used to flood a
stranger's inbox. Three limits apply to co-investigator, reviewer and organisation member invitations alike
(each a setting):

* the same address, for the same proposal or organisation, is invited again at the earliest
  ``INVITATION_RESEND_MINUTES`` after the last invitation;
* it is invited at most ``INVITATIONS_PER_ADDRESS`` times in all (the last invitation still works meanwhile);
* one person sends at most ``INVITATIONS_PER_SENDER_PER_DAY`` invitations in any 24 hours, both kinds together.

The rows are the record: the counts come from the invitations saved, so they survive restarts and cache flushes.
The callers lock the rows they count (the invitee's, the sender's) so that two requests at once cannot both slip
under a limit.
"""

import math
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

# Both kinds of invitation, by model label: looked up when counting (they live in apps above this one).
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
