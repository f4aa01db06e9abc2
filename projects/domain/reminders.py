"""Deadline reminders for proposals not submitted yet: automatic ones a week and a day before, and staff's own.

An unsubmitted proposal is a draft (a concept or a full proposal) or an invited full proposal; its deadline is its
stage's (projects.models.Proposal.deadline). Each automatic reminder is a notification with its own dedupe key, so
it reaches each member of the team once whatever how often the sweep runs; delivery follows each person's
preference for "deadline reminders" (at once, in the daily digest, or on the site only).
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from leoportal.domain.notifications import notify, wording
from leoportal.enums import NotificationKind
from projects.enums import ProposalStatus, Stage
from projects.models import Call, Proposal

UNSUBMITTED = (ProposalStatus.DRAFT, ProposalStatus.INVITED)
# (name, how long before the deadline): the closest one that applies is sent, each once.
REMINDERS = (("1d", timedelta(days=1)), ("7d", timedelta(days=7)))


def _team(proposal: Proposal) -> list:
    return [proposal.owner, *(coi.user for coi in proposal.co_investigators.all() if coi.user_id)]


def _unsubmitted():
    return Proposal.objects.filter(status__in=UNSUBMITTED, call__isnull=False).select_related("call", "owner")


def _remind(proposal: Proposal, dedupe_key: str, lead: str) -> int:
    subject, body = wording(NotificationKind.DEADLINE_REMINDER, {"proposal": proposal, "lead": lead})
    sent = notify(
        _team(proposal),
        NotificationKind.DEADLINE_REMINDER,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        url=proposal.get_absolute_url(),
        target=proposal,
    )
    return len(sent)


def send_deadline_reminders(now=None) -> int:
    """Remind the teams of unsubmitted proposals whose deadline is a week or a day away; return how many
    notifications were recorded (0 on a second run)."""
    now = now or timezone.now()
    horizon = now + REMINDERS[-1][1]
    due = Q(stage=Stage.CONCEPT, call__concept_closes_at__gt=now, call__concept_closes_at__lte=horizon) | Q(
        stage=Stage.FULL, call__closes_at__gt=now, call__closes_at__lte=horizon
    )
    count = 0
    for proposal in _unsubmitted().filter(due).prefetch_related("co_investigators__user"):
        left = proposal.deadline - now
        name = next(name for name, before in REMINDERS if left <= before)
        lead = "Due tomorrow" if name == "1d" else "Due within a week"
        key = f"reminder:{proposal.public_id}:{proposal.stage}:{name}"
        count += _remind(proposal, key, lead)
    return count


def remind_unsubmitted(call: Call, by, now=None) -> int:
    """Staff remind every team of ``call`` whose proposal is not submitted yet (once per call and day); return
    how many proposals were reminded."""
    now = now or timezone.now()
    proposals = list(
        _unsubmitted()
        .filter(call=call)
        .filter(Q(stage=Stage.CONCEPT, call__concept_closes_at__gt=now) | Q(stage=Stage.FULL, call__closes_at__gt=now))
        .prefetch_related("co_investigators__user")
    )
    day = timezone.localdate(now).isoformat()
    for proposal in proposals:
        _remind(proposal, f"reminder:{proposal.public_id}:staff:{day}", "Reminder from program staff")
    return len(proposals)
