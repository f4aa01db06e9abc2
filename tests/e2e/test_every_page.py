"""Every page each demo role reaches, on a phone (390 px) and a desktop (1280 px).

The demo (``seed_demo``) is the data: its accounts sign in as a newcomer would, and the crawl follows the GET links
of the role's dashboard and the navigation two levels deep (see tests/e2e/crawl.py for what one page of a kind
means). On every page, at both widths: the page is no wider than the screen, no text is squeezed into a column
under about 44 px, no word is cut in the middle by the end of a line, no control is drawn over another, nothing
but the admin's lists scrolls sideways in a box; and axe finds no serious or critical accessibility problem.
Screenshots of every page at both widths go under test-artifacts/e2e/crawl/<role>/.
"""

import json
import os
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from leoportal.demo.accounts import DEMO_STAFF_TOTP_SECRET
from projects.enums import ProposalStatus
from projects.models import Introduction, Proposal
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.e2e.crawl import crawl
from tests.utils import totp_code

pytestmark = pytest.mark.e2e

# The README's "what to try first": a few pictures per role, taken in the same signed-in browser after the crawl.
# `make tour` writes them to docs/tour/ (TOUR_DIR); otherwise they go with the other screenshots.
TOUR_DIR = Path(os.environ.get("TOUR_DIR") or ARTIFACTS / "tour")


def tour(role):
    """(file name, address, viewport) of the pictures of ``role``, from the demo's data."""
    submitted = Proposal.objects.get(
        owner__email="researcher@example.org", status=ProposalStatus.SUBMITTED, stage="full"
    )
    introduction = Introduction.objects.filter(organisation__name="Redwire Space").order_by("created_at").first()
    return {
        "visitor": [
            ("visitor-1-landing.png", "/", DESKTOP),
            ("visitor-2-catalogue-phone.png", "/catalogue/?category=cell_culture_bioreactor&sample_return=yes", PHONE),
        ],
        "researcher": [
            ("researcher-1-my-proposals.png", "/proposals/", DESKTOP),
            ("researcher-2-proposal.png", submitted.get_absolute_url(), DESKTOP),
            ("researcher-3-proposal-phone.png", submitted.get_absolute_url(), PHONE),
        ],
        "provider": [
            ("provider-1-my-organisation.png", "/provider/", DESKTOP),
            ("provider-2-introduction-phone.png", introduction.get_absolute_url(), PHONE),
        ],
        "staff": [
            ("staff-1-review-desk.png", "/admin/", DESKTOP),
            ("staff-2-proposal-at-the-desk.png", f"/admin/projects/proposal/{submitted.pk}/change/", DESKTOP),
        ],
    }[role]


def sign_in_with_second_factor(page, email, password):
    """Program staff's sign-in, both steps: the password, then the code of the demo's authenticator app."""
    page.context.clear_cookies()
    sign_in_as_demo(page, email, password)
    page.get_by_label("Code").fill(totp_code(DEMO_STAFF_TOTP_SECRET))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def photograph_tour(page, role, email, password):
    TOUR_DIR.mkdir(parents=True, exist_ok=True)
    taken = []
    if role == "staff":
        # The crawl covers what staff reach before their second factor; the desk is behind it.
        sign_in_with_second_factor(page, email, password)
    for name, path, viewport in tour(role):
        page.set_viewport_size(viewport)
        response = page.goto(path)
        assert (path, response.status) == (path, 200)
        page.screenshot(path=str(TOUR_DIR / name), animations="disabled", caret="hide")
        taken.append(name)
    return taken


ROLES = [
    ("visitor", None),
    ("researcher", "researcher@example.org"),
    ("provider", "provider@example.org"),
    ("staff", "staff@example.org"),
]


def sign_in_as_demo(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page.url


@pytest.mark.slow(seconds=100)
def test_every_page_each_demo_role_reaches_fits_phone_and_desktop(new_page, live_server, settings):
    call_command("seed_demo", stdout=StringIO())
    public_kinds = Counter()
    reports = []
    for role, email in ROLES:
        page = new_page()
        start = ["/"]
        if email:
            landing = sign_in_as_demo(page, email, settings.DEMO_PASSWORD)
            start = [landing.removeprefix(live_server.url), "/"]
        reports.append(crawl(page, role, live_server.url, start, public_kinds=public_kinds))
        photograph_tour(page, role, email, settings.DEMO_PASSWORD)

    summary = {
        report.person: {
            "pages": len(report.pages),
            "seconds": report.seconds,
            **{step: round(seconds, 1) for step, seconds in sorted(report.spent.items())},
        }
        for report in reports
    }
    (ARTIFACTS / "crawl" / "summary.json").write_text(
        json.dumps({**summary, "pages": {report.person: report.pages for report in reports}}, indent=2)
    )
    print(f"crawl: {summary}")
    problems = {report.person: report.problems for report in reports if report.problems}
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)
