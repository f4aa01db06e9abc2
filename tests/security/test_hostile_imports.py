"""The JSON importers under hostile documents: valid documents mutated at random places (wrong types, NaN and
infinities, huge numbers and strings, deep nesting, missing and extra keys) and random JSON.

Whatever the document, an import either applies all of it or writes nothing and lists every problem with its
JSON path; it never stops on another exception. That holds for the functions, the management command and the
provider's upload page alike.
"""

import io
import json
import math
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leoportal.interchange import CAPABILITIES, PROPOSALS, InterchangeError
from partners.domain.importing import import_capabilities
from partners.enums import MembershipRole
from partners.models import Capability, CapabilityUpload
from projects.domain.importing import import_proposals
from projects.models import Proposal
from tests.partners.factories import MembershipFactory, OrganisationFactory
from tests.security.helpers import changed_tables, database_state, rolled_back
from tests.security.strategies import HOSTILE_STRINGS, json_values
from tests.utils import soup

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CAPABILITY_ENTRIES = json.loads((ROOT / "partners/data/iss-facilities.json").read_text())["capabilities"][:3]
PROPOSAL_ITEMS = json.loads((ROOT / "projects/data/demo_proposals.json").read_text())["proposals"][:3]
# HOSTILE_EXAMPLES=500 makes a deeper search than the default.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "40"))
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def hostile_json():
    """A JSON value meant to break a field: wrong types, non-finite and huge numbers, long and odd strings."""
    return st.one_of(
        json_values(max_leaves=6),
        st.sampled_from([math.nan, math.inf, -math.inf, 10**30, -(10**30), 2**63, -1, 0, 1e308, -1e-308, 5e-324]),
        st.sampled_from(HOSTILE_STRINGS),
        st.just("x" * 300_000),
        st.integers(min_value=40, max_value=200).map(lambda depth: json.loads("[" * depth + "]" * depth)),
        st.sampled_from(["0000-01-01", "9999-12-31", "2027-02-30", "1969-12-31T23:59:60Z", "+002027-01-01"]),
    )


def paths(value, prefix=()):
    """Every place in a JSON value: the path of each key and list item."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


@st.composite
def mutated_documents(draw, document_format, key, items):
    """A valid document with one to four places replaced, removed or given an extra key; sometimes random JSON."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values())
    document = json.loads(json.dumps({"format": document_format, key: items}))
    for _ in range(draw(st.integers(1, 4))):
        places = [path for path in paths(document) if path]
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "replace", "replace", "remove", "add"]))
        if action == "remove":
            if isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent.pop(path[-1])
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(HOSTILE_STRINGS))] = draw(hostile_json())
        else:
            parent[path[-1]] = draw(hostile_json())
    return document


def as_json(document) -> str:
    """The document as a file holds it (NaN and Infinity written as the bare words some tools emit)."""
    return json.dumps(document, allow_nan=True)


def assert_problems_listed(error: InterchangeError):
    assert error.problems, "refused without saying why"
    for problem in error.problems:
        assert problem.path.startswith("$"), problem
        assert problem.message.strip(), problem


@pytest.mark.slow(seconds=10)  # each example imports a whole document and compares the database before and after
@HYPOTHESIS
@given(document=mutated_documents(CAPABILITIES, "capabilities", CAPABILITY_ENTRIES), as_text=st.booleans())
def test_capability_imports_apply_everything_or_nothing_and_say_where(db, document, as_text):
    with rolled_back():
        before = database_state()
        try:
            plan = import_capabilities(as_json(document) if as_text else document)
        except InterchangeError as error:
            assert_problems_listed(error)
            assert changed_tables(before, database_state()) == []
        else:
            assert Capability.objects.count() == len(plan.entries)
            for entry in plan.entries:
                assert Capability.objects.filter(external_id=entry.external_id, name=entry.name).exists()


@pytest.mark.slow(seconds=10)  # each example imports a whole document and compares the database before and after
@HYPOTHESIS
@given(document=mutated_documents(PROPOSALS, "proposals", PROPOSAL_ITEMS), as_text=st.booleans())
def test_proposal_imports_apply_everything_or_nothing_and_say_where(researcher, document, as_text):
    with rolled_back():
        before = database_state()
        try:
            result = import_proposals(as_json(document) if as_text else document, researcher)
        except InterchangeError as error:
            assert_problems_listed(error)
            assert changed_tables(before, database_state()) == []
        else:
            assert Proposal.objects.count() == len(result.created) == len(document["proposals"])


