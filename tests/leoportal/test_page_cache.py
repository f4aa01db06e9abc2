"""Public pages are kept whole for visitors who are not signed in (domain.page_cache): the second visit costs the
page's fingerprint alone, a change shows at the next visit, and nobody with a session, a message waiting or a form
token is ever given a kept page."""

from datetime import timedelta
from unittest import mock

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leoportal.domain import page_cache, public_pages
from leoportal.domain.page_cache import for_visitors
from tests.factories import PASSWORD
from tests.partners.factories import CapabilityFactory
from tests.projects.factories import CallFactory
from tests.utils import form_data, soup

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    return CapabilityFactory(name="Bioreactor Alpha")


@pytest.fixture
def pages(listing):
    call = CallFactory(title="Cells and tissues")
    return {
        "home": reverse("home"),
        "calls list": reverse("projects:call_list"),
        "a call": call.get_absolute_url(),
        "catalogue": reverse("partners:catalogue"),
        "catalogue search": reverse("partners:catalogue") + "?q=bioreactor",
        "a listing": listing.get_absolute_url(),
    }


@pytest.mark.parametrize("name", ["home", "calls list", "a call", "catalogue", "catalogue search", "a listing"])
def test_a_visitors_second_visit_is_the_kept_page_without_a_query(
    client, pages, django_assert_num_queries, name, monkeypatch
):
    monkeypatch.setattr(public_pages, "minute", lambda: 29_000_000)  # both visits in the same minute, however slow
    first = client.get(pages[name])
    with django_assert_num_queries(0):  # the page and its fingerprint from the cache
        second = client.get(pages[name])

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert "Cookie" in second.headers["Vary"] and "Cookie" in first.headers["Vary"]
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_a_change_to_a_listing_or_a_call_shows_at_the_next_visit(client, pages, listing):
    assert "Bioreactor Alpha" in client.get(pages["a listing"]).text
    assert "Cells and tissues" in client.get(pages["calls list"]).text

    listing.name = "Bioreactor Beta"
    listing.save()
    call = CallFactory(title="Crystals in orbit")

    assert "Bioreactor Beta" in client.get(pages["a listing"]).text
    assert "Bioreactor Beta" in client.get(pages["catalogue"]).text
    assert "Crystals in orbit" in client.get(pages["calls list"]).text
    assert client.get(call.get_absolute_url()).status_code == 200


def test_a_call_opens_on_its_page_when_its_time_comes_without_any_change_saved(client):
    call = CallFactory(upcoming=True)
    assert soup(client.get(call.get_absolute_url())).select_one("[data-state]")["data-state"] == "upcoming"

    later = call.opens_at + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert soup(client.get(call.get_absolute_url())).select_one("[data-state]")["data-state"] == "open"


def test_a_signed_in_user_never_gets_the_visitors_page(client, pages, researcher):
    assert "Sign up" in client.get(pages["calls list"]).text  # kept for visitors

    client.force_login(researcher)
    page = client.get(pages["calls list"])

    assert "Sign out" in page.text and "Sign up" not in page.text
    assert "Cookie" in page.headers["Vary"]
    client.logout()
    assert "Sign up" in Client().get(pages["calls list"]).text


def test_the_message_after_signing_out_is_shown_on_a_kept_page(pages, researcher):
    Client().get(pages["home"])  # kept for visitors
    client = Client()
    client.force_login(researcher)

    home = client.post(reverse("account_logout"), follow=True)

    assert home.request["PATH_INFO"] == pages["home"]
    assert "You have signed out." in home.text
    assert "You have signed out." not in client.get(pages["home"]).text  # shown once
    assert "You have signed out." not in Client().get(pages["home"]).text  # and never kept


def test_a_page_that_used_a_form_token_or_set_a_cookie_is_never_kept(rf):
    rendered = []

    @for_visitors(lambda: "always the same")
    def with_a_form(request):
        rendered.append(request)
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    @for_visitors(lambda: "always the same")
    def with_a_cookie(request):
        rendered.append(request)
        response = HttpResponse("chosen")
        response.set_cookie("choice", "a")
        return response

    for view in (with_a_form, with_a_form, with_a_cookie, with_a_cookie):
        view(rf.get("/page"))

    assert len(rendered) == 4


def test_an_error_page_is_never_kept(rf):
    answers = iter([HttpResponse("busy", status=503), HttpResponse("fine")])

    @for_visitors(lambda: "always the same")
    def flaky(request):
        return next(answers)

    assert flaky(rf.get("/page")).status_code == 503
    assert flaky(rf.get("/page")).content == b"fine"


def test_the_calls_fingerprint_moves_each_minute():
    now = timezone.now()

    with mock.patch("django.utils.timezone.now", return_value=now):
        first = public_pages.calls_now()
        assert public_pages.calls_now() == first
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(minutes=1)):
        assert public_pages.calls_now() != first


def test_a_fingerprint_is_read_once_and_forgotten_when_a_listing_is_saved(listing, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = public_pages.listings()
    with django_assert_num_queries(0):
        assert public_pages.listings() == first

    listing.name = "Renamed"
    listing.save()

    with django_assert_num_queries(1):
        assert public_pages.listings() != first


def test_the_sign_in_page_is_kept_with_a_working_token_of_each_visitors_own(researcher, django_assert_num_queries):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page = first.get(reverse("account_login"))
    with django_assert_num_queries(0):
        second_page = second.get(reverse("account_login"))

    tokens = [form_data(page, "form[method=post]")["csrfmiddlewaretoken"][0] for page in (first_page, second_page)]
    assert tokens[0] != tokens[1]
    assert second.cookies["csrftoken"].value and second.cookies["csrftoken"].value != first.cookies["csrftoken"].value
    assert "{form-token}" not in second_page.text
    assert second_page.text.replace(tokens[1], "") == first_page.text.replace(tokens[0], "")
    signed_in = second.post(
        reverse("account_login"),
        {"csrfmiddlewaretoken": tokens[1], "login": researcher.email, "password": PASSWORD},
    )
    assert (signed_in.status_code, signed_in["Location"]) == (302, reverse("dashboard"))
    refused = first.post(
        reverse("account_login"),
        {"csrfmiddlewaretoken": tokens[1], "login": researcher.email, "password": PASSWORD},
    )
    assert refused.status_code == 403  # the other visitor's token is no good with this visitor's cookie


def test_every_kept_markup_starts_afresh_with_a_deployment(monkeypatch):
    before = page_cache.markup_key("suggestions/1", 42)
    assert page_cache.markup_key("suggestions/1", 42) == before
    assert page_cache.markup_key("suggestions/1", 43) != before

    monkeypatch.setattr(page_cache, "release", lambda: "the next deployment")

    assert page_cache.markup_key("suggestions/1", 42) != before
