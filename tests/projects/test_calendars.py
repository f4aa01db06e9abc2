"""Calendars: the public feed of calls, one call's .ics, and each person's secret feed, parsed with icalendar."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from projects.enums import Access, ProposalStatus, Stage
from projects.models import CalendarFeed
from tests.projects.factories import CallFactory, CoInvestigatorFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def events(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return [(str(event["uid"]), str(event["summary"]), event.decoded("dtstart")) for event in calendar.walk("VEVENT")]


def test_the_calls_feed_has_one_event_per_deadline_of_open_and_upcoming_calls(client):
    two_stage = CallFactory(code="NLRA 2027-1", two_stage=True)
    single = CallFactory(code="NLRA 2027-2", upcoming=True)
    CallFactory(code="NLRA 2026-3", closed=True)

    found = events(client.get("/calls.ics"))

    assert sorted(found) == sorted(
        [
            (
                f"call-{two_stage.public_id}-concept@leoportal",
                "NLRA 2027-1: concept summaries due",
                two_stage.concept_closes_at.astimezone(UTC).replace(microsecond=0),
            ),
            (
                f"call-{two_stage.public_id}-full@leoportal",
                "NLRA 2027-1: full proposals due",
                two_stage.closes_at.astimezone(UTC).replace(microsecond=0),
            ),
            (
                f"call-{single.public_id}-full@leoportal",
                "NLRA 2027-2: deadline",
                single.closes_at.astimezone(UTC).replace(microsecond=0),
            ),
        ]
    )
    assert all(moment.tzinfo is not None and moment.utcoffset() == timedelta(0) for _uid, _summary, moment in found)


def test_uids_stay_the_same_when_a_deadline_moves(client):
    call = CallFactory(code="NLRA 2027-1")
    before = events(client.get("/calls.ics"))
    call.closes_at += timedelta(days=7)
    call.save()

    after = events(client.get("/calls.ics"))

    assert [uid for uid, *_ in after] == [uid for uid, *_ in before]
    assert after[0][2] == before[0][2] + timedelta(days=7)


def test_add_to_calendar_downloads_the_calls_deadlines(client):
    call = CallFactory(code="NLRA 2027-1", two_stage=True)

    page = client.get(call.get_absolute_url()).content.decode()
    response = client.get(reverse("projects:call_calendar", args=[call.public_id]))

    assert reverse("projects:call_calendar", args=[call.public_id]) in page
    assert response["Content-Disposition"] == 'attachment; filename="NLRA-2027-1-deadlines.ics"'
    assert [summary for _uid, summary, _moment in events(response)] == [
        "NLRA 2027-1: concept summaries due",
        "NLRA 2027-1: full proposals due",
    ]


def test_a_personal_feed_lists_the_deadlines_of_my_unsubmitted_proposals(client, researcher, researcher2):
    concept = ProposalFactory(owner=researcher, call=CallFactory(two_stage=True), stage=Stage.CONCEPT, title="Concept")
    shared = ProposalFactory(owner=researcher2, call=CallFactory(), title="Shared")
    CoInvestigatorFactory(proposal=shared, user=researcher, email=researcher.email, access=Access.VIEW)
    ProposalFactory(owner=researcher, status=ProposalStatus.SUBMITTED, title="Submitted")
    ProposalFactory(owner=researcher2, title="Not mine")
    client.force_login(researcher)
    client.post(reverse("projects:personal_calendar_reset"))  # "Make my calendar address"
    address = client.get(reverse("projects:dashboard")).context["calendar"].get_absolute_url()
    client.logout()

    found = events(client.get(address))  # a calendar app, not signed in

    assert sorted(summary for _uid, summary, _moment in found) == sorted(
        [
            f"Due: concept summary “Concept” ({concept.call.code})",
            f"Due: proposal “Shared” ({shared.call.code})",
        ]
    )
    assert {summary: moment for _uid, summary, moment in found}[
        f"Due: concept summary “Concept” ({concept.call.code})"
    ] == concept.call.concept_closes_at.astimezone(UTC).replace(microsecond=0)


def test_my_proposals_makes_no_calendar_address_until_asked(client, researcher):
    client.force_login(researcher)

    page = client.get(reverse("projects:dashboard"))

    assert page.context["calendar"] is None
    assert not CalendarFeed.objects.filter(user=researcher).exists()
    assert "Make my calendar address" in page.content.decode()


def test_resetting_the_personal_feed_retires_the_old_address(client, researcher):
    client.force_login(researcher)
    client.post(reverse("projects:personal_calendar_reset"))
    old = client.get(reverse("projects:dashboard")).context["calendar"].get_absolute_url()

    client.post(reverse("projects:personal_calendar_reset"))
    new = CalendarFeed.objects.get(user=researcher).get_absolute_url()

    assert old != new
    assert (client.get(old).status_code, client.get(new).status_code) == (404, 200)


def test_an_unknown_feed_address_is_404(client):
    assert client.get(reverse("projects:personal_calendar", args=["not-a-token"])).status_code == 404


def test_a_deadline_time_keeps_its_moment(client):
    moment = timezone.now().replace(microsecond=0) + timedelta(days=3)
    call = CallFactory(closes_at=moment)

    ((_uid, _summary, found),) = events(client.get(reverse("projects:call_calendar", args=[call.public_id])))

    assert found == moment
