import re
import threading
from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from leoportal.domain.notifications import notify, send_digest, unread_count, users_due_a_digest
from leoportal.enums import Delivery, NotificationKind
from leoportal.models import Notification, NotificationPreference
from leoportal.tasks import send_daily_digests_task
from tests.factories import ReviewerFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db


def make_notification(user, key, url="/proposals/"):
    return notify(
        [user], NotificationKind.STATUS_CHANGE, subject=f"Update {key}", body="Body", dedupe_key=key, url=url
    )[0]


def test_bell_shows_the_unread_count(client, researcher):
    make_notification(researcher, "a")
    make_notification(researcher, "b")
    client.force_login(researcher)

    bell = soup(client.get(reverse("home"))).select_one("[data-unread]")

    assert bell["data-unread"] == "2"
    assert bell.get_text(" ", strip=True) == "Notifications 2 unread"


def bell(client, url="/proposals/"):
    return soup(client.get(url)).select_one("[data-unread]")["data-unread"]


def test_the_kept_unread_count_follows_each_new_notification_and_each_read(
    client, researcher, django_assert_num_queries
):
    client.force_login(researcher)
    assert bell(client) == "0"
    first = make_notification(researcher, "a")
    assert bell(client) == "1"
    make_notification(researcher, "b")
    assert bell(client) == "2"
    with django_assert_num_queries(0):
        assert unread_count(researcher) == 2  # kept

    client.post(reverse("notification_open", args=[first.pk]))
    assert bell(client) == "1"
    client.post(reverse("notifications_read_all"))
    assert bell(client) == "0"
    Notification.objects.filter(recipient=researcher).delete()
    make_notification(researcher, "c")
    assert bell(client, reverse("notifications")) == "1"


def test_the_kept_menu_is_each_users_own_with_a_fresh_token(client, researcher, researcher2):
    client.force_login(researcher)
    first = soup(client.get(reverse("projects:dashboard")))
    second = soup(client.get(reverse("projects:dashboard")))
    client.force_login(researcher2)
    other = soup(client.get(reverse("projects:dashboard")))

    def menu(page):
        return page.select_one("[data-nav=account] .dropdown-toggle").get_text(" ", strip=True)

    def token(page):
        return page.select_one("form[action$='/accounts/logout/'] [name=csrfmiddlewaretoken]")["value"]

    assert menu(first) == menu(second) == f"{researcher.display_name} Researcher"
    assert menu(other) == f"{researcher2.display_name} Researcher"
    assert len({token(first), token(second), token(other)}) == 3
    assert "{form-token}" not in str(second)


