"""Deadline reminders: a week and a day before, each once, through the notification preferences; staff remind a
call's unsubmitted proposals from the desk."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from leoportal.domain.notifications import set_preferences
from leoportal.enums import Delivery, NotificationKind
from leoportal.models import Notification
from projects.domain.reminders import remind_unsubmitted, send_deadline_reminders
from projects.enums import Access, ProposalStatus, Stage
from projects.models import Call
from projects.tasks import send_deadline_reminders_task as reminder_task
from tests.projects.factories import CallFactory, CoInvestigatorFactory, ProposalFactory

pytestmark = pytest.mark.django_db

REMINDER = NotificationKind.DEADLINE_REMINDER


def call_closing_in(delta, **values):
    now = timezone.now()
    return CallFactory(opens_at=now - timedelta(days=30), closes_at=now + delta, **values)


def reminders_of(user):
    return list(
        Notification.objects.filter(recipient=user, kind=REMINDER).order_by("pk").values_list("dedupe_key", "subject")
    )


def test_a_draft_is_reminded_a_week_before_then_a_day_before_each_once(researcher, researcher2):
    proposal = ProposalFactory(owner=researcher, call=call_closing_in(timedelta(days=6)), title="Liver organoids")
    CoInvestigatorFactory(proposal=proposal, user=researcher2, email=researcher2.email, access=Access.VIEW)
    deadline = proposal.call.closes_at

    first = send_deadline_reminders()
    again = send_deadline_reminders()
    later = send_deadline_reminders(now=deadline - timedelta(hours=20))
    last = send_deadline_reminders(now=deadline - timedelta(hours=2))

    assert (first, again, later, last) == (2, 0, 2, 0)
    keys = [key for key, _subject in reminders_of(researcher)]
    assert keys == [f"reminder:{proposal.public_id}:full:7d", f"reminder:{proposal.public_id}:full:1d"]
    assert reminders_of(researcher2) == reminders_of(researcher)
    assert reminders_of(researcher)[1][1].startswith("Due tomorrow: “Liver organoids” is due ")


def test_submitted_late_far_off_and_past_deadlines_are_not_reminded(researcher):
    ProposalFactory(owner=researcher, call=call_closing_in(timedelta(days=3)), status=ProposalStatus.SUBMITTED)
    ProposalFactory(owner=researcher, call=call_closing_in(timedelta(days=20)))
    ProposalFactory(owner=researcher, call=CallFactory(closed=True))
    ProposalFactory(owner=researcher, call=None)

    assert send_deadline_reminders() == 0


def test_a_concept_is_reminded_of_the_concept_deadline_and_an_invitation_of_the_full_one(researcher):
    now = timezone.now()
    call = CallFactory(
        opens_at=now - timedelta(days=5),
        concept_step=True,
        concept_closes_at=now + timedelta(hours=12),
        closes_at=now + timedelta(days=40),
    )
    concept = ProposalFactory(owner=researcher, call=call, stage=Stage.CONCEPT, title="Concept")
    invited = ProposalFactory(
        owner=researcher, call=call_closing_in(timedelta(days=5)), status=ProposalStatus.INVITED, title="Invited"
    )

    send_deadline_reminders()

    assert sorted(key for key, _subject in reminders_of(researcher)) == sorted(
        [f"reminder:{concept.public_id}:concept:1d", f"reminder:{invited.public_id}:full:7d"]
    )


@pytest.mark.parametrize(("delivery", "mailed"), [(Delivery.IMMEDIATE, 1), (Delivery.DIGEST, 0), (Delivery.OFF, 0)])
def test_reminders_follow_the_notification_preferences(
    researcher, django_capture_on_commit_callbacks, delivery, mailed
):
    set_preferences(researcher, {REMINDER: delivery})
    ProposalFactory(owner=researcher, call=call_closing_in(timedelta(days=6)))

    with django_capture_on_commit_callbacks(execute=True):
        reminder_task.delay()

    assert Notification.objects.get(recipient=researcher, kind=REMINDER).delivery == delivery
    assert len(mail.outbox) == mailed


def test_researchers_choose_how_reminders_reach_them(client, researcher):
    client.force_login(researcher)

    page = client.get(reverse("notification_settings")).content.decode()

    assert "Reminder of a deadline for an unsubmitted proposal" in page


def test_staff_remind_every_unsubmitted_proposal_of_a_call(client, staff, researcher, researcher2):
    call = call_closing_in(timedelta(days=20))
    ProposalFactory(owner=researcher, call=call)
    ProposalFactory(owner=researcher2, call=call)
    ProposalFactory(owner=researcher2, call=call, status=ProposalStatus.SUBMITTED)
    ProposalFactory(owner=researcher, call=CallFactory())  # another call
    client.force_login(staff)

    response = client.post(
        reverse("admin:projects_call_changelist"),
        {"action": "remind_unsubmitted", admin.helpers.ACTION_CHECKBOX_NAME: [call.pk]},
        follow=True,
    )

    assert f"{call.code}: reminded 2 teams of the deadline" in response.content.decode()
    assert Notification.objects.filter(kind=REMINDER).count() == 2
    assert remind_unsubmitted(Call.objects.get(pk=call.pk), staff) == 2  # again the same day: recorded once
    assert Notification.objects.filter(kind=REMINDER).count() == 2


def test_staff_reminders_reach_concepts_and_invited_full_proposals_by_each_persons_preference(
    researcher, researcher2, staff, django_capture_on_commit_callbacks
):
    now = timezone.now()
    call = CallFactory(
        opens_at=now - timedelta(days=5),
        concept_step=True,
        concept_closes_at=now + timedelta(days=10),
        closes_at=now + timedelta(days=40),
    )
    concept = ProposalFactory(owner=researcher, call=call, stage=Stage.CONCEPT, title="Concept")
    invited = ProposalFactory(owner=researcher2, call=call, status=ProposalStatus.INVITED, title="Invited")
    ProposalFactory(owner=researcher2, call=call, stage=Stage.CONCEPT, status=ProposalStatus.SUBMITTED)
    set_preferences(researcher2, {REMINDER: Delivery.OFF})

    with django_capture_on_commit_callbacks(execute=True):
        reminded = remind_unsubmitted(call, staff)

    assert reminded == 2
    assert [(key, subject.split(":")[0]) for key, subject in reminders_of(researcher)] == [
        (f"reminder:{concept.public_id}:staff:{timezone.localdate(now).isoformat()}", "Reminder from program staff")
    ]
    assert [key for key, _subject in reminders_of(researcher2)] == [
        f"reminder:{invited.public_id}:staff:{timezone.localdate(now).isoformat()}"
    ]
    # The one who turned reminders off has it on the site only; the other is mailed.
    assert [message.to for message in mail.outbox] == [[researcher.email]]
