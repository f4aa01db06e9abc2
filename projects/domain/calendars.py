"""Deadlines as iCalendar (RFC 5545): the public feed of open and upcoming calls, one call's deadlines, and each
person's own feed (their proposals' deadlines and, for reviewers, their reviews' due dates) at a secret address
they can reset.

One event per deadline, at the deadline's moment in UTC, with a UID that stays the same for as long as the call or
proposal exists (so a calendar that subscribes updates the event rather than adding another).
"""

from datetime import UTC

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac
from icalendar import Calendar, Event

from projects.domain.reminders import UNSUBMITTED
from projects.enums import Stage
from projects.models import OPEN_STATUSES, CalendarFeed, Call, Proposal, ReviewAssignment

STAGE_WORDS = {Stage.CONCEPT: "concept summaries due", Stage.FULL: "full proposals due"}
DOMAIN = "leoportal"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//LEO Portal//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(uid: str, summary: str, moment, url: str, stamp, description: str = "") -> Event:
    event = Event()
    event.add("uid", f"{uid}@{DOMAIN}")
    event.add("summary", summary)
    event.add("dtstart", moment.astimezone(UTC))
    event.add("dtend", moment.astimezone(UTC))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("url", f"{settings.SITE_URL}{url}")
    if description:
        event.add("description", description)
    return event


def _call_events(call: Call) -> list[Event]:
    words = STAGE_WORDS if call.concept_step else {Stage.FULL: "deadline"}
    return [
        _event(
            f"call-{call.public_id}-{stage}",
            f"{call.code}: {words[stage]}",
            moment,
            call.get_absolute_url(),
            call.updated_at,
            call.title,
        )
        for stage, moment in call.deadlines()
    ]


def calls_calendar(now=None) -> bytes:
    """Open and upcoming calls, each deadline an event."""
    calendar = _calendar("LEO Portal calls")
    for call in Call.objects.not_closed(now).order_by("closes_at", "code"):
        for event in _call_events(call):
            calendar.add_component(event)
    return calendar.to_ical()


def call_calendar(call: Call) -> bytes:
    calendar = _calendar(f"{call.code} deadlines")
    for event in _call_events(call):
        calendar.add_component(event)
    return calendar.to_ical()


def feed_of(user) -> CalendarFeed | None:
    """The person's calendar address, if they asked for one (a page that only shows it writes nothing)."""
    return CalendarFeed.objects.filter(user=user).first()


def has_feed(user) -> bool:
    """Whether the person asked for a calendar address (what My proposals says about it)."""
    return CalendarFeed.objects.filter(user=user).exists()


def reset_feed(user) -> CalendarFeed:
    """A new secret address (the first one, asked for from My proposals); an old one answers 404 from now on."""
    CalendarFeed.objects.filter(user=user).delete()
    return CalendarFeed.objects.create(user=user)


def _reviewer_key(user) -> str:
    """Tells one reviewer's events of a proposal from another's in UIDs, without showing a row id."""
    return salted_hmac("projects.calendars.review-uid", str(user.pk)).hexdigest()[:16]


def _review_events(user) -> list[Event]:
    """One event per open proposal assigned to ``user`` in a review round, at the round's close (only while
    assigned)."""
    assignments = (
        ReviewAssignment.objects.filter(reviewer=user, round__isnull=False, proposal__status__in=OPEN_STATUSES)
        .select_related("proposal", "round__call")
        .order_by("round__closes_at", "pk")
    )
    key = _reviewer_key(user)
    return [
        _event(
            f"review-{assignment.proposal.public_id}-{key}",
            f"Review due: “{assignment.proposal.display_title}” ({review_round.call.code})",
            review_round.closes_at,
            reverse("projects:review_proposal", args=[assignment.proposal.public_id]),
            review_round.updated_at,
            review_round.name,
        )
        for assignment in assignments
        if (review_round := assignment.round) is not None  # always, by the filter above
    ]


def personal_calendar(user) -> bytes:
    """The deadlines of the proposals ``user`` works on that are not submitted yet, and the due dates of the reviews
    assigned to them."""
    calendar = _calendar("My LEO Portal deadlines")
    proposals = Proposal.objects.team_of(user).filter(status__in=UNSUBMITTED, call__isnull=False).select_related("call")
    for proposal in proposals.order_by("pk"):
        what = "concept summary" if proposal.stage == Stage.CONCEPT else "proposal"
        calendar.add_component(
            _event(
                f"proposal-{proposal.public_id}-{proposal.stage}",
                f"Due: {what} “{proposal.display_title}” ({proposal.call.code})",
                proposal.deadline,
                proposal.get_absolute_url(),
                proposal.call.updated_at,
            )
        )
    for event in _review_events(user):
        calendar.add_component(event)
    return calendar.to_ical()
