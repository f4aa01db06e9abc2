"""Improve until the deadline: reopening a submission, a frozen version per submission (answers, team, every file
version), and the differences between any two versions."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from projects.domain import attachments
from projects.domain.proposals import save_draft, submit_proposal
from projects.domain.submission import format_deadline
from projects.domain.transitions import set_proposal_status
from projects.domain.versions import compare, word_diff
from projects.enums import AttachmentKind, ProposalStatus
from projects.exceptions import CallNotOpen, IllegalTransition
from projects.models import Call, CoInvestigator, Proposal, ProposalVersion
from tests.projects.factories import CallFactory, NarrativeFactory, ProposalFactory, pdf_bytes, pdf_upload
from tests.utils import soup

pytestmark = pytest.mark.django_db

S = ProposalStatus


def submitted(owner):
    proposal = ProposalFactory(owner=owner, complete=True, call=CallFactory(), title="Liver organoids")
    NarrativeFactory(proposal=proposal, original_name="narrative-v1.pdf")
    submit_proposal(proposal, owner)
    return proposal


def improve_and_resubmit(proposal, owner, **answers):
    set_proposal_status(proposal, S.DRAFT, owner)
    save_draft(proposal, answers, owner)
    attachments.add_attachment(
        proposal, AttachmentKind.NARRATIVE, pdf_upload("narrative-v2.pdf", pdf_bytes(pages=2)), owner
    )
    submit_proposal(proposal, owner)


def test_each_submission_freezes_a_version_and_a_resubmission_tells_staff_and_rescores(
    researcher, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = submitted(researcher)
        first_scoring = Proposal.objects.get().match_requested_at
        improve_and_resubmit(proposal, researcher, summary="Grow liver organoids for 21 days and return them cold.")

    proposal.refresh_from_db()
    assert (proposal.status, proposal.submission_count) == (S.SUBMITTED, 2)
    assert list(ProposalVersion.objects.values_list("number", "answers__summary")) == [
        (1, "Grow liver organoids for 14 days and return them live."),
        (2, "Grow liver organoids for 21 days and return them cold."),
    ]
    subjects = [n.subject for n in Notification.objects.filter(kind=NotificationKind.SUBMISSION).order_by("pk")]
    code = proposal.call.code
    assert subjects == [f"New proposal ({code}): Liver organoids", f"Resubmitted ({code}): Liver organoids"]
    assert proposal.match_requested_at > first_scoring
    assert [message.subject for message in mail.outbox if message.to == [staff.email]][-1] == (
        f"[LEO Portal] Resubmitted ({code}): Liver organoids"
    )


def test_every_uploaded_file_version_is_kept(client, researcher):
    proposal = submitted(researcher)
    improve_and_resubmit(proposal, researcher)
    client.force_login(researcher)

    first, second = (
        client.get(reverse("projects:version_file", args=[proposal.public_id, number, 0])) for number in (1, 2)
    )

    assert [version.files[0]["name"] for version in ProposalVersion.objects.all()] == [
        "narrative-v1.pdf",
        "narrative-v2.pdf",
    ]
    assert first["Content-Disposition"] == 'attachment; filename="narrative-v1.pdf"'
    assert second["Content-Disposition"] == 'attachment; filename="narrative-v2.pdf"'
    assert b"".join(first.streaming_content) != b"".join(second.streaming_content)


def test_a_submission_is_reopened_only_before_the_deadline(researcher):
    proposal = submitted(researcher)
    Call.objects.filter(pk=proposal.call_id).update(closes_at=timezone.now() - timedelta(minutes=1))
    proposal.refresh_from_db()

    with pytest.raises(IllegalTransition) as refused:
        set_proposal_status(proposal, S.DRAFT, researcher)

    assert str(refused.value).startswith("The deadline passed on ")
    assert str(refused.value).endswith(
        "the submitted version stands and can no longer be reopened. Program staff can ask for revisions if they need "
        "them."
    )
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED


def test_a_reopened_proposal_cannot_be_resubmitted_after_the_deadline(researcher):
    proposal = submitted(researcher)
    set_proposal_status(proposal, S.DRAFT, researcher)
    Call.objects.filter(pk=proposal.call_id).update(closes_at=timezone.now() - timedelta(minutes=1))
    proposal.refresh_from_db()

    with pytest.raises(CallNotOpen, match=r"no longer accepts proposals\. Your draft is saved\."):
        submit_proposal(proposal, researcher)

    assert ProposalVersion.objects.count() == 1


def form_as_posted(page) -> dict:
    """What a browser would post from the proposal form as it is shown (every control of #proposal-form)."""
    data = {}
    for control in page.select(
        "#proposal-form input[name], #proposal-form textarea[name], #proposal-form select[name]"
    ):
        name = control["name"]
        if control.name == "textarea":
            data[name] = control.get_text().removeprefix("\n")
        elif control.name == "select":
            chosen = [option.get("value", "") for option in control.select("option[selected]")]
            data[name] = chosen if control.has_attr("multiple") else (chosen[0] if chosen else "")
        elif control.get("type") in ("checkbox", "radio"):
            if control.has_attr("checked"):
                data.setdefault(name, []).append(control.get("value", "on"))
        elif control.get("type") not in ("submit", "file"):
            data[name] = control.get("value", "")
    return data


def test_a_resubmission_after_the_deadline_is_refused_from_the_form_and_keeps_what_was_typed(client, researcher):
    proposal = submitted(researcher)
    set_proposal_status(proposal, S.DRAFT, researcher)
    Call.objects.filter(pk=proposal.call_id).update(closes_at=timezone.now() - timedelta(minutes=1))
    client.force_login(researcher)
    edit = reverse("projects:proposal_edit", args=[proposal.public_id])
    typed = {**form_as_posted(soup(client.get(edit))), "summary": "Improved too late.", "action": "submit"}

    response = client.post(edit, typed)

    proposal.refresh_from_db()
    assert response.status_code == 200
    assert (proposal.status, proposal.summary, ProposalVersion.objects.count()) == (S.DRAFT, "Improved too late.", 1)
    assert [str(message) for message in response.context["messages"]] == [
        f"{proposal.call.code} closed on {format_deadline(proposal.call.closes_at)} and no longer accepts proposals. "
        "Your draft is saved."
    ]
    assert soup(response).select_one("#id_summary").get_text().strip() == "Improved too late."


@pytest.mark.parametrize("who", ["staff", "researcher2", "outsider"])
def test_only_the_pi_reopens_a_submission(request, client, researcher, who):
    proposal = submitted(researcher)
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse("projects:proposal_reopen", args=[proposal.public_id]))

    proposal.refresh_from_db()
    assert (response.status_code, proposal.status) == (404, S.SUBMITTED)


