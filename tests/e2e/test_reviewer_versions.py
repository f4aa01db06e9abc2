"""A reviewer reads what changed: the review page names the latest version and the changes since the one before,
and the versions page shows them word by word, at desktop and phone width. The reviewer's calendar address is on
the account's Calendar page."""

import pytest

from projects.domain import panels
from projects.enums import ProposalStatus
from tests.e2e.helpers import check_page, sign_in
from tests.factories import ResearcherFactory, ReviewerFactory, StaffFactory
from tests.projects.factories import PanelMemberFactory
from tests.projects.test_versions import improve_and_resubmit, submitted

pytestmark = pytest.mark.e2e


def test_a_reviewer_sees_the_changes_since_the_previous_version(page):
    owner = ResearcherFactory(email="ada@example.edu")
    proposal = submitted(owner)
    improve_and_resubmit(proposal, owner, summary="Grow liver organoids for 21 days and return them cold.")
    proposal.status = ProposalStatus.UNDER_REVIEW
    proposal.save(update_fields=["status"])
    reviewer = ReviewerFactory(email="farah@example.org")
    PanelMemberFactory(call=proposal.call, reviewer=reviewer)
    panels.assign([(proposal, reviewer)], StaffFactory())

    sign_in(page, "farah@example.org", landing="**/reviews/")
    page.get_by_role("link", name="Liver organoids").first.click()
    latest = page.locator("[data-latest-version]")
    assert latest.locator("h2").inner_text().startswith("Version 2, submitted ")
    assert latest.locator("[data-changes-since-previous] li").all_inner_texts() == [
        "Summary",
        "Full narrative replaced: “narrative-v1.pdf” → “narrative-v2.pdf”",
    ]
    check_page(page, "reviewer-latest-version")

    page.get_by_role("link", name="See the changes since version 1, word by word").click()
    page.wait_for_url("**/versions/?a=1&b=2#differences-title")
    summary = page.locator("[data-change=Summary]")
    assert (summary.locator("del").all_inner_texts(), summary.locator("ins").all_inner_texts()) == (
        ["14", "live."],
        ["21", "cold."],
    )
    check_page(page, "reviewer-versions")

    page.goto("/account/calendar/")
    page.get_by_role("button", name="Make my calendar address").click()
    page.wait_for_url("**/account/calendar/")
    assert page.locator("[data-calendar-url]").inner_text().endswith(".ics")
    check_page(page, "reviewer-calendar")
