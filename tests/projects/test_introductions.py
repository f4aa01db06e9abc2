"""Introductions: the domain functions, their refusals, notifications and history."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from projects.domain import introductions
from projects.domain.introductions import IntroductionError, answer_introduction, introduce_to_provider
from projects.enums import IntroductionAnswer, ProposalStatus
from projects.models import Introduction
from tests.factories import ProviderUserFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.projects.factories import IntroductionFactory, ProposalFactory
from tests.projects.introduction_fixtures import *  # noqa: F403
from tests.utils import soup

pytestmark = pytest.mark.django_db

NOTE = "ADSEP holds 37 °C with CO₂ and brings samples back: worth a conversation."


def notifications(kind):
    return sorted(
        (n.recipient.email, n.url) for n in Notification.objects.filter(kind=kind).select_related("recipient")
    )


def test_introduce_keeps_the_match_explanation(submitted, match, staff):
    introduction = introduce_to_provider(submitted, match.capability.organisation, staff, f"  {NOTE}\n", match=match)

    introduction.refresh_from_db()
    assert (introduction.proposal, introduction.organisation, introduction.introduced_by) == (
        submitted,
        match.capability.organisation,
        staff,
    )
    assert introduction.note == NOTE
    assert (introduction.match, introduction.capability, introduction.facility_name) == (
        match,
        match.capability,
        "ADSEP",
    )
    assert (introduction.score, introduction.fit, introduction.near_miss) == (
        match.score,
        match.fit,
        "",
    )
    assert introduction.criteria == match.criteria
    assert len(introduction.criteria) > 3
    assert introduction.answer == ""


def test_the_explanation_survives_rescoring(submitted, match, staff):
    introduction = introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    criteria = introduction.criteria
    from projects.domain import scoring

    scoring.score_proposal(submitted.pk)  # replaces the proposal's match rows

    introduction.refresh_from_db()
    assert introduction.match is None
    assert (introduction.capability.name, introduction.facility_name, introduction.criteria) == (
        "ADSEP",
        "ADSEP",
        criteria,
    )


def test_the_providers_members_are_notified_once(
    submitted, match, staff, provider_user, colleague, tango, researcher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        introduction = introduce_to_provider(submitted, match.capability.organisation, staff, NOTE, match=match)
    # A retried notification step (the same event reported again) records and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        introductions._notify_provider(introduction)

    url = f"/introductions/{introduction.public_id}/"
    assert notifications(NotificationKind.INTRODUCTION) == [
        ("colleague@redwire.example", url),
        ("provider@example.org", url),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["colleague@redwire.example", "provider@example.org"]
    assert mail.outbox[0].subject == "[LEO Portal] Introduction to a proposal: “Liver organoids in microgravity”"
    assert NOTE in mail.outbox[0].body
    assert "Ada Okafor" not in mail.outbox[0].body
    assert Notification.objects.filter(kind=NotificationKind.INTRODUCTION_ANSWER).count() == 0


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (
            ProposalStatus.DRAFT,
            "“Liver organoids in microgravity” is still a draft: only submitted proposals can be "
            "introduced to providers.",
        ),
        (
            ProposalStatus.WITHDRAWN,
            "“Liver organoids in microgravity” is withdrawn: only submitted proposals can be introduced to providers.",
        ),
    ],
)
def test_drafts_and_withdrawn_proposals_are_not_introduced(submitted, redwire, staff, status, message):
    submitted.status = status
    submitted.save()

    with pytest.raises(IntroductionError) as refused:
        introduce_to_provider(submitted, redwire, staff, NOTE)

    assert refused.value.message == message
    assert Introduction.objects.count() == 0
    assert Notification.objects.count() == 0


@pytest.mark.parametrize(
    "status",
    [
        ProposalStatus.SUBMITTED,
        ProposalStatus.SCREENING,
        ProposalStatus.UNDER_REVIEW,
        ProposalStatus.REVISIONS_REQUESTED,
        ProposalStatus.ACCEPTED,
        ProposalStatus.DECLINED,
    ],
)
def test_every_other_status_may_be_introduced(submitted, redwire, staff, status):
    submitted.status = status
    submitted.save()

    introduce_to_provider(submitted, redwire, staff, NOTE)

    assert Introduction.objects.filter(proposal=submitted, organisation=redwire).count() == 1


def test_an_unverified_organisation_is_refused(submitted, staff, provider_user2):
    pending = OrganisationFactory(name="Orbital Start", verified=False)
    MembershipFactory(organisation=pending, user=provider_user2)

    with pytest.raises(IntroductionError) as refused:
        introduce_to_provider(submitted, pending, staff, NOTE)

    assert refused.value.message == (
        "Orbital Start is not verified yet: verify the organisation before introducing proposals to it."
    )


def test_an_organisation_without_members_is_refused(submitted, staff):
    empty = OrganisationFactory(name="Quiet Orbit")

    with pytest.raises(IntroductionError) as refused:
        introduce_to_provider(submitted, empty, staff, NOTE)

    assert refused.value.message == (
        "Quiet Orbit has no members on the portal, so nobody could read or answer the introduction: invite a contact "
        "of the organisation by e-mail, and the introduction waits for them."
    )


def test_only_program_staff_introduce(submitted, redwire, researcher, provider_user):
    for person in (researcher, provider_user):
        with pytest.raises(IntroductionError) as refused:
            introduce_to_provider(submitted, redwire, person, NOTE)
        assert refused.value.message == "Only program staff introduce proposals to providers."
    assert Introduction.objects.count() == 0


def test_a_note_is_required(submitted, redwire, staff):
    with pytest.raises(IntroductionError) as refused:
        introduce_to_provider(submitted, redwire, staff, "   ")

    assert refused.value.message == "Write a note for the provider: why this proposal may suit them."


def test_a_match_of_another_provider_is_refused(submitted, match, tango, staff):
    with pytest.raises(IntroductionError) as refused:
        introduce_to_provider(submitted, tango, staff, NOTE, match=match)

    assert refused.value.message == "ADSEP is listed by Redwire Space, not Space Tango."


def test_a_match_of_another_proposal_is_refused(match, redwire, staff, researcher):
    other = ProposalFactory(owner=researcher, complete=True, status=ProposalStatus.SUBMITTED)

    with pytest.raises(IntroductionError) as refused:
        introduce_to_provider(other, redwire, staff, NOTE, match=match)

    assert refused.value.message == "That match belongs to another proposal."


def test_one_open_introduction_per_provider(submitted, redwire, staff):
    first = introduce_to_provider(submitted, redwire, staff, NOTE)

    with pytest.raises(IntroductionError) as refused:
        introduce_to_provider(submitted, redwire, staff, "Again")

    assert refused.value.message == (
        f"“Liver organoids in microgravity” was already introduced to Redwire Space on "
        f"{first.created_at:%d %B %Y}, and they have not answered yet."
    )
    assert Introduction.objects.count() == 1


def test_the_database_refuses_a_second_open_introduction(submitted, redwire, staff):
    IntroductionFactory(proposal=submitted, organisation=redwire, introduced_by=staff)

    with pytest.raises(IntegrityError), transaction.atomic():
        IntroductionFactory(proposal=submitted, organisation=redwire, introduced_by=staff)


def test_a_provider_that_said_no_may_be_introduced_again(submitted, redwire, staff, provider_user):
    first = introduce_to_provider(submitted, redwire, staff, NOTE)
    answer_introduction(first, provider_user, interested=False, message="Fully booked until 2028.")

    second = introduce_to_provider(submitted, redwire, staff, "Revised: the launch window moved to 2028.")

    assert list(Introduction.objects.filter(proposal=submitted).values_list("pk", "answer")) == [
        (second.pk, ""),
        (first.pk, IntroductionAnswer.NOT_INTERESTED),
    ]


def test_a_provider_that_is_interested_is_not_introduced_again(submitted, redwire, staff, provider_user):
    first = introduce_to_provider(submitted, redwire, staff, NOTE)
    answer_introduction(first, provider_user, interested=True)

    with pytest.raises(IntroductionError) as refused:
        introduce_to_provider(submitted, redwire, staff, NOTE)

    assert refused.value.message == (
        "Redwire Space already answered that they are interested in “Liver organoids in microgravity”: the "
        "contacts are shared."
    )


# --- Answers ----------------------------------------------------------------------------------------------------


def test_an_answer_is_recorded(submitted, redwire, staff, colleague):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)

    answer_introduction(introduction, colleague, interested=True, message="  We can fly it in March.  ")

    introduction.refresh_from_db()
    assert (introduction.answer, introduction.message, introduction.answered_by) == (
        IntroductionAnswer.INTERESTED,
        "We can fly it in March.",
        colleague,
    )
    assert introduction.answered_at is not None
    assert introduction.is_interested is True


def test_the_team_and_staff_are_notified_of_the_answer_once(
    submitted, redwire, staff, provider_user, researcher, researcher2, django_capture_on_commit_callbacks
):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer_introduction(introduction, provider_user, interested=True, message="We can fly it in March.")
    with django_capture_on_commit_callbacks(execute=True):
        introductions._notify_answer(Introduction.objects.get(pk=introduction.pk))  # a retry sends nothing more

    page = f"/proposals/{submitted.public_id}/#introductions"
    desk = f"/admin/projects/proposal/{submitted.pk}/change/"
    assert notifications(NotificationKind.INTRODUCTION_ANSWER) == [
        ("researcher2@example.org", page),
        ("researcher@example.org", page),
        ("staff@example.org", desk),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "researcher2@example.org",
        "researcher@example.org",
        "staff@example.org",
    ]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "[LEO Portal] Redwire Space is interested in “Liver organoids in microgravity”"
    assert "We can fly it in March." in body
    assert "- Redwire Space: partnerships@redwire.example; " in body
    assert f"<{provider_user.email}>" in body


def test_a_no_shares_no_contacts_in_the_notification(
    submitted, redwire, staff, provider_user, django_capture_on_commit_callbacks
):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answer_introduction(introduction, provider_user, interested=False)

    assert {message.subject for message in mail.outbox} == {
        "[LEO Portal] Redwire Space is not interested in “Liver organoids in microgravity”"
    }
    assert all("partnerships@redwire.example" not in message.body for message in mail.outbox)
    assert all(provider_user.email not in message.body for message in mail.outbox)


def test_answering_twice_is_refused(submitted, redwire, staff, provider_user, colleague):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    answer_introduction(introduction, provider_user, interested=False, message="No capacity.")

    for person in (provider_user, colleague):
        with pytest.raises(IntroductionError) as refused:
            answer_introduction(Introduction.objects.get(pk=introduction.pk), person, interested=True)
        assert refused.value.message == (
            f"{provider_user.display_name} already answered “not interested” on "
            f"{introduction.answered_at:%d %B %Y}; an introduction is answered once."
        )

    introduction.refresh_from_db()
    assert (introduction.answer, introduction.message) == (IntroductionAnswer.NOT_INTERESTED, "No capacity.")
    assert Notification.objects.filter(kind=NotificationKind.INTRODUCTION_ANSWER).count() == 3


def test_a_stale_copy_cannot_answer_again(submitted, redwire, staff, provider_user, colleague):
    """Two members answer from pages opened before either answer: the second is refused (the row is re-read)."""
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    stale = Introduction.objects.get(pk=introduction.pk)
    answer_introduction(introduction, provider_user, interested=True)

    with pytest.raises(IntroductionError):
        answer_introduction(stale, colleague, interested=False)

    assert Introduction.objects.get(pk=introduction.pk).answer == IntroductionAnswer.INTERESTED


def test_only_members_of_the_organisation_answer(submitted, redwire, tango, staff, provider_user2, researcher):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)

    for person in (provider_user2, researcher, staff, ProviderUserFactory()):
        with pytest.raises(IntroductionError) as refused:
            answer_introduction(introduction, person, interested=True)
        assert refused.value.message == "Only members of Redwire Space can answer this introduction."
    assert Introduction.objects.get(pk=introduction.pk).answer == ""


def test_a_withdrawn_proposal_cannot_be_answered(submitted, redwire, staff, provider_user, researcher):
    from projects.domain.transitions import set_proposal_status

    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    set_proposal_status(submitted, ProposalStatus.WITHDRAWN, researcher)

    with pytest.raises(IntroductionError) as refused:
        answer_introduction(introduction, provider_user, interested=True)

    assert refused.value.message == "The research team withdrew this proposal, so there is nothing to answer any more."


def test_the_database_keeps_answers_consistent(submitted, redwire, staff):
    for fields in ({"answer": "interested"}, {"message": "Hello"}, {"answer": "maybe"}, {"note": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            IntroductionFactory(proposal=submitted, organisation=redwire, introduced_by=staff, **fields)


def test_history_records_the_introduction_and_the_answer(submitted, redwire, staff, provider_user):
    introduction = introduce_to_provider(submitted, redwire, staff, NOTE)
    answer_introduction(introduction, provider_user, interested=True)

    records = list(introduction.history.order_by("history_date").values_list("history_type", "answer"))

    assert records == [("+", ""), ("~", "interested")]
    assert introduction.history.latest().history_change_reason == "Answered interested"


@pytest.mark.django_db
def test_the_admin_proposal_page_shows_the_introductions_panel(client, staff):
    introduction = IntroductionFactory()
    client.force_login(staff)

    page = soup(client.get(reverse("admin:projects_proposal_change", args=[introduction.proposal.pk])))

    panel = page.select_one("[data-introductions-panel]")
    rows = panel.select('[data-table="introductions"] tbody tr')
    assert [row.select_one("td > a").get_text(strip=True) for row in rows] == [introduction.organisation.name]
