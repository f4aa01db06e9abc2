"""Calendars: the public feed of calls, one call's .ics, and each person's secret feed, parsed with icalendar."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from projects.domain import panels
from projects.domain.reviews import declare_conflict
from projects.enums import Access, ProposalStatus, Stage
from projects.models import CalendarFeed, ReviewAssignment
from tests.factories import ReviewerFactory
from tests.projects.factories import (
    CallFactory,
    CoInvestigatorFactory,
    PanelMemberFactory,
    ProposalFactory,
    ReviewRoundFactory,
)
from tests.utils import soup

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

    button = soup(client.get(call.get_absolute_url())).select_one("[data-add-to-calendar]")
    response = client.get(reverse("projects:call_calendar", args=[call.public_id]))

    assert (button.get_text(strip=True), button["href"]) == (
        "Add to calendar",
        reverse("projects:call_calendar", args=[call.public_id]),
    )
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
    address = client.get(reverse("projects:calendar")).context["calendar"].get_absolute_url()
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


def test_the_calendar_pages_make_no_calendar_address_until_asked(client, researcher):
    client.force_login(researcher)

    dashboard = client.get(reverse("projects:dashboard"))
    page = client.get(reverse("projects:calendar"))

    assert (dashboard.context["has_calendar"], page.context["calendar"]) == (False, None)
    assert not CalendarFeed.objects.filter(user=researcher).exists()
    assert soup(dashboard).select_one("[data-calendar] a")["href"] == reverse("projects:calendar")
    assert soup(page).select_one("[data-calendar] button").get_text() == "Make my calendar address"


def test_the_account_page_makes_shows_and_resets_the_address(client, researcher):
    client.force_login(researcher)

    made = client.post(reverse("projects:personal_calendar_reset"))
    first = CalendarFeed.objects.get(user=researcher)
    shown = soup(client.get(reverse("projects:calendar")))
    reset = client.post(reverse("projects:personal_calendar_reset"), follow=True)
    second = CalendarFeed.objects.get(user=researcher)

    assert (made.status_code, made.url) == (302, reverse("projects:calendar"))
    assert shown.select_one("[data-calendar-url]").get_text() == f"http://testserver{first.get_absolute_url()}"
    assert shown.select_one("[data-calendar] button").get_text() == "Reset the address"
    assert soup(reset).select_one("[data-calendar-url]").get_text() == f"http://testserver{second.get_absolute_url()}"
    assert first.token != second.token
    assert [str(m) for m in reset.context["messages"]] == [
        "Your calendar has a new address: the old one no longer works. Subscribe to the new one."
    ]


def test_the_calendar_page_writes_nothing_on_a_get_and_resets_only_by_post(client, researcher):
    client.force_login(researcher)

    client.get(reverse("projects:calendar"))
    refused = client.get(reverse("projects:personal_calendar_reset"))

    assert refused.status_code == 405
    assert CalendarFeed.objects.count() == 0


def test_the_account_menu_and_my_reviews_lead_to_the_calendar_page(client, researcher):
    reviewer = ReviewerFactory()
    client.force_login(reviewer)

    page = soup(client.get(reverse("projects:review_list")))

    assert page.select_one("[data-calendar-link] a")["href"] == reverse("projects:calendar")
    assert [a["href"] for a in page.select("[data-nav=account] .dropdown-item") if a.get_text() == "Calendar"] == [
        reverse("projects:calendar")
    ]


def test_resetting_the_personal_feed_retires_the_old_address(client, researcher):
    client.force_login(researcher)
    client.post(reverse("projects:personal_calendar_reset"))
    old = client.get(reverse("projects:calendar")).context["calendar"].get_absolute_url()

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


# --- A reviewer's due dates -----------------------------------------------------------------------------------------


def feed_of(user) -> str:
    return CalendarFeed.objects.get_or_create(user=user)[0].get_absolute_url()


def test_a_reviewer_feed_has_one_event_per_assignment_with_a_due_date(client, staff, settings):
    due = datetime(2027, 1, 14, 17, 0, tzinfo=ZoneInfo("America/Chicago"))  # 23:00 UTC (CST, UTC-6)
    with_due = CallFactory(code="NLRA 2027-1")
    ReviewRoundFactory(call=with_due, name="Full proposal review", closes_at=due)
    without_due = CallFactory(code="NLRA 2027-2")
    reviewer = ReviewerFactory()
    first, second = (
        ProposalFactory(call=with_due, complete=True, status=ProposalStatus.UNDER_REVIEW, title=title)
        for title in ("Liver organoids", "Cartilage")
    )
    undated = ProposalFactory(call=without_due, complete=True, status=ProposalStatus.UNDER_REVIEW, title="Bone")
    PanelMemberFactory(call=with_due, reviewer=reviewer)
    PanelMemberFactory(call=without_due, reviewer=reviewer)
    panels.assign([(first, reviewer), (second, reviewer), (undated, reviewer)], staff)

    calendar = Calendar.from_ical(client.get(feed_of(reviewer)).content)
    found = sorted(
        (str(event["summary"]), event.decoded("dtstart"), str(event["url"]), str(event["uid"]))
        for event in calendar.walk("VEVENT")
    )
    descriptions = [str(event["description"]) for event in calendar.walk("VEVENT")]

    assert [(summary, moment, url) for summary, moment, url, _uid in found] == [
        (
            "Review due: “Cartilage” (NLRA 2027-1)",
            datetime(2027, 1, 14, 23, 0, tzinfo=UTC),
            f"{settings.SITE_URL}{reverse('projects:review_proposal', args=[second.public_id])}",
        ),
        (
            "Review due: “Liver organoids” (NLRA 2027-1)",
            datetime(2027, 1, 14, 23, 0, tzinfo=UTC),
            f"{settings.SITE_URL}{reverse('projects:review_proposal', args=[first.public_id])}",
        ),
    ]
    assert [(uid.rsplit("-", 1)[0], uid.endswith("@leoportal")) for *_, uid in found] == [
        (f"review-{second.public_id}", True),
        (f"review-{first.public_id}", True),
    ]
    assert descriptions == ["Full proposal review", "Full proposal review"]


def test_a_review_uid_stays_when_the_due_date_moves_and_differs_between_reviewers(client, staff):
    review_round = ReviewRoundFactory()
    call = review_round.call
    proposal = ProposalFactory(call=call, complete=True, status=ProposalStatus.UNDER_REVIEW)
    ana, bo = ReviewerFactory(), ReviewerFactory()
    for reviewer in (ana, bo):
        PanelMemberFactory(call=call, reviewer=reviewer)
    panels.assign([(proposal, ana), (proposal, bo)], staff)

    def uid_and_moment(user):
        ((event),) = Calendar.from_ical(client.get(feed_of(user)).content).walk("VEVENT")
        return str(event["uid"]), event.decoded("dtstart")

    before = uid_and_moment(ana)
    review_round.closes_at += timedelta(days=7)
    review_round.save()
    after = uid_and_moment(ana)

    assert after[0] == before[0]
    assert after[1] == before[1] + timedelta(days=7)
    assert uid_and_moment(bo)[0] != before[0]


def test_a_review_leaves_the_feed_once_unassigned_or_with_a_conflict(client, staff):
    call = ReviewRoundFactory().call
    kept, unassigned, conflicted = (
        ProposalFactory(call=call, complete=True, status=ProposalStatus.UNDER_REVIEW, title=title)
        for title in ("Kept", "Unassigned", "Conflict")
    )
    reviewer = ReviewerFactory()
    PanelMemberFactory(call=call, reviewer=reviewer)
    panels.assign([(kept, reviewer), (unassigned, reviewer), (conflicted, reviewer)], staff)
    panels.unassign(ReviewAssignment.objects.get(proposal=unassigned), staff)
    declare_conflict(conflicted, reviewer, "A shared grant.")

    calendar = Calendar.from_ical(client.get(feed_of(reviewer)).content)

    assert [str(event["summary"]) for event in calendar.walk("VEVENT")] == [f"Review due: “Kept” ({call.code})"]


def test_my_proposals_says_whether_the_calendar_address_is_made(client, researcher):
    client.force_login(researcher)
    before = soup(client.get(reverse("projects:dashboard"))).select_one("[data-calendar]").get_text(" ", strip=True)
    client.post(reverse("projects:personal_calendar_reset"))
    after = soup(client.get(reverse("projects:dashboard"))).select_one("[data-calendar]").get_text(" ", strip=True)

    assert "Subscribe to a secret address" in before and "Make your calendar address" in before
    assert "Your calendar app follows your secret calendar address" in after
    assert "See or reset your calendar address" in after
