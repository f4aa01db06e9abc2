"""The permission matrix of the API: every kind of token against every kind of object, with the exact answer.

The world is tests/security/world.py's: the owner's submitted proposal (introduced to Orbital Labs, matched with
Stellar Bio too) and draft, Orbital's published and draft listings, Stellar's listing. Token holders, in the order
of every row: no token; the owner's personal read token; the owner's personal write token; another researcher's
personal write token; Orbital's read token; Orbital's write token; Stellar's write token (another organisation);
the owner's revoked write token.

An answer is the status, with the number of results for a list ("200 [2]"). None: the holder may do it (shown by
the feature's own tests, tests/partners/test_api_listings.py and tests/projects/test_api_*.py), so it is not sent
here; after every refusal nothing in the database has changed, and no refusal shows the proposal's text.
"""

import pytest
from django.test import Client

from leoportal.domain.api_tokens import create_token, revoke_token
from tests.security.test_permission_matrix import database_state
from tests.security.world import CANARIES, build_world

pytestmark = pytest.mark.django_db

HOLDERS = ("none", "personal_read", "personal_write", "other_personal", "org_read", "org_write", "other_org", "revoked")
ENTRY = (("id", "matrix-locker"), ("name", "Matrix locker"), ("categories", ("cell_culture_bioreactor",)))

# (method, path with {objects}, body as pairs) -> answers in HOLDERS order
MATRIX = {
    # The public catalogue: no token needed, and a token (even a revoked one) changes nothing.
    ("get", "/catalogue/listings", None): ("200 [2]",) * 8,
    ("get", "/catalogue/listings/{listing}", None): (200,) * 8,
    ("get", "/catalogue/listings/{draft_listing}", None): (404,) * 8,
    # A researcher's proposals: the team's, through a personal token only.
    ("get", "/proposals", None): (401, "200 [2]", "200 [2]", "200 [2]", "200 [0]", "200 [0]", "200 [0]", 401),
    ("get", "/proposals/{proposal}", None): (401, 200, 200, 404, 404, 404, 404, 401),
    ("get", "/proposals/{proposal}/matches", None): (401, 200, 200, 404, 404, 404, 404, 401),
    ("get", "/proposals/{other_proposal}", None): (401, 404, 404, 200, 404, 404, 404, 401),
    ("post", "/proposals", (("title", "Matrix"),)): (401, 403, None, None, 403, 403, 403, 401),
    ("patch", "/proposals/{draft}", (("title", "Changed"),)): (401, 403, None, 404, 404, 404, 404, 401),
    # Submitted: not editable through the API, even by its owner with a write token.
    ("patch", "/proposals/{proposal}", (("title", "Changed"),)): (401, 403, 409, 404, 404, 404, 404, 401),
    # An organisation's listings, drafts included: its own tokens only.
    ("get", "/organisation/listings", None): (
        401,
        "200 [0]",
        "200 [0]",
        "200 [0]",
        "200 [2]",
        "200 [2]",
        "200 [1]",
        401,
    ),
    ("get", "/organisation/listings/{draft_listing}", None): (401, 404, 404, 404, 200, 200, 404, 401),
    ("post", "/organisation/listings", ENTRY): (401, 403, 403, 403, 403, None, None, 401),
    ("put", "/organisation/listings/{draft_listing}", ENTRY): (401, 404, 404, 404, 403, None, 404, 401),
    ("post", "/organisation/listings/{draft_listing}/publish", None): (401, 404, 404, 404, 403, None, 404, 401),
    ("post", "/organisation/listings/{listing}/unpublish", None): (401, 404, 404, 404, 403, None, 404, 401),
    ("delete", "/organisation/listings/{draft_listing}", None): (401, 404, 404, 404, 403, None, 404, 401),
    # Introductions: the organisation introduced reads and answers; Stellar, matched but not introduced, sees none.
    ("get", "/introductions", None): (401, "200 [0]", "200 [0]", "200 [0]", "200 [1]", "200 [1]", "200 [0]", 401),
    ("get", "/introductions/{introduction}", None): (401, 404, 404, 404, 200, 200, 404, 401),
    ("post", "/introductions/{introduction}/answer", (("answer", "interested"),)): (
        401,
        404,
        404,
        404,
        403,
        None,
        404,
        401,
    ),
}


def tokens(world) -> dict:
    users, o = world.users, world.objects
    made = {
        "personal_read": create_token(users["owner"], name="Read")[1],
        "personal_write": create_token(users["owner"], name="Write", scope="write")[1],
        "other_personal": create_token(users["other_researcher"], name="Other", scope="write")[1],
        "org_read": create_token(users["introduced"], name="Read", organisation=o["orbital"])[1],
        "org_write": create_token(users["introduced"], name="Write", scope="write", organisation=o["orbital"])[1],
        "other_org": create_token(users["not_introduced"], name="Write", scope="write", organisation=o["stellar"])[1],
    }
    revoked, made["revoked"] = create_token(users["owner"], name="Old", scope="write")
    revoke_token(revoked)
    return made


def answer(response):
    if response.status_code != 200:
        return response.status_code
    found = response.json()
    if isinstance(found, list):
        return f"200 [{len(found)}]"
    return f"200 [{found['count']}]" if "results" in found else 200


def test_every_token_reaches_what_it_may_and_nothing_else():
    world = build_world()
    secrets = tokens(world)
    ids = {name: obj.public_id for name, obj in world.objects.items() if hasattr(obj, "public_id")}
    client = Client()
    before = database_state()
    wrong, leaked = [], []

    for (method, path, payload), row in MATRIX.items():
        url = "/api/v1" + path.format(**ids)
        for holder, expected in zip(HOLDERS, row, strict=True):
            if expected is None:
                continue
            headers = {} if holder == "none" else {"HTTP_AUTHORIZATION": f"Bearer {secrets[holder]}"}
            body = None if payload is None else {key: list(v) if isinstance(v, tuple) else v for key, v in payload}
            response = getattr(client, method)(url, body, content_type="application/json", **headers)
            if answer(response) != expected:
                wrong.append((method, path, holder, expected, answer(response)))
            if response.status_code >= 400:
                text = response.content.decode()
                leaked += [(method, path, holder, c) for c in CANARIES["proposal_shared"] if c in text]

    assert wrong == [], "\n".join(map(str, wrong))
    assert leaked == []
    # Requests counted against each token and "last used" moments are the only traces the refusals leave.
    changed = {
        key for key in (database_state() - before) | (before - database_state()) if key[0] != "leoportal.ApiToken"
    }
    assert changed == set()


def test_every_write_endpoint_is_in_the_matrix():
    """A new endpoint must get a row: the OpenAPI document's operations, against the matrix's."""
    schema = Client().get("/api/v1/openapi.json").json()
    operations = {(method, path.removeprefix("/api/v1")) for path, ops in schema["paths"].items() for method in ops}
    covered = {(method, _template(path)) for method, path, _ in MATRIX}

    assert operations - covered == set()


def _template(path: str) -> str:
    """/proposals/{draft} is the operation /proposals/{proposal_id}."""
    names = {
        "proposals": "{proposal_id}",
        "listings": "{listing_id}",
        "introductions": "{introduction_id}",
    }
    parts = path.split("/")
    return "/".join(names[parts[index - 1]] if part.startswith("{") else part for index, part in enumerate(parts))
