"""One HTTP POST to a checked target: connects to the address that was checked (not a fresh DNS answer), verifies
the TLS certificate against the host name, follows no redirect and waits ``WEBHOOKS_TIMEOUT_SECONDS`` at most."""

from dataclasses import dataclass

import urllib3
from django.conf import settings

from webhooks.domain.addresses import Target

SNIPPET_LENGTH = 500


@dataclass(frozen=True)
class Answer:
    status: int
    snippet: str


class SendError(Exception):
    """Nothing usable came back (no connection, a TLS problem, a timeout); the message says which."""


def post(target: Target, body: bytes, headers: dict) -> Answer:
    timeout = urllib3.Timeout(connect=settings.WEBHOOKS_TIMEOUT_SECONDS, read=settings.WEBHOOKS_TIMEOUT_SECONDS)
    options = {"host": target.address, "port": target.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            **options, server_hostname=target.host, assert_hostname=target.host, cert_reqs="CERT_REQUIRED"
        )
    else:
        pool = urllib3.HTTPConnectionPool(**options)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            head = response.read(SNIPPET_LENGTH * 4, decode_content=False)
        finally:
            response.release_conn()
        return Answer(status=response.status, snippet=head.decode("utf-8", errors="replace")[:SNIPPET_LENGTH])
    except urllib3.exceptions.SSLError as error:
        raise SendError(f"TLS failed: {error}"[:300]) from None
    except urllib3.exceptions.TimeoutError:
        raise SendError(f"No answer within {settings.WEBHOOKS_TIMEOUT_SECONDS:g} seconds.") from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise SendError(f"Could not connect: {error}"[:300]) from None
    finally:
        pool.close()
