"""Requests generated from the API's own OpenAPI document (schemathesis): none is answered with a server error.

The document is read from /api/v1/openapi.json of the site's WSGI application, in this process and against the
test database; no server is started and nothing leaves the machine. Every operation is tried with a bounded number
of generated requests (valid and invalid parameters and bodies), each with the token kind its path takes, over a
world with objects behind some of the generated ids: the owner's draft and proposal, Orbital's listings and the
introduction to it.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from leoportal.domain.api_tokens import create_token
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def wsgi_app():
    """The site's WSGI application, minus closing the database connection around each request (the test's
    transaction lives on it), as Django's own test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def secrets_by_path(settings):
    settings.API_REQUESTS_PER_MINUTE = 100_000
    world = build_world()
    users, o = world.users, world.objects
    personal = create_token(users["owner"], name="Schema", scope="write")[1]
    organisation = create_token(users["introduced"], name="Schema", scope="write", organisation=o["orbital"])[1]
    secrets = {
        "/api/v1/proposals": personal,
        "/api/v1/organisation": organisation,
        "/api/v1/introductions": organisation,
    }
    real_ids = {
        "/api/v1/catalogue/": {"listing_id": str(o["listing"].public_id)},
        "/api/v1/organisation/": {"listing_id": str(o["draft_listing"].public_id)},
        "/api/v1/proposals": {"proposal_id": str(o["draft"].public_id)},
        "/api/v1/introductions": {"introduction_id": str(o["introduction"].public_id)},
    }
    return secrets, real_ids


def _for_path(path: str, by_prefix: dict):
    return next((value for prefix, value in by_prefix.items() if path.startswith(prefix)), None)


def _exercise(operation, headers: dict, real_ids: dict) -> list[int]:
    """Send the operation's generated requests (a server error fails the test, with the request that caused it,
    shrunk by Hypothesis); returns the statuses answered."""
    sent = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,  # the same requests every run: a failure here is never luck
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), on_real_objects=st.booleans())
    def check(case, on_real_objects):
        if on_real_objects and case.path_parameters:
            case.path_parameters = {**case.path_parameters, **real_ids}  # half the requests reach real objects
        response = case.call(headers=headers)
        sent.append(response.status_code)
        case.validate_response(response, checks=[not_a_server_error])

    check()
    return sent


@pytest.mark.slow(seconds=15)  # every operation of the schema, with generated requests
def test_generated_requests_meet_no_server_error(wsgi_app, secrets_by_path):
    secrets, real_ids = secrets_by_path
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    sent = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in sorted(operations, key=lambda operation: operation.method.upper() == "DELETE"):  # deletes last
        secret = _for_path(operation.path, secrets)
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        sent[operation.label] = _exercise(operation, headers, _for_path(operation.path, real_ids) or {})

    assert len(sent) == 17
    # Generated requests reached real work, not only refusals: every operation succeeded at least once except the
    # answer, whose generated texts are seldom "interested" or "not_interested" (tests/projects/test_api_* answer).
    assert sorted(label for label, statuses in sent.items() if not any(200 <= s < 300 for s in statuses)) == [
        "POST /api/v1/introductions/{introduction_id}/answer"
    ]
