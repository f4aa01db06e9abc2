from io import StringIO

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from projects.domain.submission import missing_for_submission
from projects.enums import CallState
from projects.models import Attachment, Call, CoInvestigator, Proposal, StatusChange

pytestmark = [pytest.mark.django_db, pytest.mark.broad]


def seed(verbosity=1):
    out = StringIO()
    call_command("seed_demo", stdout=out, verbosity=verbosity)
    return out.getvalue()


def snapshot():
    return (
        list(Call.objects.order_by("code").values_list("code", "opens_at", "closes_at", "title", "funding_cap")),
        list(
            Proposal.objects.order_by("external_id").values_list("external_id", "owner__email", "status", "updated_at")
        ),
        StatusChange.objects.count(),
        list(Attachment.objects.order_by("id").values_list("file", flat=True)),
        Proposal.history.count(),
        Call.history.count(),
        CoInvestigator.objects.count(),
    )


def test_seed_demo_adds_two_open_calls_and_one_closed():
    seed()

    assert sorted((call.code, call.state()) for call in Call.objects.all()) == [
        ("NLRA 2026-3", CallState.CLOSED),
        ("NLRA 2027-1", CallState.OPEN),
        ("NLRA 2027-2", CallState.OPEN),
    ]


def test_seed_demo_gives_both_researchers_proposals_in_several_statuses():
    seed()

    assert sorted(Proposal.objects.values_list("owner__email", "external_id", "status")) == [
        ("researcher2@example.org", "demo-autonomous-api", "accepted"),
        ("researcher2@example.org", "demo-gut-microbiome-chip", "draft"),
        ("researcher2@example.org", "demo-mab-crystals", "screening"),
        ("researcher2@example.org", "demo-muscle-atrophy-imaging", "withdrawn"),
        ("researcher@example.org", "demo-cartilage-print", "submitted"),
        ("researcher@example.org", "demo-liver-organoids", "submitted"),
        ("researcher@example.org", "demo-msc-expansion", "revisions_requested"),
        ("researcher@example.org", "demo-partial-g-bone", "under_review"),
    ]
    msc = Proposal.objects.get(external_id="demo-msc-expansion")
    assert list(msc.status_changes.values_list("from_status", "to_status", "changed_by__email")) == [
        ("", "draft", "researcher@example.org"),
        ("draft", "submitted", "researcher@example.org"),
        ("submitted", "screening", "staff@example.org"),
        ("screening", "revisions_requested", "staff@example.org"),
    ]


def test_the_concept_call_has_a_concept_awaiting_staff_and_an_invited_full_proposal():
    seed()

    call = Call.objects.get(code="NLRA 2027-1")
    assert call.concept_step and call.opens_at < call.concept_closes_at < call.closes_at
    cartilage = Proposal.objects.get(external_id="demo-cartilage-print")
    assert (cartilage.stage, cartilage.status, cartilage.attachments.count()) == ("concept", "submitted", 0)
    liver = Proposal.objects.get(external_id="demo-liver-organoids")
    assert (liver.stage, liver.status, liver.submission_count) == ("full", "submitted", 2)
    assert [
        (version.number, version.stage, [f["kind"] for f in version.files]) for version in liver.versions.all()
    ] == [(1, "full", ["narrative"])]
    assert list(liver.status_changes.values_list("from_status", "to_status", "stage")) == [
        ("", "draft", "concept"),
        ("draft", "submitted", "concept"),
        ("submitted", "invited", "concept"),
        ("invited", "submitted", "full"),
    ]


def test_submitted_demo_proposals_are_complete_with_a_readable_narrative(settings):
    seed()

    for proposal in Proposal.objects.exclude(status="draft"):
        proposal.call = None  # a closed call is not "missing"; everything else must be there
        assert (proposal.external_id, missing_for_submission(proposal)) == (proposal.external_id, [])
    narrative = Attachment.objects.get(proposal__external_id="demo-liver-organoids")
    with narrative.file.open("rb") as handle:
        text = PdfReader(handle).pages[0].extract_text()
    assert text.splitlines()[0] == "Scaffold-free liver organoids for toxicity screening"


def test_seed_demo_twice_changes_nothing():
    seed()
    first = snapshot()

    output = seed(verbosity=2)

    assert snapshot() == first
    assert {line.split()[1] for line in output.splitlines()[:-1]} == {"unchanged"}


def test_seed_demo_reopens_a_demo_call_that_has_closed_since():
    from datetime import timedelta

    from django.utils import timezone

    seed()
    Call.objects.filter(code="NLRA 2027-2").update(
        opens_at=timezone.now() - timedelta(days=90), closes_at=timezone.now() - timedelta(days=1)
    )

    output = seed(verbosity=2)

    assert "call         updated   NLRA 2027-2" in output.splitlines()
    assert Call.objects.get(code="NLRA 2027-2").state() == CallState.OPEN


def test_seed_demo_shares_a_proposal_between_the_demo_researchers():
    seed()

    assert list(
        CoInvestigator.objects.values_list("proposal__external_id", "name", "user__email", "access").order_by(
            "position"
        )
    ) == [
        ("demo-liver-organoids", "Ben Lindqvist", "researcher2@example.org", "view"),
        ("demo-liver-organoids", "Priya Raman", None, ""),
    ]
    ben = Proposal.objects.get(external_id="demo-liver-organoids").co_investigators.first().user
    assert Proposal.objects.visible_to(ben).filter(external_id="demo-liver-organoids").exists()
