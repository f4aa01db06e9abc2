"""The demo's decision outbox: two decisions' e-mails wait as drafts, each demo call has its templates; seeded once."""

from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import DECISION_STATUSES, DecisionEmail, DecisionTemplate

pytestmark = [pytest.mark.django_db, pytest.mark.broad]


def seed():
    call_command("seed_demo", stdout=StringIO())


def test_seed_demo_leaves_two_decision_drafts_and_the_templates_and_runs_twice_the_same():
    seed()
    first = sorted(DecisionEmail.objects.values_list("proposal__external_id", "decision", "sent_at"))
    templates = DecisionTemplate.objects.count()
    seed()

    assert first == [
        ("demo-autonomous-api", "accepted", None),
        ("demo-msc-expansion", "revisions_requested", None),
    ]
    assert sorted(DecisionEmail.objects.values_list("proposal__external_id", "decision", "sent_at")) == first
    calls = DecisionTemplate.objects.values("call").distinct().count()
    assert (templates, DecisionTemplate.objects.count()) == (calls * len(DECISION_STATUSES),) * 2
    accepted = DecisionEmail.objects.get(decision="accepted")
    assert "Selected for flight; staff will introduce you to implementation partners." in accepted.body