def test_notification_list_shows_only_the_users_own(client, researcher, researcher2):
    make_notification(researcher, "mine")
    make_notification(researcher2, "theirs")
    client.force_login(researcher)

    page = soup(client.get(reverse("notifications")))

    assert [item.select_one(".fw-semibold").get_text(" ", strip=True) for item in page.select(".list-group-item")] == [
        "Unread: Update mine"
    ]


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, researcher):
    notification = make_notification(researcher, "a", url="/calls/")
    client.force_login(researcher)

    response = client.post(reverse("notification_open", args=[notification.pk]))

    assert (response.status_code, response.url) == (302, "/calls/")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_someone_elses_notification_is_a_404(client, researcher, researcher2):
    notification = make_notification(researcher2, "theirs")
    client.force_login(researcher)

    assert client.post(reverse("notification_open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_a_notification_needs_post(client, researcher):
    notification = make_notification(researcher, "a")
    client.force_login(researcher)

    assert client.get(reverse("notification_open", args=[notification.pk])).status_code == 405


def test_an_offsite_link_is_not_followed(client, researcher):
    notification = make_notification(researcher, "a", url="https://evil.example/")
    client.force_login(researcher)

    response = client.post(reverse("notification_open", args=[notification.pk]))

    assert response.url == reverse("notifications")


def test_mark_all_read_marks_only_the_users_own(client, researcher, researcher2):
    make_notification(researcher, "a")
    make_notification(researcher, "b")
    make_notification(researcher2, "c")
    client.force_login(researcher)

    client.post(reverse("notifications_read_all"))

    assert Notification.objects.filter(read_at__isnull=True).count() == 1
    assert Notification.objects.get(read_at__isnull=True).recipient == researcher2


def test_notification_list_query_count_does_not_grow(client, researcher, django_assert_max_num_queries):
    client.force_login(researcher)
    for index in range(3):
        make_notification(researcher, f"small-{index}")
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("notifications"))
    for index in range(30):
        make_notification(researcher, f"large-{index}")
    with django_assert_max_num_queries(8) as large:
        client.get(reverse("notifications"))

    assert len(large.captured_queries) == len(small.captured_queries)


def test_settings_offer_the_kinds_of_the_users_role(client, researcher, staff):
    reviewer = ReviewerFactory()
    client.force_login(researcher)
    researcher_fields = [f.name for f in client.get(reverse("notification_settings")).context["form"]]
    client.force_login(reviewer)
    reviewer_fields = [f.name for f in client.get(reverse("notification_settings")).context["form"]]
    client.force_login(staff)
    staff_fields = [f.name for f in client.get(reverse("notification_settings")).context["form"]]

    # Deadline reminders go to the teams of unsubmitted proposals; overdue reviews to the reviewer who owes them.
    assert researcher_fields == ["status_change", "introduction_answer", "deadline_reminder"]
    assert reviewer_fields == ["review_overdue"]
    assert staff_fields == [
        "submission",
        "strong_match",
        "introduction_answer",
        "organisation_to_verify",
        "task_failed",
    ]


def test_preferences_are_saved_and_respected(client, researcher, django_capture_on_commit_callbacks):
    client.force_login(researcher)
    client.post(
        reverse("notification_settings"),
        {"status_change": "digest", "introduction_answer": "off", "deadline_reminder": "immediate"},
    )

    with django_capture_on_commit_callbacks(execute=True):
        digest = make_notification(researcher, "to-digest")
        off = notify(
            [researcher], NotificationKind.INTRODUCTION_ANSWER, subject="Answer", body="x", dedupe_key="answer"
        )[0]

    assert (digest.delivery, off.delivery) == (Delivery.DIGEST, Delivery.OFF)
    assert mail.outbox == []
    assert dict(NotificationPreference.objects.values_list("kind", "delivery")) == {
        "status_change": "digest",
        "introduction_answer": "off",
        "deadline_reminder": "immediate",
    }


def test_an_invalid_preference_is_refused_and_nothing_saved(client, researcher):
    client.force_login(researcher)

    response = client.post(
        reverse("notification_settings"),
        {"status_change": "hourly", "introduction_answer": "off", "deadline_reminder": "digest"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "status_change": ["Select a valid choice. hourly is not one of the available choices."]
    }
    assert NotificationPreference.objects.count() == 0


def digest_user(user, count=2):
    NotificationPreference.objects.create(user=user, kind=NotificationKind.STATUS_CHANGE, delivery=Delivery.DIGEST)
    for index in range(count):
        make_notification(user, f"digest-{index}")


def test_digest_gathers_the_undigested_notifications_into_one_email(researcher):
    digest_user(researcher, count=3)

    send_daily_digests_task()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == (["researcher@example.org"], "[LEO Portal] Your daily digest: 3 updates")
    subjects = [re.sub(r" \(.* UTC\)$", "", line) for line in message.body.splitlines() if line.startswith("* ")]
    assert subjects == ["* Update digest-0", "* Update digest-1", "* Update digest-2"]
    assert Notification.objects.filter(digested_at__isnull=True).count() == 0


def test_a_digest_of_one_says_update_in_the_singular(researcher):
    digest_user(researcher, count=1)

    send_daily_digests_task()

    assert mail.outbox[0].subject == "[LEO Portal] Your daily digest: 1 update"


def test_digest_goes_out_once_a_day(researcher):
    digest_user(researcher)

    send_daily_digests_task()
    make_notification(researcher, "later-today")
    send_daily_digests_task()

    assert len(mail.outbox) == 1
    assert list(users_due_a_digest(date.today())) == []


@pytest.mark.django_db(transaction=True)
def test_digest_is_sent_once_when_two_runs_race(researcher):
    digest_user(researcher)
    today = date.today()
    barrier = threading.Barrier(2)
    results = []

    def run():
        barrier.wait()
        try:
            results.append(send_digest(researcher.pk, today))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
