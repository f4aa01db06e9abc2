"""The webhook tests' cast: Redwire Space (administered by ``provider_user``, with a plain member), a receiver that
is a real HTTP server on this machine, and DNS answers for made-up host names."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from partners.enums import MembershipRole
from tests.factories import ProviderUserFactory
from tests.partners.factories import MembershipFactory, OrganisationFactory
from webhooks.domain import addresses


@pytest.fixture
def redwire(provider_user):
    organisation = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    return organisation


@pytest.fixture
def tango(provider_user2):
    organisation = OrganisationFactory(name="Space Tango", slug="space-tango")
    MembershipFactory(organisation=organisation, user=provider_user2, role=MembershipRole.ADMIN)
    return organisation


@pytest.fixture
def colleague(redwire):
    """A plain member (not an administrator) of Redwire Space."""
    user = ProviderUserFactory(email="colleague@redwire.example", full_name="Cole Reed")
    MembershipFactory(organisation=redwire, user=user, role=MembershipRole.MEMBER)
    return user


class Receiver:
    """An HTTP server on 127.0.0.1 that records every request and answers with the next status of ``answers``
    (the last one repeats)."""

    def __init__(self):
        self.requests = []
        self.answers = [200]
        self.on_request = None  # called (in the server's thread) before answering
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                    status = receiver.answers[min(len(receiver.requests), len(receiver.answers)) - 1]
                if receiver.on_request is not None:
                    receiver.on_request()
                answer = json.dumps({"received": len(receiver.requests)}).encode()
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "https://elsewhere.example/")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/hooks/leo?source=portal"


@pytest.fixture
def receiver(settings):
    """A real local receiver; loopback is allowed (WEBHOOKS_ALLOW_PRIVATE) in the tests that use it, only."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def dns(monkeypatch):
    """Answer DNS look-ups from a table the test fills (host -> addresses); an unknown host has no answer."""
    table = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in table[host]
        ]

    monkeypatch.setattr(addresses, "getaddrinfo", getaddrinfo)
    return table


class Clock:
    def __init__(self, start):
        self.current = start

    def __call__(self):
        return self.current

    def advance(self, seconds):
        self.current += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch):
    """The portal's clock (django.utils.timezone.now), moved by the test."""
    fake = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", fake)
    return fake
