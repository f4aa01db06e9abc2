import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from projects.domain.queries import open_call_count
from tests.projects.factories import CallFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db


def test_home_page_counts_open_calls_only(client):
    CallFactory(code="OPEN-1")
    CallFactory(code="OPEN-2")
    CallFactory(code="SOON", upcoming=True)
    CallFactory(code="PAST", closed=True)

    response = client.get(reverse("home"))

    assert soup(response).select_one('[data-count="open_calls"]').get_text(strip=True) == "2"


def test_open_call_count_includes_the_opening_moment_and_excludes_the_closing_one():
    now = timezone.now()
    CallFactory(code="OPENS-NOW", opens_at=now, closes_at=now + timedelta(days=1))
    CallFactory(code="CLOSES-NOW", opens_at=now - timedelta(days=1), closes_at=now)

    assert open_call_count(now) == 1
    assert open_call_count(now - timedelta(seconds=1)) == 1  # only CLOSES-NOW is open a second earlier
    assert open_call_count(now + timedelta(days=1)) == 0


def test_call_list_shows_open_calls_by_deadline_then_upcoming_and_hides_closed(client):
    now = timezone.now()
    CallFactory(code="LATE", closes_at=now + timedelta(days=40))
    CallFactory(code="EARLY", closes_at=now + timedelta(days=3))
    CallFactory(code="NEXT", upcoming=True)
    CallFactory(code="GONE", closed=True)

    page = soup(client.get(reverse("projects:call_list")))

    assert [li["data-call"] for li in page.select('[data-calls="open"] [data-call]')] == ["EARLY", "LATE"]
    assert [li["data-call"] for li in page.select('[data-calls="upcoming"] [data-call]')] == ["NEXT"]
    assert "GONE" not in page.get_text()


def test_deadlines_are_stored_with_their_zone_and_shown_in_utc_on_the_list_and_the_call_page(client):
    eastern = zoneinfo.ZoneInfo("America/New_York")
    call = CallFactory(code="NLRA 2027-1", closes_at=datetime(2027, 3, 15, 17, 0, tzinfo=eastern))  # EDT, UTC-4

    listed = soup(client.get(reverse("projects:call_list"))).select_one('[data-call="NLRA 2027-1"] strong')
    page = soup(client.get(reverse("projects:call_detail", args=[call.public_id])))
    facts = {dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True) for dt in page.select("dt")}

    call.refresh_from_db()
    assert call.closes_at == datetime(2027, 3, 15, 21, 0, tzinfo=UTC)
    assert listed.get_text(strip=True) == "Deadline 15 March 2027, 21:00 UTC"
    assert facts["Deadline"] == "15 March 2027, 21:00 UTC"


def test_call_list_says_what_to_do_when_nothing_is_open(client, settings):
    settings.ALLOW_UNSOLICITED_PROPOSALS = True

    page = soup(client.get(reverse("projects:call_list")))

    empty = page.select_one('[data-empty="open"]')
    assert empty.get_text(" ", strip=True).startswith("No call is open right now. You can still start an unsolicited")
    assert empty.a["href"] == reverse("projects:proposal_start")


@pytest.mark.parametrize("count", [2, 20])
def test_call_list_query_count_does_not_grow_with_calls(client, django_assert_num_queries, count):
    for _ in range(count):
        CallFactory()
    CallFactory(upcoming=True)

    with django_assert_num_queries(2):  # the calls' fingerprint and the calls
        response = client.get(reverse("projects:call_list"))
    with django_assert_num_queries(0):  # the visitor's page and the calls' fingerprint are kept until a call changes
        again = client.get(reverse("projects:call_list"))

    assert len(soup(response).select("[data-call]")) == count + 1
    assert again.content == response.content


def test_call_detail_shows_deadline_cap_and_focus(client):
    call = CallFactory(code="NLRA 2027-1", title="Cells and tissues", research_areas=["stem_cells", "organoids"])

    response = client.get(reverse("projects:call_detail", args=[call.public_id]))

    page = soup(response)
    assert page.h1.get_text(strip=True) == "NLRA 2027-1: Cells and tissues"
    assert page.select_one("[data-state]")["data-state"] == "open"
    facts = dict(
        zip(
            [dt.get_text(strip=True) for dt in page.select(".call-facts dt")],
            [dd.get_text(strip=True) for dd in page.select(".call-facts dd")],
            strict=True,
        )
    )
    assert facts["Research focus"] == "Stem cells, Organoids"
    assert facts["Funding cap"] == "$500,000 per proposal"


def test_closed_call_page_says_it_closed_and_offers_no_start(client, researcher):
    call = CallFactory(closed=True)
    client.force_login(researcher)

    page = soup(client.get(reverse("projects:call_detail", args=[call.public_id])))

    assert page.select_one("[data-state]")["data-state"] == "closed"
    assert page.select_one(f'a[href^="{reverse("projects:proposal_start")}"]') is None


def test_unknown_call_is_404(client):
    response = client.get(reverse("projects:call_detail", args=["8b0c7d1e-7c53-4a5e-9d59-1f0e8f3b2a11"]))

    assert response.status_code == 404


def test_call_must_close_after_it_opens():
    now = timezone.now()
    with pytest.raises(IntegrityError, match="call_closes_after_opening"):
        CallFactory(opens_at=now, closes_at=now)
