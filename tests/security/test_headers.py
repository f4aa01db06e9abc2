"""Security headers under production settings, and templates that a strict Content-Security-Policy can serve:
no inline scripts, no inline styles, no event-handler attributes on any page."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from partners.enums import MembershipRole
from projects.enums import ProposalStatus
from tests.factories import PASSWORD
from tests.partners.factories import CapabilityFactory, MembershipFactory, OrganisationFactory
from tests.projects.factories import CallFactory, IntroductionFactory, ProposalFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True


@pytest.fixture
def site(researcher, provider_user, staff):
    call = CallFactory()
    proposal = ProposalFactory(owner=researcher, call=call, complete=True, status=ProposalStatus.UNDER_REVIEW)
    ReviewFactory(proposal=proposal, reviewer=staff)
    organisation = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    listing = CapabilityFactory(organisation=organisation)
    introduction = IntroductionFactory(proposal=proposal, organisation=organisation)
    return {
        "researcher": researcher,
        "provider": provider_user,
        "staff": staff,
        "call": call,
        "proposal": proposal,
        "organisation": organisation,
        "listing": listing,
        "introduction": introduction,
    }


def pages(site):
    """(who looks, URL) for a page of every kind: public, account, researcher, provider, staff, the admin."""
    proposal, organisation, listing = site["proposal"], site["organisation"], site["listing"]
    return [
        (None, reverse("home")),
        (None, reverse("projects:call_list")),
        (None, site["call"].get_absolute_url()),
        (None, reverse("partners:catalogue")),
        (None, listing.get_absolute_url()),
        (None, organisation.get_absolute_url()),
        (None, reverse("account_login")),
        (None, reverse("account_signup")),
        (None, reverse("account_reset_password")),
        (None, "/no-such-page/"),
        ("researcher", reverse("projects:dashboard")),
        ("researcher", proposal.get_absolute_url()),
        ("researcher", reverse("projects:proposal_start")),
        ("researcher", reverse("notifications")),
        ("researcher", reverse("notification_settings")),
        ("researcher", reverse("account_change_password")),
        ("provider", reverse("partners:dashboard")),
        ("provider", organisation.get_manage_url()),
        ("provider", reverse("partners:listing_create", args=[organisation.slug])),
        ("provider", reverse("partners:import_upload", args=[organisation.slug])),
        ("provider", site["introduction"].get_absolute_url()),
        ("staff", reverse("admin:index")),
        ("staff", reverse("admin:projects_proposal_changelist")),
        ("staff", reverse("admin:projects_proposal_change", args=[proposal.pk])),
        ("staff", reverse("admin:projects_proposal_review", args=[proposal.pk])),
        ("staff", reverse("admin:projects_proposal_dashboard")),
        ("staff", reverse("projects:introduce", args=[proposal.public_id])),
    ]


def fetch(site, who, url, **extra):
    client = Client(**extra)
    if who:
        client.force_login(site[who])
    return client.get(url, secure=True, headers={"host": "portal.example.org"})


def csp(response) -> dict[str, list[str]]:
    policy = {}
    for directive in response["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def test_every_page_carries_the_security_headers_in_production(production, site):
    for who, url in pages(site):
        response = fetch(site, who, url)

        assert response.status_code in (200, 404), (url, response.status_code)
        policy = csp(response)
        for directive in ("script-src", "style-src", "default-src"):
            assert policy[directive] == ["'self'"], (url, directive, policy[directive])
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert "'unsafe-eval'" not in response["Content-Security-Policy"], url
        assert (policy["frame-ancestors"], policy["object-src"], policy["base-uri"]) == (
            ["'none'"],
            ["'none'"],
            ["'none'"],
        ), url
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload", url


def test_plain_http_is_redirected_to_https_in_production(production):
    response = Client().get(reverse("home"), headers={"host": "portal.example.org"})

    assert (response.status_code, response["Location"]) == (301, "https://portal.example.org/")


def test_cookies_are_secure_and_http_only_in_production(production, researcher):
    client = Client()
    client.get(reverse("account_login"), secure=True, headers={"host": "portal.example.org"})
    response = client.post(
        reverse("account_login"),
        {"login": "researcher@example.org", "password": PASSWORD},
        secure=True,
        headers={"host": "portal.example.org"},
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")
    csrf = client.cookies["csrftoken"]
    assert (csrf["secure"], csrf["httponly"]) == (True, True)


def test_no_hsts_header_while_debugging(settings, client):
    settings.DEBUG = True
    settings.SECURE_HSTS_SECONDS = 0

    response = client.get(reverse("home"), secure=True)

    assert "Strict-Transport-Security" not in response


def inline_code(html) -> list[str]:
    """Everything on a page a CSP without 'unsafe-inline' would block (or that needs it to work)."""
    page = soup_of(html)
    found = []
    for element in page.find_all(True):
        for attribute in element.attrs:
            if attribute == "style" or attribute.lower().startswith("on"):
                found.append(f"<{element.name} {attribute}=...>")
            if attribute in ("href", "src", "action") and str(element[attribute]).strip().lower().startswith(
                "javascript:"
            ):
                found.append(f"<{element.name} {attribute}=javascript:...>")
        if element.name == "script" and not element.get("src") and element.get("type") != "application/json":
            found.append(f"inline <script>: {element.get_text()[:60]!r}")
        if element.name == "style":
            found.append(f"inline <style>: {element.get_text()[:60]!r}")
    return found


def soup_of(html):
    return BeautifulSoup(html, "html.parser")


def test_no_page_has_inline_scripts_styles_or_event_handlers(site):
    offenders = {}
    for who, url in pages(site):
        response = fetch(site, who, url)
        found = inline_code(response.content.decode())
        if found:
            offenders[url] = sorted(set(found))

    assert offenders == {}


def test_the_inline_code_check_finds_what_it_looks_for():
    html = (
        '<div style="color:red"><a href="javascript:go()">x</a><img src=x onerror="go()">'
        "<script>go()</script><script src=/s.js></script><style>p{}</style>"
        '<script type="application/json" id="data">{}</script></div>'
    )

    assert inline_code(html) == [
        "<div style=...>",
        "<a href=javascript:...>",
        "<img onerror=...>",
        "inline <script>: 'go()'",
        "inline <style>: 'p{}'",
    ]
