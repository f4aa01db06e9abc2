"""The journeys across roles, end to end, each person in a browser context of their own.

1. A researcher signs up, drafts over two visits (one section by keyboard alone), is told what is missing, uploads
   the narrative, submits and sees suggested partners; staff are notified, review the proposal and introduce it to
   a matched provider; the provider member is notified and answers; the researcher sees the answer.
2. A provider signs up and registers an organisation (pending until staff verify it), adds a listing and publishes
   it; the open proposals are rescored and the listing appears in a researcher's suggestions.

Background tasks run in-process after each commit (the suite's eager Celery), as dispatched in production.
"""

import re

import pytest
from django.core import mail

from leoportal.enums import NotificationKind
from leoportal.models import Notification
from leoportal.tasks import sweep_outboxes_task
from partners.enums import MembershipRole
from partners.models import Capability, Organisation
from projects.enums import IntroductionAnswer, ProposalStatus
from projects.matching.explain import group_checks
from projects.models import Introduction, Match, Proposal, RescoreRequest, Review
from tests.e2e.helpers import answer_interested, check_page, open_section, sign_in, sign_in_to_admin, sign_out
from tests.factories import PASSWORD, ProviderUserFactory, ResearcherFactory, StaffFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory, adsep_listing
from tests.projects.factories import CallFactory, ProposalFactory, pdf_bytes
from tests.utils import later

pytestmark = pytest.mark.e2e

FOCUS_VISIBLE = """() => {
    const style = getComputedStyle(document.activeElement);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== 'none';
}"""


def sign_up(page, role, name, organisation, email, landing):
    page.goto("/accounts/signup/")
    page.get_by_label(role).check()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Organisation").fill(organisation)
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    (message,) = [m for m in mail.outbox if m.to == [email]]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(landing)


def press_until_focused(page, key, element_id, limit=40):
    """Press ``key`` until the element with ``element_id`` has the focus, checking the focus is visible at each stop."""
    for _ in range(limit):
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_VISIBLE), f"focus not visible on #{page.evaluate('document.activeElement.id')}"
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} never received the focus")


def unread(page):
    return page.get_by_role("navigation", name="Main").locator("[data-unread]").get_attribute("data-unread")


def open_notification(page, subject):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("Notifications")).click()
    item = page.get_by_role("list", name="Your notifications").get_by_role("listitem").filter(has_text=subject)
    item.get_by_role("button", name="Open").click()


def choose_score(page, legend, label):
    page.locator("fieldset.desk-radios", has=page.locator("legend", has_text=legend)).get_by_label(label).check()


