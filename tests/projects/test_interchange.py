"""import_proposals / export_proposals in the leoportal.proposals/1 format."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from leoportal.interchange import PROPOSALS, InterchangeError, Problem
from projects.domain.importing import import_proposals
from projects.enums import ProposalStatus
from projects.models import Proposal, StatusChange
from tests.projects.factories import CallFactory, ProposalFactory

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "projects" / "data" / "demo_proposals.json"
SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "leoportal" / "interchange" / "schemas" / "proposals.schema.json"
    ).read_text()
)
KEYS = sorted(SCHEMA["properties"]["proposals"]["items"]["properties"])


def complete_item(item: dict) -> dict:
    """An interchange item with every key present (missing = not stated = null)."""
    full = dict.fromkeys(KEYS)
    full.update({"research_areas": [], "needs": []})
    full.update(item)
    full.setdefault("why_microgravity", None)
    return full


def test_importing_the_examples_creates_every_proposal_for_the_owner(researcher):
    result = import_proposals(EXAMPLES.read_text(), researcher, source_name="examples.json")

    assert result.summary() == "8 created, 0 updated, 0 unchanged"
    assert Proposal.objects.filter(owner=researcher, status=ProposalStatus.SUBMITTED).count() == 8
    cartilage = Proposal.objects.get(external_id="demo-cartilage-print")
    assert (cartilage.temperature_min_c, cartilage.return_temperature_c, cartilage.units_needed) == (36, 4, 12)
    assert (cartilage.co2, cartilage.imaging, cartilage.sample_return) == (None, None, True)
    assert StatusChange.objects.filter(proposal=cartilage).get().note == "Imported from examples.json."


def test_to_interchange_round_trips_the_examples_exactly(researcher):
    document = json.loads(EXAMPLES.read_text())
    import_proposals(document, researcher)

    exported = {p.external_id: p.to_interchange() for p in Proposal.objects.all()}

    for item in document["proposals"]:
        assert exported[item["id"]] == complete_item(item)


def test_to_interchange_has_exactly_the_schema_keys_and_validates(researcher):
    proposal = ProposalFactory(owner=researcher, complete=True, summary="S")

    item = proposal.to_interchange()

    assert sorted(item) == KEYS
    assert item["id"] == str(proposal.public_id)
    assert list(Draft202012Validator(SCHEMA).iter_errors({"format": PROPOSALS, "proposals": [item]})) == []
    assert (item["temperature_c"], item["duration_days"], item["humidity"]) == ({"min": 36.5, "max": 37.5}, 14, None)


def test_importing_the_same_file_twice_changes_nothing(researcher):
    import_proposals(EXAMPLES.read_text(), researcher)
    history = sum(p.history.count() for p in Proposal.objects.all())

    result = import_proposals(EXAMPLES.read_text(), researcher)

    assert result.summary() == "0 created, 0 updated, 8 unchanged"
    assert sum(p.history.count() for p in Proposal.objects.all()) == history


def test_reimporting_updates_in_place_and_keeps_the_status(researcher, staff):
    import_proposals(EXAMPLES.read_text(), researcher)
    document = json.loads(EXAMPLES.read_text())
    document["proposals"][0]["duration_days"] = 28
    Proposal.objects.filter(external_id="demo-cartilage-print").update(status=ProposalStatus.SCREENING)

    result = import_proposals(document, researcher)

    assert result.summary() == "0 created, 1 updated, 7 unchanged"
    cartilage = Proposal.objects.get(external_id="demo-cartilage-print")
    assert (cartilage.duration_days, cartilage.status) == (28, ProposalStatus.SCREENING)


def test_an_exported_proposal_is_updated_when_its_document_comes_back(researcher):
    proposal = ProposalFactory(owner=researcher, complete=True)
    item = proposal.to_interchange()
    item["units_needed"] = 48

    result = import_proposals({"format": PROPOSALS, "proposals": [item]}, researcher)

    assert result.summary() == "0 created, 1 updated, 0 unchanged"
    proposal.refresh_from_db()
    assert proposal.units_needed == 48


def test_a_file_with_several_errors_reports_all_of_them_and_writes_nothing(researcher, researcher2):
    ProposalFactory(owner=researcher2, external_id="taken")
    document = {
        "format": PROPOSALS,
        "proposals": [
            {"id": "ok", "title": "Fine", "summary": "Fine."},
            {"id": "hot", "title": "T", "summary": "S", "temperature_c": {"min": 40, "max": 37}},
            {
                "id": "window",
                "title": "T",
                "summary": "S",
                "launch_window": {"earliest": "2027-06-01", "latest": "2027-01-01"},
            },
            {"id": "ok", "title": "Twice", "summary": "S"},
            {"id": "taken", "title": "T", "summary": "S"},
            {"id": "precise", "title": "T", "summary": "S", "duration_days": 1.234},
            {"id": "cold-back", "title": "T", "summary": "S", "sample_return": False, "return_temperature_c": -80},
        ],
    }

    with pytest.raises(InterchangeError) as failed:
        import_proposals(document, researcher)

    assert failed.value.problems == [
        Problem("$.proposals[1].temperature_c", "min 40 is above max 37"),
        Problem("$.proposals[2].launch_window", "earliest 2027-06-01 is after latest 2027-01-01"),
        Problem("$.proposals[3].id", "'ok' is also the id of $.proposals[0]; ids must be unique"),
        Problem("$.proposals[4].id", "'taken' is the id of a proposal that belongs to someone else"),
        Problem("$.proposals[5].duration_days", "Ensure that there are no more than 2 decimal places."),
        Problem(
            "$.proposals[6].return_temperature_c",
            "a return temperature is given but sample_return is false; drop one of them",
        ),
    ]
    assert Proposal.objects.filter(owner=researcher).count() == 0


def test_schema_errors_are_all_reported_with_paths(researcher):
    document = {
        "format": PROPOSALS,
        "proposals": [
            {"id": "a", "title": "", "summary": "S", "crew_time": "lots"},
            {"id": "b b", "summary": "S", "units_needed": 0},
        ],
    }

    with pytest.raises(InterchangeError) as failed:
        import_proposals(document, researcher)

    assert [problem.path for problem in failed.value.problems] == [
        "$.proposals[0].crew_time",
        "$.proposals[0].title",
        "$.proposals[1]",
        "$.proposals[1].id",
        "$.proposals[1].units_needed",
    ]
    assert Proposal.objects.count() == 0


def test_import_command_reports_every_problem_and_fails(researcher, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "format": PROPOSALS,
                "proposals": [
                    {"id": "x", "title": "T", "summary": "S", "temperature_c": {"min": 5, "max": 1}},
                    {"id": "y", "title": "T", "summary": "S", "biosafety_level": 7},
                ],
            }
        )
    )
    err = StringIO()

    with pytest.raises(CommandError, match=r"^Nothing was imported: 2 problems\.$"):
        call_command("import_proposals", str(path), owner=researcher.email, stderr=err)

    assert err.getvalue().splitlines() == [
        "$.proposals[0].temperature_c: min 5 is above max 1",
        "$.proposals[1].biosafety_level: 7 is greater than the maximum of 4",
    ]
    assert Proposal.objects.count() == 0


def test_import_command_for_an_owner_and_a_call(researcher):
    CallFactory(code="NLRA 2027-1")
    out = StringIO()

    call_command(
        "import_proposals",
        str(EXAMPLES),
        owner="RESEARCHER@example.org",
        call="NLRA 2027-1",
        status="draft",
        stdout=out,
    )

    assert out.getvalue().strip() == "Imported proposals for researcher@example.org: 8 created, 0 updated, 0 unchanged."
    assert set(Proposal.objects.values_list("owner__email", "call__code", "status")) == {
        ("researcher@example.org", "NLRA 2027-1", "draft")
    }


def test_import_command_refuses_an_unknown_owner(db):
    with pytest.raises(CommandError, match=r"^No user has the e-mail address 'nobody@example\.org'\.$"):
        call_command("import_proposals", str(EXAMPLES), owner="nobody@example.org")


def test_export_command_writes_a_valid_document_filtered_by_status(researcher):
    import_proposals(EXAMPLES.read_text(), researcher)
    Proposal.objects.filter(external_id="demo-mab-crystals").update(status=ProposalStatus.ACCEPTED)
    ProposalFactory(owner=researcher, title="", status=ProposalStatus.DRAFT)
    out, err = StringIO(), StringIO()

    call_command("export_proposals", status=["accepted"], stdout=out, stderr=err)

    document = json.loads(out.getvalue())
    assert list(Draft202012Validator(SCHEMA).iter_errors(document)) == []
    assert [item["id"] for item in document["proposals"]] == ["demo-mab-crystals"]
    assert err.getvalue().strip() == "Exported 1 proposal."


def test_export_by_default_leaves_out_drafts_and_skips_untitled(researcher):
    import_proposals(EXAMPLES.read_text(), researcher)
    ProposalFactory(owner=researcher, title="A draft", summary="S")
    untitled = ProposalFactory(owner=researcher, title="", summary="", status=ProposalStatus.SUBMITTED)
    out, err = StringIO(), StringIO()

    call_command("export_proposals", stdout=out, stderr=err)

    assert len(json.loads(out.getvalue())["proposals"]) == 8
    assert err.getvalue().splitlines() == [
        f"skipped {untitled.public_id}: has no title and no summary",
        "Exported 8 proposals.",
    ]


def test_export_then_import_elsewhere_round_trips(researcher, researcher2):
    import_proposals(EXAMPLES.read_text(), researcher)
    out = StringIO()
    call_command("export_proposals", stdout=out, stderr=StringIO())
    first = json.loads(out.getvalue())
    Proposal.objects.all().delete()

    import_proposals(out.getvalue(), researcher2)
    again = StringIO()
    call_command("export_proposals", stdout=again, stderr=StringIO())

    assert json.loads(again.getvalue()) == first
