"""In the browser: the landing page, a proposal's stage bar, the review desk's front door and the counter under
long text fields, each checked at phone and desktop width (tests/e2e/helpers.check_page)."""

import pytest

from projects.domain.suggestions import landing_example
from projects.enums import ProposalStatus
from projects.matching.explain import group_checks
from projects.models import StatusChange
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import check_page, sign_in, sign_in_to_admin
from tests.factories import ResearcherFactory, StaffFactory
from tests.partners.factories import OrganisationFactory, adsep_listing
from tests.projects.factories import CallFactory, IntroductionFactory, ProposalFactory

pytestmark = pytest.mark.e2e

STAGE_TOPS = "() => [...document.querySelectorAll('[data-stage-bar] .stage')].map(s => s.getBoundingClientRect().top)"


def test_landing_page_shows_the_product_and_each_way_in(page):
    CallFactory()
    adsep_listing(OrganisationFactory(name="Redwire Space"), research_areas=["organoids"])

    page.goto("/")

    assert page.locator("h1").inner_text() == "Start your biomanufacturing experiment in orbit"
    assert page.locator("[data-count]").all_inner_texts() == ["1", "1", "1"]
    example = page.locator("[data-example-match]")
    assert example.locator(".match-name").inner_text() == "ADSEP"
    explained = landing_example()
    headings = [" ".join(text.split()) for text in example.locator(".match-group h4").all_text_contents()]
    assert headings == [f"{heading} ({len(checks)})" for _, heading, checks in group_checks(explained.criteria)]
    assert headings[0].startswith("Fits (")
    assert example.locator("[data-match-summary]").inner_text() == explained.summary
    assert page.locator("[data-role=staff] .role-way-in a").get_attribute("href") == "/accounts/login/"
    assert page.locator("a[href^='/admin']").count() == 0
    check_page(page, "landing")

    page.locator("[data-role=staff] .role-way-in a").click()
    page.wait_for_url("**/accounts/login/")


def test_the_stage_bar_runs_across_a_desktop_and_down_a_phone(new_page):
    researcher = ResearcherFactory(email="ada@example.edu")
    proposal = ProposalFactory(owner=researcher, complete=True, title="Liver organoids")
    for from_status, to_status in (("", ProposalStatus.DRAFT), (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED)):
        StatusChange.objects.create(proposal=proposal, from_status=from_status, to_status=to_status)
    proposal.status = ProposalStatus.SUBMITTED
    proposal.save(update_fields=["status"])
    page = new_page(DESKTOP)
    sign_in(page, "ada@example.edu")

    page.goto(proposal.get_absolute_url())

    bar = page.locator("[data-stage-bar]")
    assert bar.locator(".stage[aria-current=step]").inner_text().split("\n")[0] == "Submitted"
    assert bar.locator("[data-where]").inner_text().startswith("Submitted on ")
    tops = page.evaluate(STAGE_TOPS)
    assert len(set(tops)) == 1  # one row
    page.set_viewport_size(PHONE)
    tops = page.evaluate(STAGE_TOPS)
    assert tops == sorted(tops) and len(set(tops)) == 4  # one stage under the other
    check_page(page, "stage-bar")


def test_the_desk_front_door_shows_what_waits_first(new_page):
    StaffFactory(email="eve@portal.example")
    researcher = ResearcherFactory()
    ProposalFactory(owner=researcher, title="Bone loss in orbit", status=ProposalStatus.SUBMITTED, complete=True)
    ProposalFactory(owner=researcher, title="A draft of mine", status=ProposalStatus.DRAFT)
    IntroductionFactory(
        proposal__owner=researcher, proposal__status=ProposalStatus.ACCEPTED, proposal__title="Accepted study"
    )
    page = new_page(DESKTOP)
    sign_in_to_admin(page, "eve@portal.example")

    piles = page.locator("[data-desk-waiting] [data-pile]")
    assert piles.locator("h3").all_inner_texts() == [
        "Proposals to screen\n1",
        "Reviews due from you\n0",
        "Decision e-mails to send\n0",
        "Researchers asking for an introduction\n0",
        "Introductions unanswered\n1",
        "Failed background tasks\n0",
    ]
    assert page.locator("#content-main .module caption").last.inner_text().strip() == "SYSTEM"
    check_page(page, "desk-front-door")

    page.locator("[data-pile=screen] h3 a").click()
    page.wait_for_url("**/admin/projects/proposal/?status__exact=submitted")
    assert page.locator("#result_list tbody th").all_inner_texts() == ["Bone loss in orbit"]
    page.goto("/admin/projects/proposal/")
    assert sorted(page.locator("#result_list tbody th").all_inner_texts()) == ["Accepted study", "Bone loss in orbit"]
    page.get_by_role("link", name="Every status, drafts too").click()
    page.wait_for_url("**/admin/projects/proposal/?status__exact=all")
    assert sorted(page.locator("#result_list tbody th").all_inner_texts()) == [
        "A draft of mine",
        "Accepted study",
        "Bone loss in orbit",
    ]


def test_a_long_text_field_counts_its_characters_and_never_cuts_them(new_page):
    researcher = ResearcherFactory(email="ada@example.edu")
    proposal = ProposalFactory(owner=researcher)
    page = new_page(PHONE)
    sign_in(page, "ada@example.edu")
    page.goto(f"{proposal.get_absolute_url()}edit/")
    summary = page.get_by_label("Summary")
    counter = page.locator("#id_summary-count")

    summary.fill("Grow liver organoids.")
    assert (counter.inner_text(), counter.get_attribute("data-state")) == ("21 of 20,000 characters.", "ok")
    summary.fill("x" * 19_990)
    assert (counter.inner_text(), counter.get_attribute("data-state")) == (
        "10 characters left (limit 20,000).",
        "near",
    )
    summary.fill("x" * 20_012)  # pasted in full: nothing is cut
    assert summary.input_value() == "x" * 20_012
    assert (counter.inner_text(), counter.get_attribute("data-state")) == (
        "12 characters over the limit of 20,000: shorten it before saving.",
        "over",
    )
    assert "id_summary-count" in summary.get_attribute("aria-describedby").split()
