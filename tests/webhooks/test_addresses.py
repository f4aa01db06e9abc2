"""Targets must be HTTPS and resolve to public addresses only, at registration and again at each attempt."""

import ipaddress

import pytest

from webhooks.domain import addresses, deliveries, endpoints
from webhooks.domain.addresses import AddressError
from webhooks.enums import Event
from webhooks.exceptions import WebhookError
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"


def refusal(url):
    with pytest.raises(AddressError) as refused:
        addresses.check(url)
    return refused.value.message


def test_check_public_https_address_gives_the_checked_address_to_connect_to(dns):
    dns["hooks.redwire.example"] = [PUBLIC]

    target = addresses.check("https://hooks.redwire.example:8443/leo?x=1")

    assert target == addresses.Target("https", "hooks.redwire.example", 8443, "/leo?x=1", PUBLIC)


def test_check_plain_http_refused_saying_to_use_https(dns):
    dns["hooks.redwire.example"] = [PUBLIC]

    assert refusal("http://hooks.redwire.example/leo") == (
        "The address must start with https:// (it starts with http://): events are sent encrypted only."
    )


@pytest.mark.parametrize(
    ("ip", "why"),
    [
        ("127.0.0.1", "a loopback address (this machine)"),
        ("::1", "a loopback address (this machine)"),
        ("10.1.2.3", "a private network address"),
        ("192.168.0.10", "a private network address"),
        ("172.16.5.4", "a private network address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("fd00::5", "a private network address"),
        ("::ffff:127.0.0.1", "a loopback address (this machine)"),
        ("100.64.0.1", "a reserved address"),
        ("240.0.0.1", "a private network address"),
        ("0.0.0.0", "a private network address"),  # noqa: S104 -- an address refused, not bound
        ("224.0.0.1", "a multicast address"),
    ],
)
def test_check_host_resolving_to_a_non_public_address_refused(dns, ip, why):
    dns["hooks.redwire.example"] = [ip]

    assert refusal("https://hooks.redwire.example/leo") == (
        f"hooks.redwire.example resolves to {ipaddress.ip_address(ip)}, {why}: events are sent only to public "
        "internet addresses. Use the public address of the receiving server."
    )


def test_check_refuses_when_any_of_several_answers_is_private(dns):
    dns["hooks.redwire.example"] = [PUBLIC, "10.0.0.7"]

    assert refusal("https://hooks.redwire.example/").startswith("hooks.redwire.example resolves to 10.0.0.7, a private")


def test_check_literal_private_address_refused_without_dns(dns):
    assert refusal("https://192.168.1.1/hook").startswith("192.168.1.1 resolves to 192.168.1.1, a private network")


def test_check_unknown_host_refused_saying_it_was_not_found(dns):
    assert refusal("https://nowhere.redwire.example/") == (
        "nowhere.redwire.example could not be found (no DNS answer): check the host name, or try again once it "
        "resolves."
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the address that should receive the events, starting with https://."),
        (
            "hooks.redwire.example/leo",
            "The address must start with https:// (it starts with nothing://): events are sent encrypted only.",
        ),
        ("https:///leo", "The address has no host name: write it as https://host.example/path."),
        (
            "https://ops:pw@hooks.redwire.example/",
            "Leave the user name and password out of the address: each event is signed instead.",
        ),
        ("https://hooks.redwire.example:99999/", "That is not a web address: write it as https://host.example/path."),
    ],
)
def test_check_malformed_address_refused_with_what_to_fix(dns, url, message):
    assert refusal(url) == message


def test_allow_private_setting_lets_development_use_loopback_and_http(dns, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    dns["receiver.local"] = ["127.0.0.1"]

    assert addresses.check("http://receiver.local:8001/").address == "127.0.0.1"


def test_register_private_address_refused_and_nothing_saved(dns, redwire, provider_user):
    dns["intranet.redwire.example"] = ["10.20.30.40"]

    with pytest.raises(AddressError):
        endpoints.register(redwire, provider_user, "https://intranet.redwire.example/", [Event.DEMAND_CHANGED])

    assert Endpoint.objects.count() == 0


def test_registered_name_rebound_to_loopback_is_refused_at_the_attempt(
    dns, redwire, provider_user, django_capture_on_commit_callbacks
):
    """DNS rebinding: public when registered, 127.0.0.1 when the event goes out: the attempt never connects."""
    dns["hooks.redwire.example"] = [PUBLIC]
    endpoint, _secret = endpoints.register(redwire, provider_user, "https://hooks.redwire.example/", Event.values)
    dns["hooks.redwire.example"] = ["127.0.0.1"]

    with django_capture_on_commit_callbacks(execute=True):
        deliveries.record([endpoint], Event.DEMAND_CHANGED, {"fits": 1}, "rebind")

    delivery = Delivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert (delivery.status, delivery.attempts, attempt.status_code, attempt.succeeded) == ("pending", 1, None, False)
    assert attempt.error == (
        "hooks.redwire.example resolves to 127.0.0.1, a loopback address (this machine): events are sent only to "
        "public internet addresses. Use the public address of the receiving server."
    )


def test_register_unknown_event_refused_naming_it_and_the_events_there_are(dns, redwire, provider_user):
    dns["hooks.redwire.example"] = [PUBLIC]

    with pytest.raises(WebhookError) as refused:
        endpoints.register(redwire, provider_user, "https://hooks.redwire.example/", ["listing.deleted"])

    assert refused.value.message == (
        "“listing.deleted” is not an event the portal sends. Choose among: introduction.received (an introduction "
        "received by the organisation); introduction_request.approved (a researcher's request about a listing "
        "approved); listing.demand_changed (a listing's demand figures changed)."
    )
    assert Endpoint.objects.count() == 0


def test_register_by_a_member_who_is_not_an_admin_refused(dns, redwire, colleague):
    dns["hooks.redwire.example"] = [PUBLIC]

    with pytest.raises(WebhookError) as refused:
        endpoints.register(redwire, colleague, "https://hooks.redwire.example/", [Event.DEMAND_CHANGED])

    assert refused.value.message == "Only administrators of Redwire Space manage its webhooks."