@pytest.mark.slow(seconds=35)
def test_researcher_submits_staff_introduce_and_the_provider_answers(new_page, tmp_path):
    CallFactory(code="NLRA 2027-1", title="Cells, tissues and organoids")
    StaffFactory(email="eve@portal.example", full_name="Eve Marchetti")
    redwire = OrganisationFactory(name="Redwire Space", slug="redwire-space", contact_email="partners@redwire.example")
    carmen = ProviderUserFactory(email="carmen@redwire.example", full_name="Carmen Diaz")
    MembershipFactory(organisation=redwire, user=carmen, role=MembershipRole.ADMIN)
    adsep_listing(redwire)

    # --- The researcher signs up and meets an empty dashboard that says what to do.
    researcher = new_page()
    researcher.emulate_media(reduced_motion="reduce")  # focus styles without transitions
    sign_up(
        researcher,
        "Researcher",
        "Ada Okafor",
        "Midwest Regenerative Medicine Institute",
        "ada@mw.example",
        "**/proposals/",
    )
    empty = researcher.locator("[data-empty=proposals]")
    assert empty.locator("h2").inner_text() == "You have no proposals yet"
    assert empty.locator("p").first.inner_text() == (
        "Find a call that fits your research (1 open now), then start a draft: you can fill it in over several "
        "sittings and submit when it is complete."
    )
    check_page(researcher, "journey-researcher-dashboard-empty")

    # First sitting: start a draft on the open call and save a few fields.
    empty.get_by_role("link", name="Browse calls").click()
    researcher.get_by_role("link", name=re.compile("Cells, tissues and organoids")).first.click()
    check_page(researcher, "journey-call")
    researcher.get_by_role("link", name=re.compile("Start a proposal")).first.click()
    researcher.get_by_label("Working title").fill("Liver organoids for toxicity screening")
    researcher.get_by_role("button", name="Start draft").click()
    researcher.wait_for_url("**/edit/")
    researcher.get_by_label("Summary").fill("Grow 96 liver organoids for 14 days and return half of them live.")
    open_section(researcher, "Flight requirements")
    researcher.get_by_label("Minimum (°C)").fill("36.5")
    researcher.get_by_label("Maximum (°C)").fill("37.5")
    researcher.get_by_label("Cell culture / bioreactor").check()
    researcher.get_by_role("button", name="Save draft").click()
    researcher.wait_for_url("**/edit/")
    assert researcher.get_by_role("status").first.inner_text().strip() == "Draft saved."
    sign_out(researcher)

    # Second sitting: the draft is where it was left; the Science section is filled in by keyboard alone.
    sign_in(researcher, "ada@mw.example", "**/proposals/")
    researcher.get_by_role("link", name=re.compile("Continue draft")).click()
    assert researcher.get_by_label("Summary").input_value() == (
        "Grow 96 liver organoids for 14 days and return half of them live."
    )
    open_section(researcher, "Science")  # the form shows one section at a time; its menu link keeps the focus
    press_until_focused(researcher, "Tab", "id_why_microgravity")
    researcher.keyboard.type("Organoids self-assemble without scaffolds in microgravity.")
    press_until_focused(researcher, "Tab", "id_earth_benefit")
    researcher.keyboard.type("Better liver toxicity models for drug development.")
    organoids = researcher.get_by_label("Organoids", exact=True)
    press_until_focused(researcher, "Tab", organoids.get_attribute("id"))
    researcher.keyboard.press("Space")
    assert organoids.is_checked()
    press_until_focused(researcher, "Tab", "id_trl_current")
    researcher.keyboard.press("ArrowDown")  # a closed select takes the next option
    researcher.keyboard.press("Tab")
    assert researcher.evaluate("document.activeElement.id") == "id_trl_target"
    assert researcher.evaluate(FOCUS_VISIBLE)
    for _ in range(3):
        researcher.keyboard.press("ArrowDown")
    assert (
        researcher.get_by_label("Current TRL").input_value(),
        researcher.get_by_label("Target TRL").input_value(),
    ) == (
        "1",
        "3",
    )
    # A tri-state question by keyboard: Tab reaches the group at its checked radio, the arrows change the answer.
    open_section(researcher, "Flight requirements")
    press_until_focused(researcher, "Tab", "id_co2_2")  # "Not stated"
    researcher.keyboard.press("ArrowLeft")
    researcher.keyboard.press("ArrowLeft")
    assert researcher.evaluate("document.activeElement.id") == "id_co2_0"
    assert researcher.evaluate(FOCUS_VISIBLE)
    assert researcher.locator("#id_co2_0").is_checked()  # "Yes"

    # Submitting with things missing: each error sits under its field, linked to it, and a summary lists them.
    researcher.get_by_role("button", name="Save and submit").click()
    researcher.wait_for_url("**/edit/")
    problems = researcher.locator("#submission-problems")
    assert problems.get_attribute("role") == "alert"
    assert problems.locator("h3").all_inner_texts() == ["Overview", "Team and eligibility", "Funding", "Attachments"]
    objectives = researcher.get_by_label("Objectives")
    described_by = objectives.get_attribute("aria-describedby").split()
    error = researcher.locator("#id_objectives ~ .invalid-feedback, #id_objectives + .invalid-feedback").first
    assert error.get_attribute("id") in described_by
    assert error.inner_text() == "Needed before you can submit."
    assert objectives.get_attribute("aria-invalid") == "true"
    problems.get_by_role("link", name=re.compile("Objectives")).click()
    assert researcher.evaluate("document.activeElement.id") == "id_objectives"
    check_page(researcher, "journey-proposal-missing")

    objectives.fill("Compare organoid size and albumin output with ground controls.")
    open_section(researcher, "Team and eligibility")
    researcher.get_by_label("UEI (SAM.gov Unique Entity ID)").fill("j7m9-hptg-j1s8")
    researcher.locator("#id_attest_us_persons").check()
    researcher.locator("#id_attest_export_control").check()
    open_section(researcher, "Funding")
    researcher.get_by_label("Amount requested (USD)").fill("250000")
    researcher.get_by_role("button", name="Save draft").click()
    researcher.wait_for_url("**/edit/")
    narrative = tmp_path / "Liver narrative.pdf"
    narrative.write_bytes(pdf_bytes(pages=2))
    open_section(researcher, "Attachments")
    researcher.locator("#id_narrative-file").set_input_files(str(narrative))
    researcher.get_by_role("button", name="Upload the narrative").click()
    researcher.wait_for_url("**/edit/#attachments")
    researcher.get_by_role("button", name="Save and submit").click()
    # Tasks run in the request here (eager): the submission scores the proposal and freezes its version before the
    # page answers, which takes longer than the default wait while the other test process loads the machine.
    researcher.wait_for_url(re.compile(r"/proposals/[0-9a-f-]{36}/$"), timeout=60_000)
    assert researcher.locator("main .status-badge").first.inner_text() == "Submitted"

    # Scoring ran after the submission committed: the page shows the stored suggestions.
    suggestions = researcher.locator("section.suggestions")
    assert suggestions.locator("[data-suggestions-state]").get_attribute("data-suggestions-state") == "stored"
    assert suggestions.locator('ol[aria-label="Suggested facilities"] > li').get_attribute("data-match") == "adsep"
    # The researcher reads the best match: a summary line first, then why, in groups they can scan.
    best = suggestions.locator('ol[aria-label="Suggested facilities"] > li').first
    stored = Match.objects.filter(proposal__title="Liver organoids for toxicity screening").order_by("rank").first()
    assert best.locator("[data-match-summary]").inner_text() == stored.summary
    assert re.fullmatch(r"Meets \d+ of \d+ needs( · .+)*", stored.summary)
    assert not best.locator("[data-check-groups]").is_visible()
    best.get_by_text("Why", exact=True).click()
    headings = [" ".join(h.split()).split(" (")[0] for h in best.locator("[data-group] h4").all_text_contents()]
    assert headings == [heading for _, heading, _ in group_checks(stored.criteria)]
    assert headings[0] == "Fits"
    assert suggestions.locator("[data-score-scale]").count() == 1
    check_page(researcher, "journey-proposal-submitted")
    proposal = Proposal.objects.get()
    assert proposal.status == ProposalStatus.SUBMITTED

    # --- Staff are notified, open the proposal at the desk, review it and introduce it from the match.
    staff = new_page()
    sign_in_to_admin(staff, "eve@portal.example")
    staff.goto("/")
    assert unread(staff) == "1"  # the submission
    open_notification(staff, "New proposal (NLRA 2027-1): Liver organoids for toxicity screening")
    staff.wait_for_url(f"**/admin/projects/proposal/{proposal.pk}/change/")
    check_page(staff, "journey-desk-proposal")
    staff.get_by_role("link", name="Review this proposal").click()
    staff.wait_for_url("**/review/")
    choose_score(staff, "Scientific merit", "5 · Excellent")
    choose_score(staff, "Need for microgravity", "4 · Very good")
    choose_score(staff, "Feasibility", "4 · Very good")
    choose_score(staff, "Earth and commercial value", "3 · Good")
    choose_score(staff, "Operations screen", "Pass")
    staff.get_by_label("Comment").fill("Clear aims; ADSEP fits the temperature range.")
    staff.get_by_role("button", name="Save my review").click()
    staff.wait_for_url(f"**/admin/projects/proposal/{proposal.pk}/change/")
    assert staff.locator("#desk-reviews-title").inner_text() == "Reviews: average 4.00"
    assert Review.objects.get().overall == 4.0

    staff.locator("[data-matches] tbody tr", has_text="ADSEP").locator("[data-introduce]").click()
    assert staff.get_by_label("Provider", exact=True).input_value() == "redwire-space"
    staff.get_by_label("Note to the provider").fill("ADSEP fits the temperature range and returns samples.")
    check_page(staff, "journey-introduce")
    staff.get_by_role("button", name="Introduce and notify the provider").click()
    staff.wait_for_url(f"**/admin/projects/proposal/{proposal.pk}/change/")
    introduction = Introduction.objects.get()

    # --- The provider member is notified, reads the introduction and answers interested.
    provider = new_page()
    sign_in(provider, "carmen@redwire.example", "**/provider/")
    assert unread(provider) == "1"
    open_notification(provider, "Introduction to a proposal: “Liver organoids for toxicity screening”")
    provider.wait_for_url(f"**/introductions/{introduction.public_id}/")
    assert provider.locator("h1").inner_text() == "Liver organoids for toxicity screening"
    assert provider.locator("[data-contacts-hidden]").is_visible()
    assert provider.get_by_text("Ada Okafor").count() == 0
    check_page(provider, "journey-introduction-provider")
    answer_interested(provider, introduction, "We can fly it on the March increment.")
    assert provider.locator("[data-pi-contact] dd").all_inner_texts() == [
        "Ada Okafor",
        "ada@mw.example",
        "Midwest Regenerative Medicine Institute",
    ]
    assert Introduction.objects.get().answer == IntroductionAnswer.INTERESTED

    # --- The researcher is told and sees the answer with the provider's contacts.
    researcher.goto("/proposals/")
    assert unread(researcher) == "1"
    open_notification(researcher, "Redwire Space is interested in “Liver organoids for toxicity screening”")
    researcher.wait_for_url(re.compile(rf"/proposals/{proposal.public_id}/(#introductions)?$"))
    item = researcher.locator("#introductions [data-introduction]")
    assert item.locator("[data-answer]").inner_text() == "Interested"
    assert item.locator("[data-answer-message]").inner_text() == "We can fly it on the March increment."
    assert item.locator("[data-provider-contact] dd").all_inner_texts() == [
        "partners@redwire.example",
        "Carmen Diaz, carmen@redwire.example",
    ]
    check_page(researcher, "journey-proposal-answered")
    assert Notification.objects.filter(kind=NotificationKind.INTRODUCTION_ANSWER).count() == 2