def test_reopening_from_the_proposal_page(client, researcher):
    proposal = submitted(researcher)
    client.force_login(researcher)
    page = soup(client.get(proposal.get_absolute_url()))
    assert page.find("button", string="Reopen to improve") is not None

    response = client.post(reverse("projects:proposal_reopen", args=[proposal.public_id]))

    proposal.refresh_from_db()
    assert (response["Location"], proposal.status) == (
        reverse("projects:proposal_edit", args=[proposal.public_id]),
        S.DRAFT,
    )


def test_the_differences_between_two_versions(researcher):
    proposal = submitted(researcher)
    CoInvestigator.objects.create(
        proposal=proposal, name="Kim Lee", email="kim@example.edu", organisation="Gulf Coast University", role="co_pi"
    )
    improve_and_resubmit(
        proposal,
        researcher,
        summary="Grow liver organoids for 21 days and return them cold.",
        amount_requested=300000,
    )
    older, newer = ProposalVersion.objects.order_by("number")

    comparison = compare(older, newer)

    assert [(change.label, change.before, change.after) for change in comparison.answers] == [
        (
            "Summary",
            "Grow liver organoids for 14 days and return them live.",
            "Grow liver organoids for 21 days and return them cold.",
        ),
        ("Amount requested (USD)", "250000", "300000"),
    ]
    assert comparison.answers[0].words == [
        ("same", "Grow liver organoids for"),
        ("removed", "14"),
        ("added", "21"),
        ("same", "days and return them"),
        ("removed", "live."),
        ("added", "cold."),
    ]
    assert comparison.team == ["Added Kim Lee (Gulf Coast University)"]
    assert comparison.files == ["Full narrative replaced: “narrative-v1.pdf” → “narrative-v2.pdf”"]


def test_word_diff_of_unchanged_text_is_one_run():
    assert word_diff("a b c", "a b c") == [("same", "a b c")]


@pytest.mark.parametrize(
    ("who", "status_code"),
    [("researcher", 200), ("staff", 200), ("researcher2", 404), ("provider_user", 404), ("outsider", 404)],
)
def test_the_versions_page_is_as_confidential_as_the_proposal(request, client, researcher, who, status_code):
    proposal = submitted(researcher)
    improve_and_resubmit(proposal, researcher, summary="Grow liver organoids for 21 days and return them cold.")
    client.force_login(request.getfixturevalue(who))

    page = client.get(reverse("projects:proposal_versions", args=[proposal.public_id]))
    download = client.get(reverse("projects:version_file", args=[proposal.public_id, 1, 0]))

    assert (page.status_code, download.status_code) == (status_code, status_code)
    if status_code == 200:
        shown = soup(page)
        assert [row["data-version"] for row in shown.select("[data-version]")] == ["1", "2"]
        assert shown.select_one("[data-change=Summary] del").get_text() == "14"
        assert shown.select_one("[data-change=Summary] ins").get_text() == "21"
