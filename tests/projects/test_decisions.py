"""Decisions staff approve: a staff decision drafts its e-mail in the outbox (the call's template, or the default);
staff edit it, release reviewers' comments (quoted unsigned) and send one, a selection or all, each once, through
the notification machinery."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from leoportal.domain import notifications
from leoportal.enums import NotificationKind
from leoportal.models import Notification
from projects.domain import decisions
from projects.domain.transitions import set_proposal_status, set_status_of_many
from projects.enums import Access
from projects.enums import ProposalStatus as S
from projects.models import DECISION_STATUSES, DecisionEmail, DecisionTemplate, Review
from projects.models.decisions import PLACEHOLDERS
from tests.factories import ReviewerFactory
from tests.projects.factories import CallFactory, CoInvestigatorFactory, ProposalFactory, ReviewFactory
from tests.utils import soup

pytestmark = pytest.mark.django_db

OUTBOX = reverse("projects:decision_outbox")


def under_review(owner, title="Liver organoids", **values):
    return ProposalFactory(owner=owner, title=title, status=S.UNDER_REVIEW, complete=True, **values)


def page_of(email) -> str:
    return reverse("projects:decision_email", args=[email.public_id])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Templates ------------------------------------------------------------------------------------------------------


def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(researcher):
    template = DecisionTemplate(call=CallFactory(), decision=S.ACCEPTED, subject="{title}", body="Dear {pi_nmae},")

    with pytest.raises(ValidationError) as refused:
        template.full_clean()

    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    assert refused.value.message_dict == {"body": [f"Unknown placeholder {{pi_nmae}}. Use only these: {known}."]}


def test_the_admin_refuses_a_template_with_an_unknown_placeholder_keeping_what_was_typed(client, staff):
    template = DecisionTemplate.objects.create(
        call=CallFactory(), decision=S.DECLINED, subject="{title}", body="Dear {pi_name},"
    )
    client.force_login(staff)
    data = {"call": template.call_id, "decision": "declined", "subject": "{title}", "body": "Dear {name},"}

    response = client.post(reverse("admin:projects_decisiontemplate_change", args=[template.pk]), data)

    assert response.status_code == 200
    page = soup(response)
    assert (
        page.select_one(".field-body .errorlist")
        .get_text(strip=True)
        .startswith("Unknown placeholder {name}. Use only these: {pi_name}, {title},")
    )
    assert page.select_one("textarea[name=body]").get_text().strip() == "Dear {name},"
    template.refresh_from_db()
    assert template.body == "Dear {pi_name},"


def test_a_call_without_templates_drafts_from_the_defaults_and_the_call_s_own_wins(researcher, staff):
    call = CallFactory(code="NLRA 2027-9")
    first, second = under_review(researcher, "First", call=call), under_review(researcher, "Second", call=call)

    set_proposal_status(first, S.ACCEPTED, staff)
    DecisionTemplate.objects.create(call=call, decision=S.ACCEPTED, subject="{call} yes: {title}", body="Hi {pi_name}")
    set_proposal_status(second, S.ACCEPTED, staff)

    drafts = {email.proposal.title: email for email in DecisionEmail.objects.all()}
    assert drafts["First"].subject == "NLRA 2027-9: “First” is accepted"
    assert (drafts["Second"].subject, drafts["Second"].body) == (
        "NLRA 2027-9 yes: Second",
        f"Hi {researcher.display_name}\n",
    )


def test_every_decision_has_a_default_and_a_saved_call_gets_them_to_edit(staff, client):
    call = CallFactory()

    assert decisions.ensure_templates(call) == len(DECISION_STATUSES)
    assert decisions.ensure_templates(call) == 0  # never twice
    for template in DecisionTemplate.objects.filter(call=call):
        template.full_clean()  # the defaults use known placeholders only
    client.force_login(staff)
    page = soup(client.get(reverse("admin:projects_call_change", args=[call.pk])))
    fields = page.select("input[name^='decision_templates-'][name$='-subject']")
    subjects = sorted(field["value"] for field in fields if "__prefix__" not in field["name"])
    assert subjects == sorted(subject for subject, _body in decisions.DEFAULTS.values())


# --- Drafting -------------------------------------------------------------------------------------------------------


def test_a_bulk_decision_drafts_one_e_mail_each_and_sends_nothing(
    researcher, researcher2, staff, django_capture_on_commit_callbacks
):
    proposals = [under_review(researcher, f"Proposal {n}") for n in (1, 2, 3)]

    with django_capture_on_commit_callbacks(execute=True):
        changes = set_status_of_many([p.pk for p in proposals], S.DECLINED, staff, note="Outside the focus.")

    drafts = DecisionEmail.objects.order_by("proposal__title")
    assert [(d.proposal.title, d.decision, d.status_change, d.sent_at) for d in drafts] == [
        (p.title, S.DECLINED, change, None) for p, change in zip(proposals, changes, strict=True)
    ]
    assert all("Outside the focus." in draft.body for draft in drafts)
    assert mail.outbox == []
    assert Notification.objects.filter(kind=NotificationKind.STATUS_CHANGE).count() == 0


def test_only_released_comments_fill_the_placeholder_unsigned(researcher, staff):
    proposal = under_review(researcher)
    named = ReviewerFactory(full_name="Farah Haddad")
    ReviewFactory(proposal=proposal, reviewer=named, comment="Strong aims; plan the sample return.")
    withheld = ReviewFactory(proposal=proposal, comment="Internal: the PI oversells.")
    ReviewFactory(proposal=proposal, reviewer=ReviewerFactory(), comment="Good controls.", submitted_at=None)  # draft
    decisions.release_comments(proposal, [r.pk for r in Review.objects.exclude(pk=withheld.pk)])

    set_proposal_status(proposal, S.REVISIONS_REQUESTED, staff)

    body = DecisionEmail.objects.get().body
    assert "Comments from the reviewers:\n\nReviewer 1:\nStrong aims; plan the sample return.\n\n" in body
    assert ("oversells" in body, "Good controls" in body, "Farah" in body, "Haddad" in body) == (False,) * 4
    assert list(Review.objects.filter(comment_released=True).values_list("comment", flat=True)) == [
        "Strong aims; plan the sample return."
    ]


def test_releasing_on_the_draft_page_fills_the_draft_again(client, researcher, staff):
    proposal = under_review(researcher)
    review = ReviewFactory(proposal=proposal, comment="Plan the return at 4 °C.")
    set_proposal_status(proposal, S.ACCEPTED, staff)
    email = DecisionEmail.objects.get()
    assert "Plan the return" not in email.body
    client.force_login(staff)

    response = client.post(page_of(email), {"intent": "release", "review": [str(review.pk)]}, follow=True)

    email.refresh_from_db()
    assert "Reviewer 1:\nPlan the return at 4 °C." in email.body
    assert messages_of(response) == ["Comments released as ticked; the draft is filled from the template again."]


# --- The outbox ----------------------------------------------------------------------------------------------------


def test_staff_edit_a_draft_and_a_placeholder_left_in_it_is_refused_keeping_what_was_typed(client, researcher, staff):
    set_proposal_status(under_review(researcher), S.ACCEPTED, staff)
    email = DecisionEmail.objects.get()
    client.force_login(staff)

    refused = client.post(page_of(email), {"intent": "save", "subject": "Accepted", "body": "Dear {pi_name}, yes."})
    saved = client.post(page_of(email), {"intent": "save", "subject": "Accepted!", "body": "Dear Ada, yes."})

    assert refused.status_code == 400
    form = soup(refused)
    assert form.select_one("textarea[name=body]").get_text().removeprefix("\n") == "Dear {pi_name}, yes."
    assert form.select_one("#error_1_id_body").get_text(strip=True) == (
        "{pi_name} would reach the team as typed: placeholders are filled when the draft is made, so write the "
        "words themselves here."
    )
    assert saved.status_code == 302
    email.refresh_from_db()
    assert (email.subject, email.body, email.sent_at) == ("Accepted!", "Dear Ada, yes.\n", None)


def test_send_one_from_its_page_reaches_the_team_once(
    client, researcher, researcher2, staff, django_capture_on_commit_callbacks
):
    proposal = under_review(researcher)
    CoInvestigatorFactory(proposal=proposal, user=researcher2, email=researcher2.email, access=Access.VIEW)
    set_proposal_status(proposal, S.ACCEPTED, staff)
    email = DecisionEmail.objects.get()
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            page_of(email), {"intent": "send", "subject": "Accepted", "body": "Well done."}, follow=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(page_of(email), {"intent": "send", "subject": "Accepted", "body": "Twice?"}, follow=True)

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        (researcher2.email, "[LEO Portal] Accepted"),
        (researcher.email, "[LEO Portal] Accepted"),
    ]
    assert "Well done." in mail.outbox[0].body
    assert messages_of(first) == ["Sent 1 decision e-mail to the teams."]
    assert messages_of(again) == ["This e-mail was sent already; it was neither changed nor sent again."]
    email.refresh_from_db()
    assert (email.body, email.sent_by) == ("Well done.\n", staff)


def test_send_a_selection_then_all_each_once_and_an_already_sent_one_is_said(
    client, researcher, staff, django_capture_on_commit_callbacks
):
    proposals = [under_review(researcher, f"Proposal {n}") for n in (1, 2, 3)]
    set_status_of_many([p.pk for p in proposals], S.ACCEPTED, staff)
    first, *_others = DecisionEmail.objects.order_by("proposal__title")
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        chosen = client.post(OUTBOX, {"intent": "send_selected", "email": [str(first.public_id)]}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        rest = client.post(OUTBOX, {"intent": "send_all"}, follow=True)
    with django_capture_on_commit_callbacks(execute=True):
        repeat = client.post(OUTBOX, {"intent": "send_selected", "email": [str(first.public_id)]}, follow=True)

    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"[LEO Portal] {p.call.code}: “{p.title}” is accepted" for p in proposals
    )
    assert messages_of(chosen) == ["Sent 1 decision e-mail to the teams."]
    assert messages_of(rest) == ["Sent 2 decision e-mails to the teams."]
    assert messages_of(repeat) == ["1 was sent already and was not sent again: “Proposal 1”."]
    assert DecisionEmail.objects.unsent().count() == 0


def test_a_decision_sent_while_the_broker_is_down_is_e_mailed_by_the_sweep_once(researcher, staff):
    set_proposal_status(under_review(researcher), S.DECLINED, staff)
    email = DecisionEmail.objects.get()

    decisions.send_decisions([email], staff)  # its on_commit never runs: as if the broker were down

    (row,) = Notification.objects.filter(dedupe_key=f"decision:{email.public_id}")
    assert (row.recipient, row.emailed_at, mail.outbox) == (researcher, None, [])
    assert notifications.overdue_email_ids(grace=timedelta(0)) == [row.pk]
    assert [notifications.send_email(pk) for pk in (row.pk, row.pk)] == [True, False]
    assert [m.to for m in mail.outbox] == [[researcher.email]]
    assert decisions.send_decisions([email], staff).already_sent == [email]


def test_the_desk_says_where_a_decision_s_e_mail_went(client, researcher, staff):
    proposal = under_review(researcher)
    client.force_login(staff)

    response = client.post(
        reverse("admin:projects_proposal_status", args=[proposal.pk]), {"new_status": "accepted"}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "Moved “Liver organoids” from “Under review” to “Accepted”; its e-mail to the team waits in the decision "
        "outbox."
    ]
    assert DecisionEmail.objects.get().proposal == proposal


def test_the_outbox_lists_drafts_and_what_was_sent(client, researcher, staff):
    drafted, sent = under_review(researcher, "Drafted"), under_review(researcher, "Sent")
    set_status_of_many([drafted.pk, sent.pk], S.ACCEPTED, staff)
    decisions.send_decisions([DecisionEmail.objects.get(proposal=sent)], staff)
    client.force_login(staff)

    page = soup(client.get(OUTBOX))

    assert [row.select_one(".cell-title a").get_text() for row in page.select("[data-draft]")] == ["Drafted"]
    assert [li.a.get_text() for li in page.select("[data-sent-email]")] == [f"{sent.call.code}: “Sent” is accepted"]


@pytest.mark.parametrize("count", [2, 12])
def test_outbox_and_draft_pages_take_the_same_queries_whatever_the_numbers(
    client, researcher, staff, django_assert_num_queries, count
):
    proposals = [under_review(researcher, f"Proposal {n}") for n in range(count)]
    for proposal in proposals:
        ReviewFactory(proposal=proposal)
    set_status_of_many([p.pk for p in proposals], S.ACCEPTED, staff)
    decisions.send_decisions(list(DecisionEmail.objects.all()[: count // 2]), staff)
    email = DecisionEmail.objects.unsent().first()
    client.force_login(staff)

    # user, the drafts, the sent ones, the unread notifications of the menu (then kept; the session is read from
    # Redis)
    with django_assert_num_queries(4):
        assert client.get(OUTBOX).status_code == 200
    # user, the e-mail with its proposal, its reviews
    with django_assert_num_queries(3):
        assert client.get(page_of(email)).status_code == 200


def test_the_default_body_reads_well_without_a_note_or_comments(researcher, staff):
    proposal = under_review(researcher)

    set_proposal_status(proposal, S.ACCEPTED, staff)

    assert DecisionEmail.objects.get().body == (
        f"Dear {researcher.display_name},\n\n"
        f"We are glad to tell you that your proposal “Liver organoids” for {proposal.call.code} is accepted. Program "
        "staff will be in touch about the next steps towards flight.\n\n"
        f"Your proposal: {settings.SITE_URL}{proposal.get_absolute_url()}\n"
    )


@pytest.mark.parametrize("model", ["decisiontemplate", "decisionemail"])
def test_the_admin_lists_of_decision_e_mails_take_the_same_queries_whatever_the_numbers(
    client, researcher, staff, django_assert_num_queries, django_assert_max_num_queries, model
):
    def add(count):
        proposals = [under_review(researcher, f"Proposal {n}") for n in range(count)]
        set_status_of_many([p.pk for p in proposals], S.DECLINED, staff)
        for proposal in proposals:
            decisions.ensure_templates(proposal.call)

    url = reverse(f"admin:projects_{model}_changelist")
    client.force_login(staff)
    add(2)
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    add(10)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert len(soup(response).select("#result_list tbody tr")) == (48 if model == "decisiontemplate" else 12)


def test_a_draft_whose_proposal_moved_on_says_so(client, researcher, staff):
    proposal = under_review(researcher)
    set_proposal_status(proposal, S.REVISIONS_REQUESTED, staff)
    email = DecisionEmail.objects.get()
    client.force_login(staff)
    before = soup(client.get(page_of(email))).select("[data-moved-on]")
    set_proposal_status(proposal, S.WITHDRAWN, researcher)

    after = soup(client.get(page_of(email))).select_one("[data-moved-on]").get_text(" ", strip=True)

    assert before == []
    assert after == (
        "The proposal has moved on since this decision: it is “Withdrawn” now. Check this e-mail still says the "
        "right thing before sending it."
    )