def test_a_new_providers_listing_reaches_a_researchers_suggestions(new_page):
    StaffFactory(email="eve@portal.example", full_name="Eve Marchetti")
    proposal = ProposalFactory(
        owner=ResearcherFactory(email="ada@mw.example", full_name="Ada Okafor"),
        complete=True,
        status=ProposalStatus.SUBMITTED,
        submission_count=1,
        title="Stem cell expansion in microgravity",
        needs=["cell_culture_bioreactor"],
        temperature_min_c=36,
        temperature_max_c=38,
    )

    # --- The researcher's submitted proposal: first waiting for its scoring, then scored with nothing to compare.
    researcher = new_page()
    sign_in(researcher, "ada@mw.example", "**/proposals/")
    researcher.goto(proposal.get_absolute_url())
    state = researcher.locator("section.suggestions [data-suggestions-state]")
    assert (state.get_attribute("data-suggestions-state"), state.inner_text()) == (
        "queued",
        "Your proposal is being matched against the catalogue. Suggestions appear here within a few minutes; "
        "reload the page to see them.",
    )
    assert sweep_outboxes_task(later())["projects.scoring"] == 1  # what beat runs every minute
    researcher.reload()
    assert (state.get_attribute("data-suggestions-state"), state.inner_text()) == (
        "none",
        "No suggestions yet: no provider has published a listing to compare your flight requirements with. "
        "Suggestions appear here as soon as one does; program staff will also look for partners with you.",
    )
    check_page(researcher, "journey-suggestions-none")

    # --- A provider signs up and registers an organisation: pending verification, no listings yet.
    provider = new_page()
    sign_up(
        provider,
        "Provider (implementation partner)",
        "Grace Orbit",
        "Orbital Biofab",
        "grace@orbital-biofab.example",
        "**/provider/",
    )
    assert provider.get_by_role("heading", name="Start by registering your organisation").is_visible()
    provider.get_by_role("link", name="Create an organisation").click()
    provider.get_by_label("Name").fill("Orbital Biofab")
    provider.get_by_label("Website").fill("https://orbital-biofab.example")
    provider.get_by_label("Country").fill("United States")
    provider.get_by_role("button", name="Create the organisation").click()
    provider.wait_for_url("**/provider/organisations/orbital-biofab/")
    pending = provider.locator("[data-verification=pending]")
    assert pending.inner_text() == (
        "Pending verification. Program staff have been notified and will check Orbital Biofab. Until then its "
        "listings stay out of the public catalogue, even when published."
    )
    assert provider.locator("section[aria-labelledby=listings-title] [data-empty]").inner_text() == (
        "No listings yet. Add your first facility with “Add a listing”, or upload a capability file to add "
        "several at once."
    )
    check_page(provider, "journey-organisation-pending")

    # The provider lists the hardware and publishes it while the organisation waits: it stays out of sight.
    provider.get_by_role("link", name="Add a listing").click()
    provider.locator("#id_name").fill("Orbital Incubator")
    provider.get_by_label("Platform", exact=True).fill("ISS (EXPRESS rack)")
    provider.get_by_label("Cell culture / bioreactor", exact=True).check()
    provider.get_by_label("Lowest temperature (°C)").fill("4")
    provider.get_by_label("Highest temperature (°C)").fill("40")
    provider.locator("#id_sample_return_0").check()
    provider.get_by_role("button", name="Save as draft").click()
    provider.wait_for_url("**/provider/listings/*/")
    provider.get_by_role("button", name="Publish").click()
    assert provider.locator("[data-publication]").get_attribute("data-publication") == "published-hidden"
    check_page(provider, "journey-listing-hidden")
    listing = Capability.objects.get(name="Orbital Incubator")
    researcher.goto("/catalogue/")
    assert researcher.locator("[data-results] .card-title").count() == 0
    researcher.goto(proposal.get_absolute_url())
    assert state.get_attribute("data-suggestions-state") == "none"  # rescored on publication: still nothing

    # --- Staff are notified of the organisation and verify it at the desk.
    staff = new_page()
    sign_in_to_admin(staff, "eve@portal.example")
    staff.goto("/")
    open_notification(staff, "New provider organisation to verify: Orbital Biofab")
    staff.wait_for_url(re.compile(r".*/admin/partners/organisation/\d+/change/$"))
    check_page(staff, "journey-desk-organisation")
    staff.get_by_label("Verified").check()
    staff.get_by_role("button", name="Save", exact=True).click()
    staff.wait_for_url(re.compile(r".*/admin/partners/organisation/(\?.*)?$"))
    assert Organisation.objects.get(name="Orbital Biofab").verified is True

    # Verification asked for the organisation's published listings to be rescored; that ran after the commit.
    assert RescoreRequest.objects.count() == 0
    assert list(proposal.matches.values_list("capability__name", flat=True)) == ["Orbital Incubator"]
    provider.reload()
    assert provider.locator("[data-publication]").get_attribute("data-publication") == "published"
    check_page(provider, "journey-listing-published")

    researcher.goto(proposal.get_absolute_url())
    assert state.get_attribute("data-suggestions-state") == "stored"
    facility = researcher.get_by_role("list", name="Suggested facilities").get_by_role("listitem")
    assert facility.get_attribute("data-match") == listing.external_id
    assert facility.get_by_role("link", name="Orbital Incubator", exact=True).get_attribute("href") == (
        listing.get_absolute_url()
    )
    check_page(researcher, "journey-suggestions-new-listing")
