"""Where a webhook may be sent: HTTPS addresses whose host resolves to public IP addresses only.

Checked when an endpoint is registered and again before every attempt, against a fresh DNS answer, and the attempt
then connects to the very address that was checked (``Target.address``), so a name that resolved to a public address
at registration and to 127.0.0.1 later (DNS rebinding) is refused instead of reaching the portal's own network.
``WEBHOOKS_ALLOW_PRIVATE`` (development only) lifts the address check and allows plain http://.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

# The DNS look-up, a name of its own so that tests can answer it for made-up hosts.
getaddrinfo = socket.getaddrinfo

URL_MAX_LENGTH = 500


class AddressError(Exception):
    """A webhook address the portal will not send to; the message says what to fix."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written, for the Host header and the TLS certificate check
    port: int
    path: str  # with the query string
    address: str  # the checked IP address the attempt connects to


def parse(url: str):
    """(scheme, host, port, path) of ``url``, or AddressError saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise AddressError("Enter the address that should receive the events, starting with https://.")
    if len(url) > URL_MAX_LENGTH:
        raise AddressError(f"Keep the address to {URL_MAX_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressError("That is not a web address: write it as https://host.example/path.") from None
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_PRIVATE else ("https",)
    if parts.scheme not in allowed:
        raise AddressError(
            f"The address must start with https:// (it starts with {parts.scheme or 'nothing'}://): events are "
            "sent encrypted only."
        )
    if not parts.hostname:
        raise AddressError("The address has no host name: write it as https://host.example/path.")
    if parts.username or parts.password:
        raise AddressError("Leave the user name and password out of the address: each event is signed instead.")
    if parts.fragment:
        raise AddressError("Leave the #fragment out of the address: it is never sent to a server.")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def refusal(ip) -> str | None:
    """Why ``ip`` may not receive webhooks, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private network address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "a reserved address"
    return None


def resolve(host: str, port: int) -> list:
    """The IP addresses ``host`` resolves to now (a literal address is its own answer)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        answers = getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise AddressError(
            f"{host} could not be found (no DNS answer): check the host name, or try again once it resolves."
        ) from None
    found = []
    for *_ignored, sockaddr in answers:
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise AddressError(f"{host} could not be found (no DNS answer): check the host name.")
    return found


def check(url: str) -> Target:
    """The target to send to, every address ``url``'s host resolves to being public; AddressError otherwise."""
    scheme, host, port, path = parse(url)
    ips = resolve(host, port)
    if not settings.WEBHOOKS_ALLOW_PRIVATE:
        for ip in ips:
            why = refusal(ip)
            if why:
                raise AddressError(
                    f"{host} resolves to {ip}, {why}: events are sent only to public internet addresses. Use the "
                    "public address of the receiving server."
                )
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(ips[0]))
