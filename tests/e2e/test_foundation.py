import re

import pytest
from django.core import mail

from leoportal.models import User
from tests.e2e.helpers import check_page
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_home_page_renders_cleanly_at_both_widths(page):
    page.goto("/")

    assert page.locator("h1").inner_text() == "Start your biomanufacturing experiment in orbit"
    check_page(page, "home")


def test_researcher_signs_up_verifies_the_address_and_reaches_the_dashboard(page):
    page.goto("/accounts/signup/")
    check_page(page, "sign-up")
    page.get_by_label("Researcher").check()
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Organisation").fill("Example University")
    page.get_by_label("Email").fill("grace@example.edu")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()

    page.wait_for_url("**/accounts/confirm-email/")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/proposals/")
    assert User.objects.get(email="grace@example.edu").role == "researcher"
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="My proposals").is_visible()


def test_keyboard_user_can_skip_to_content(page):
    page.goto("/")
    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