@settings(HYPOTHESIS, max_examples=max(EXAMPLES // 3, 10))
@given(document=mutated_documents(CAPABILITIES, "capabilities", CAPABILITY_ENTRIES))
def test_the_import_command_imports_or_lists_problems(tmp_path_factory, db, document):
    path = tmp_path_factory.mktemp("import") / "capabilities.json"
    path.write_text(as_json(document))
    with rolled_back():
        before = database_state()
        try:
            call_command("import_capabilities", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        except CommandError as error:
            assert str(error).endswith("nothing was imported.")
            assert changed_tables(before, database_state()) == []
        else:
            assert Capability.objects.count() == len(document["capabilities"])


@pytest.fixture
def organisation(provider_user):
    organisation = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    MembershipFactory(organisation=organisation, user=provider_user, role=MembershipRole.ADMIN)
    return organisation


def own_entries():
    return [{**entry, "provider": "Redwire Space"} for entry in CAPABILITY_ENTRIES]


@settings(HYPOTHESIS, max_examples=max(EXAMPLES // 2, 10))
@given(document=mutated_documents(CAPABILITIES, "capabilities", own_entries()))
def test_the_upload_page_previews_or_lists_problems_and_never_fails(client, provider_user, organisation, document):
    client.force_login(provider_user)
    url = reverse("partners:import_upload", args=[organisation.slug])
    with rolled_back():
        before = database_state()
        response = client.post(url, {"document": SimpleUploadedFile("c.json", as_json(document).encode())})

        assert response.status_code in (200, 302)
        html = response.content.decode()
        assert "<script>alert" not in html
        if response.status_code == 200:
            assert changed_tables(before, database_state()) == []
            assert soup(response).select(".invalid-feedback, [data-problems], .alert-danger"), "no problem shown"
        else:
            assert changed_tables(before, database_state()) == ["partners.CapabilityUpload"]
            preview = client.get(response["Location"])
            assert preview.status_code == 200
            assert "<script>alert" not in preview.content.decode()
            assert CapabilityUpload.objects.count() == 1


def test_a_document_nested_hundreds_deep_is_refused_with_its_path(client, provider_user, organisation):
    client.force_login(provider_user)
    nested = '{"format": "leoportal.capabilities/1", "capabilities": [], "notes": ' + "[" * 900 + "]" * 900 + "}"

    response = client.post(
        reverse("partners:import_upload", args=[organisation.slug]),
        {"document": SimpleUploadedFile("deep.json", nested.encode())},
    )

    assert response.status_code == 200
    assert "the document is nested too deeply (more than 32 levels, from $.notes[0][0])" in response.content.decode()
    assert CapabilityUpload.objects.count() == 0


@pytest.mark.parametrize("importer", ["capabilities", "proposals"])
def test_deep_nesting_inside_an_entry_is_a_listed_problem(researcher, importer):
    deep = json.loads("[" * 900 + "]" * 900)
    if importer == "capabilities":
        document = {"format": CAPABILITIES, "capabilities": [{**CAPABILITY_ENTRIES[0], "description": deep}]}
        run = import_capabilities
    else:
        document = {"format": PROPOSALS, "proposals": [{**PROPOSAL_ITEMS[0], "summary": deep}]}

        def run(source):
            return import_proposals(source, researcher)

    with pytest.raises(InterchangeError) as refused:
        run(document)

    [problem] = refused.value.problems
    field = "description" if importer == "capabilities" else "summary"
    assert (problem.path, problem.message) == (
        f"$.{importer}",
        f"the document is nested too deeply (more than 32 levels, from $.{importer}[0].{field})",
    )


@pytest.mark.parametrize("sources", [5, 1e30, True, {"url": "https://example.org"}, "https://example.org"])
def test_sources_that_are_not_a_list_are_a_listed_problem(client, provider_user, organisation, sources):
    document = {"format": CAPABILITIES, "capabilities": [{**own_entries()[0], "sources": sources}]}
    client.force_login(provider_user)

    response = client.post(
        reverse("partners:import_upload", args=[organisation.slug]),
        {"document": SimpleUploadedFile("c.json", json.dumps(document).encode())},
    )

    assert response.status_code == 200
    assert "Give the sources as a list of citations (web addresses)." in response.content.decode()
    assert CapabilityUpload.objects.count() == 0
    with pytest.raises(InterchangeError) as refused:
        import_capabilities(document)
    assert [(p.path, p.message) for p in refused.value.problems] == [
        ("$.capabilities[0].sources", "Give the sources as a list of citations (web addresses).")
    ]
