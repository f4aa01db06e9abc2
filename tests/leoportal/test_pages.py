import pytest
from django.test import Client
from django.urls import reverse

from tests.utils import soup

pytestmark = pytest.mark.django_db


def test_home_page_says_what_the_portal_is_with_entry_points(client):
    response = client.get(reverse("home"))

    page = soup(response)
    assert response.status_code == 200
    assert page.h1.get_text(strip=True) == "Start your biomanufacturing experiment in orbit"
    assert [h.get_text(strip=True) for h in page.select("#roles-title ~ .row h3")] == [
        "Researchers",
        "Providers",
        "Program staff",
    ]


def test_base_template_has_skip_link_and_landmarks(client):
    page = soup(client.get(reverse("home")))

    skip = page.select_one("a.skip-link")
    assert (skip["href"], skip.get_text(strip=True)) == ("#main", "Skip to main content")
    assert page.select_one("main#main") is not None
    assert page.select_one("header nav[aria-label=Main]") is not None
    assert page.select_one("footer") is not None


def test_unknown_page_gets_the_custom_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert soup(response).h1.get_text(strip=True) == "Page not found"


def test_server_error_gets_the_custom_500_without_needing_the_database(settings):
    from leoportal.views.site import error_500

    response = error_500(None)

    assert response.status_code == 500
    assert soup(response).h1.get_text(strip=True) == "Something went wrong on our side"


def test_static_assets_are_served_locally(client):
    page = soup(client.get(reverse("home")))

    sources = [tag.get("src") or tag.get("href") for tag in page.select("script[src], link[rel=stylesheet]")]
    assert sources == [
        "/static/vendor/bootstrap/css/bootstrap.min.css",
        "/static/vendor/bootstrap-icons/bootstrap-icons.min.css",
        "/static/css/site.css",
        "/static/vendor/bootstrap/js/bootstrap.bundle.min.js",
        "/static/js/site.js",
    ]


def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("home"))

    policy = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))
    assert policy == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_state_changing_forms_need_csrf(researcher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 403
    assert soup(response).h1.get_text(strip=True) == "This form has expired"


def test_a_refused_request_gets_the_custom_403(rf, researcher):
    from django.core.exceptions import PermissionDenied

    from leoportal.views.site import error_403

    request = rf.get("/somewhere/")
    request.user = researcher
    response = error_403(request, PermissionDenied())

    assert response.status_code == 403
    assert soup(response).h1.get_text(strip=True) == "You cannot do that"
