"""A review panel from invitation to the decisions' e-mails: staff invite a reviewer, who joins the panel; staff
run the suggestions and accept them; the reviewer reads each proposal beside the score form and submits; staff
decide in bulk from the desk and send the drafted e-mails from the outbox."""

import re

import pytest
from django.core import mail

from leoportal.models import Notification
from projects.enums import ProposalStatus
from projects.models import DecisionEmail, Proposal, ReviewAssignment
from tests.e2e.helpers import check_page, sign_in, sign_in_to_admin
from tests.factories import ResearcherFactory, ReviewerFactory, StaffFactory
from tests.projects.factories import CallFactory, NarrativeFactory, ProposalFactory, ReviewRoundFactory

pytestmark = pytest.mark.e2e

TITLES = ("Liver organoids for toxicity screening", "Cardiac organoids under microgravity")


def test_a_panel_reviews_and_staff_send_the_decisions(new_page):
    call = CallFactory(code="NLRA 2027-1", title="Cells, tissues and organoids", reviewers_per_proposal=1)
    grace = ResearcherFactory(email="grace@example.edu", full_name="Grace Hopper", organisation="Example University")
    for title in TITLES:
        proposal = ProposalFactory(
            owner=grace,
            call=call,
            title=title,
            complete=True,
            status=ProposalStatus.UNDER_REVIEW,
            research_areas=["organoids"],
            submission_count=1,
        )
        NarrativeFactory(proposal=proposal)
    ReviewRoundFactory(call=call, name="Full proposal review")
    ReviewerFactory(email="farah@example.org", full_name="Farah Haddad", organisation="")
    StaffFactory(email="staff@example.org", full_name="Sam Staff", organisation="LEO Portal program office")

    # Staff invite the reviewer from the call's panel page.
    staff = new_page()
    sign_in_to_admin(staff, "staff@example.org")
    staff.goto(f"/admin/projects/call/{call.pk}/change/")
    staff.get_by_role("link", name="Invite reviewers and assign proposals").click()
    staff.get_by_label("Reviewer's e-mail address").fill("farah@example.org")
    staff.get_by_role("button", name="Send the invitation").click()
    assert "Invitation sent to farah@example.org" in staff.locator("ul.messagelist").inner_text()
    (invitation,) = [m for m in mail.outbox if m.to == ["farah@example.org"]]
    link = re.search(r"https?://\S+/panels/invitations/\S+/", invitation.body).group(0)

    # The reviewer accepts it with their expertise.
    reviewer = new_page()
    sign_in(reviewer, "farah@example.org", landing="**/reviews/")
    reviewer.goto(link[link.index("/panels/") :])
    reviewer.get_by_label("Organisation").fill("Pacific Stem Cell Center")
    reviewer.get_by_label("Organoids", exact=True).check()
    reviewer.get_by_label("Keywords").fill("liver organoids, cardiac organoids, toxicity")
    reviewer.get_by_role("button", name="Join the panel").click()
    reviewer.wait_for_url("**/reviews/")

    # Staff run the suggestions (a background job) and accept them all.
    staff.reload()
    assert staff.locator("[data-member='farah@example.org'] [data-load]").inner_text() == "0 of 8"
    staff.get_by_role("button", name="Suggest reviewers for every proposal").click()
    staff.get_by_role("link", name="Back to the NLRA 2027-1 panel").click()
    reasons = staff.locator("[data-suggestion] [data-reason]").all_inner_texts()
    assert len(reasons) == 2
    assert all("organoids" in reason for reason in reasons)
    staff.get_by_role("button", name="Accept all").click()
    assert staff.locator("ul.messagelist").inner_text() == "Accepted 2 suggestions."
    assert ReviewAssignment.objects.filter(reviewer__email="farah@example.org").count() == 2
    assert set(ReviewAssignment.objects.values_list("round__name", flat=True)) == {"Full proposal review"}
    check_page(staff, "review-panel")  # rounds, panel and assignments fit a phone (each table scrolls in its box)

    # The reviewer reads each proposal beside the form, submits, and goes on to the next.
    reviewer.reload()
    assert len(reviewer.locator("[data-review-state=to-do]").all()) == 2
    reviewer.locator("[data-assignment] a").first.click()
    check_page(reviewer, "panel-review-workspace")
    for _ in TITLES:
        for name, score in (("scientific_merit", 4), ("need_for_microgravity", 5), ("feasibility", 3), ("value", 4)):
            reviewer.locator(f"input[name={name}][value='{score}']").check()
        reviewer.locator("input[name=operations][value=pass]").check()
        reviewer.get_by_label("Comment").fill("Strong aims; plan the live sample return.")
        reviewer.get_by_role("button", name="Submit and review the next").click()
        reviewer.wait_for_load_state()
    reviewer.goto("/reviews/")
    assert len(reviewer.locator("[data-review-state=done]").all()) == 2

    # Staff see the reviews in, accept both proposals in one move, and the e-mails wait in the outbox.
    staff.goto("/admin/projects/proposal/?review_progress=all_in")
    assert staff.locator("td.field-review_average").all_inner_texts() == [
        "4.00\n1 review · 1 of 1 assigned in",
        "4.00\n1 review · 1 of 1 assigned in",
    ]
    staff.locator("#action-toggle").check()
    staff.locator("select[name=action]").select_option("move_status")
    staff.locator("button[name=index]").first.click()
    staff.get_by_label("Move to").select_option("accepted")
    staff.get_by_role("button", name="Move the selected proposals").click()
    assert "their e-mails wait in the decision outbox" in staff.locator("ul.messagelist").inner_text()
    assert [m for m in mail.outbox if m.to == ["grace@example.edu"]] == []

    # Staff read one draft, release the reviewer's comment into it, and send them all.
    staff.goto("/decisions/outbox/")
    check_page(staff, "decision-outbox")
    staff.get_by_role("link", name=TITLES[0]).click()
    staff.get_by_label(re.compile(r"^Reviewer 1")).check()
    staff.get_by_role("button", name="Release the ticked comments").click()
    body = staff.get_by_label("Body").input_value()
    assert "Reviewer 1:\nStrong aims; plan the live sample return." in body
    assert "Farah" not in body
    check_page(staff, "decision-draft")
    staff.get_by_role("link", name="Decision outbox").first.click()
    staff.get_by_role("button", name="Send all 2").click()
    assert staff.locator(".messages .alert").inner_text() == "Sent 2 decision e-mails to the teams."

    sent = sorted(m.subject for m in mail.outbox if m.to == ["grace@example.edu"])
    assert sent == sorted(f"[LEO Portal] NLRA 2027-1: “{title}” is accepted" for title in TITLES)
    assert DecisionEmail.objects.unsent().count() == 0
    assert Notification.objects.filter(recipient=grace, dedupe_key__startswith="decision:").count() == 2
    assert set(Proposal.objects.values_list("status", flat=True)) == {ProposalStatus.ACCEPTED}
