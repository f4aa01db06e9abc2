"""The webhooks pages: administrators register (the secret shown once), test, rotate, enable and delete; members
see them; bad input is refused in a sentence with what was typed kept."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.utils import soup
from tests.webhooks.factories import EndpointFactory
from webhooks.domain import deliveries
from webhooks.enums import Event
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"


@pytest.fixture
def admin_client(client, provider_user, redwire):
    client.force_login(provider_user)
    return client


def page_url(organisation):
    return reverse("webhooks:endpoints", args=[organisation.slug])


def field_error(page, name):
    return page.select_one(f"#div_id_{name} .invalid-feedback").get_text(strip=True)


def test_organisation_page_has_a_webhooks_section_linking_to_them(admin_client, redwire):
    EndpointFactory(organisation=redwire)
    EndpointFactory(organisation=redwire, is_active=False)

    section = soup(admin_client.get(redwire.get_manage_url())).select_one("[data-webhooks-section]")

    assert section.select_one("a")["href"] == page_url(redwire)
    assert " ".join(section.select_one("p").get_text().split()) == (
        "2 endpoints told of introductions, approved requests and demand changes; 1 disabled after repeated failures."
    )


def test_admin_registers_an_endpoint_and_sees_its_secret_once(admin_client, redwire, dns):
    dns["hooks.redwire.example"] = [PUBLIC]

    response = admin_client.post(
        page_url(redwire),
        {"url": "https://hooks.redwire.example/leo", "events": [Event.DEMAND_CHANGED], "description": "CRM"},
    )

    endpoint = Endpoint.objects.get()
    shown = soup(response).select_one("[data-secret-value]").get_text()
    assert (response.status_code, shown, endpoint.events, endpoint.description) == (
        200,
        endpoint.secret,
        [Event.DEMAND_CHANGED],
        "CRM",
    )
    assert endpoint.secret not in admin_client.get(page_url(redwire)).content.decode()
    assert endpoint.secret not in admin_client.get(endpoint.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"url": "http://hooks.redwire.example/leo", "events": [Event.DEMAND_CHANGED]},
            "url",
            "The address must start with https:// (it starts with http://): events are sent encrypted only.",
        ),
        (
            {"url": "https://intranet.redwire.example/leo", "events": [Event.DEMAND_CHANGED]},
            "url",
            "intranet.redwire.example resolves to 10.0.0.8, a private network address: events are sent only to "
            "public internet addresses. Use the public address of the receiving server.",
        ),
        (
            {"url": "https://hooks.redwire.example/leo", "events": [Event.DEMAND_CHANGED, "proposal.submitted"]},
            "events",
            "“proposal.submitted” is not an event the portal sends: choose among the events listed.",
        ),
        (
            {"url": "https://hooks.redwire.example/leo", "events": []},
            "events",
            "Choose at least one event to be told of.",
        ),
    ],
)
def test_bad_input_refused_with_what_to_fix_and_the_form_keeps_what_was_typed(
    admin_client, redwire, dns, data, field, message
):
    dns["hooks.redwire.example"] = [PUBLIC]
    dns["intranet.redwire.example"] = ["10.0.0.8"]

    response = admin_client.post(page_url(redwire), {**data, "description": "Our CRM"})

    page = soup(response)
    assert (response.status_code, field_error(page, field), Endpoint.objects.count()) == (400, message, 0)
    assert page.select_one("#id_url")["value"] == data["url"]
    assert page.select_one("#id_description")["value"] == "Our CRM"
    assert [box["value"] for box in page.select("input[name=events][checked]")] == [
        value for value in Event.values if value in data["events"]
    ]


def test_member_sees_the_webhooks_but_not_the_forms(client, colleague, redwire):
    endpoint = EndpointFactory(organisation=redwire)
    client.force_login(colleague)

    listing = soup(client.get(page_url(redwire)))
    detail = soup(client.get(endpoint.get_absolute_url()))

    assert [a.get_text() for a in listing.select("[data-endpoints] a")] == [endpoint.url]
    assert (listing.select("[data-endpoint-form]"), detail.select("[data-endpoint-actions]")) == ([], [])
    assert listing.select_one("[data-admins-only]") is not None


@pytest.mark.parametrize("action", ["test", "rotate", "enable", "delete"])
def test_member_who_is_not_an_admin_changes_nothing(client, colleague, redwire, action):
    endpoint = EndpointFactory(organisation=redwire, is_active=False)
    client.force_login(colleague)

    response = client.post(reverse(f"webhooks:{action}", args=[redwire.slug, endpoint.public_id]))
    added = client.post(page_url(redwire), {"url": "https://x.example/", "events": [Event.DEMAND_CHANGED]})

    fresh = Endpoint.objects.get()
    assert (response.status_code, added.status_code) == (404, 404)
    assert (fresh.secret, fresh.is_active, Delivery.objects.count(), Endpoint.objects.count()) == (
        endpoint.secret,
        False,
        0,
        1,
    )


def test_rotate_shows_the_new_secret_once(admin_client, redwire):
    endpoint = EndpointFactory(organisation=redwire)

    response = admin_client.post(reverse("webhooks:rotate", args=[redwire.slug, endpoint.public_id]))

    endpoint.refresh_from_db()
    assert soup(response).select_one("[data-secret-value]").get_text() == endpoint.secret


def test_send_a_test_event_button_records_a_delivery(admin_client, redwire, django_capture_on_commit_callbacks):
    endpoint = EndpointFactory(organisation=redwire)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_client.post(reverse("webhooks:test", args=[redwire.slug, endpoint.public_id]), follow=True)

    delivery = Delivery.objects.get()
    assert (delivery.endpoint, delivery.event, len(queued)) == (endpoint, "webhook.test", 1)
    assert [str(m) for m in response.context["messages"]] == [
        "A test event is on its way: reload this page to see what the endpoint answered."
    ]


def test_enable_button_brings_a_disabled_endpoint_back(admin_client, redwire):
    endpoint = EndpointFactory(organisation=redwire, is_active=False, consecutive_failures=10)
    page = soup(admin_client.get(endpoint.get_absolute_url()))
    assert [b.get_text() for b in page.select("[data-endpoint-actions] button")] == [
        "Enable again",
        "Rotate the secret",
        "Delete",
    ]

    admin_client.post(reverse("webhooks:enable", args=[redwire.slug, endpoint.public_id]))

    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (True, 0)


def test_delete_button_removes_the_endpoint(admin_client, redwire):
    endpoint = EndpointFactory(organisation=redwire)

    response = admin_client.post(reverse("webhooks:delete", args=[redwire.slug, endpoint.public_id]))

    assert (response.status_code, response["Location"], Endpoint.objects.count()) == (302, page_url(redwire), 0)


def test_another_organisations_endpoint_is_a_404_to_an_admin(admin_client, redwire, tango):
    theirs = EndpointFactory(organisation=tango)

    wrong_org = reverse("webhooks:endpoint", args=[redwire.slug, theirs.public_id])
    response = admin_client.get(wrong_org)

    assert (response.status_code, admin_client.get(theirs.get_absolute_url()).status_code) == (404, 404)


def test_endpoint_page_query_count_does_not_grow_with_deliveries(admin_client, redwire):
    endpoint = EndpointFactory(organisation=redwire)

    def queries_with(count):
        for n in range(Delivery.objects.count(), count):
            (delivery,) = deliveries.record([endpoint], Event.DEMAND_CHANGED, {"n": n}, f"k{n}")
            delivery.attempt_log.create(
                number=1, started_at=delivery.created_at, status_code=500, error="Answered 500."
            )
        admin_client.get(endpoint.get_absolute_url())  # warm, as in any running process
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(endpoint.get_absolute_url())
        assert len(soup(response).select("[data-delivery]")) == count
        return len(queries)

    assert queries_with(1) == queries_with(8)


def test_webhooks_page_query_count_does_not_grow_with_endpoints(admin_client, redwire):
    def queries_with(count):
        for _ in range(Endpoint.objects.count(), count):
            EndpointFactory(organisation=redwire)
        admin_client.get(page_url(redwire))  # warm, as in any running process
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(page_url(redwire))
        assert len(soup(response).select("[data-endpoint]")) == count
        return len(queries)

    assert queries_with(1) == queries_with(6)
