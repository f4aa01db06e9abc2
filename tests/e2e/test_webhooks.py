"""A provider administrator, on a phone, registers a webhook, copies its secret and sends a test event to a receiver
on this machine, which verifies the signature; the pages pass the checks at 390 px and 1280 px."""

import json

import pytest

from partners.enums import MembershipRole
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import check_page, sign_in
from tests.factories import ProviderUserFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.utils import wait_for
from tests.webhooks.conftest import Receiver
from tests.webhooks.test_deliveries import verify
from webhooks.models import Endpoint

pytestmark = pytest.mark.e2e


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on this machine
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_an_administrator_registers_a_webhook_on_a_phone_and_sends_a_test_event(new_page, receiver):
    organisation = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    admin = ProviderUserFactory(email="lena@redwire.example", full_name="Lena Park")
    MembershipFactory(organisation=organisation, user=admin, role=MembershipRole.ADMIN)
    page = new_page(PHONE)
    sign_in(page, admin.email, landing="**/provider/")

    page.goto(organisation.get_manage_url())
    page.get_by_role("link", name="Manage webhooks").click()
    page.get_by_label("Address").fill(receiver.url)
    page.get_by_label("A listing's demand figures changed").check()
    page.get_by_label("Description").fill("Our CRM")
    page.get_by_role("button", name="Add the endpoint").click()
    secret = page.locator("[data-secret-value]").inner_text()
    check_page(page, "webhooks list")

    page.get_by_role("link", name=receiver.url).click()
    with page.expect_navigation():  # the form posts and comes back: reloading before it has would race it
        page.get_by_role("button", name="Send a test event").click()
    wait_for(lambda: receiver.requests, timeout=15)
    page.reload()

    (request,) = receiver.requests
    assert verify(secret, request["headers"]["LEO-Signature"], request["body"]) is True
    assert json.loads(request["body"])["event"] == "webhook.test"
    assert page.locator("[data-delivery]").first.get_attribute("data-delivery") == "delivered"
    assert Endpoint.objects.get().secret == secret
    check_page(page, "webhook endpoint")
