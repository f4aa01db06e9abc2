"""manage.py import_precedents FILE and manage.py export_precedents."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from leoportal.interchange import PRECEDENTS, parse_document
from projects.enums import PrecedentOrigin
from projects.models import Precedent
from tests.partners.factories import CapabilityFactory, OrganisationFactory
from tests.projects.factories import PrecedentFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def item(**overrides) -> dict:
    values = {
        "id": "bone-cells-2016",
        "title": "Bone-forming cells under mechanical unloading",
        "summary": "Osteoblasts were cultured for two weeks in orbit and fixed for gene-expression analysis on return.",
        "research_areas": ["cell_biology"],
        "sample_type": "live_cells",
        "needs": ["cell_culture_bioreactor"],
        "crew_time": "low",
        "duration_days": 14,
        "sample_return": True,
        "variable_gravity": False,
        "facilities": ["adsep"],
        "year": 2016,
        "team": "Gulf Coast University",
        "sources": ["https://example.org/bone-cells"],
        "confidence": "medium",
    }
    values.update(overrides)
    return values


@pytest.fixture
def adsep():
    return CapabilityFactory(
        organisation=OrganisationFactory(name="Redwire Space", slug="redwire-space"), external_id="adsep"
    )


def write(tmp_path, *items, name="precedents.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps({"format": PRECEDENTS, "precedents": list(items)}))
    return str(path)


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_command_prints_a_summary_and_a_second_run_says_nothing_changed(tmp_path, adsep):
    path = write(tmp_path, item(), item(id="bone-cells-2018", year=2018))

    first, _ = run("import_precedents", path)
    second, _ = run("import_precedents", path)

    assert first == f"Imported {path}: 2 created, 0 updated, 0 unchanged.\n"
    assert second == f"Nothing to change: {path} is already imported (0 created, 0 updated, 2 unchanged).\n"
    assert Precedent.objects.count() == 2


def test_import_command_lists_each_precedent_when_verbose(tmp_path, adsep):
    run("import_precedents", write(tmp_path, item()))
    path = write(tmp_path, item(year=2017), name="corrected.json")

    out, _ = run("import_precedents", path, "--verbosity", "2")

    assert out.splitlines() == [
        "updated   bone-cells-2016 (year)",
        f"Imported {path}: 0 created, 1 updated, 0 unchanged.",
    ]


def test_import_command_prints_every_error_with_its_path_and_writes_nothing(tmp_path, adsep):
    path = write(
        tmp_path,
        item(),
        item(title="The same id again"),
        item(id="third-flight", facilities=["nowhere"]),
        item(id="fourth-flight", year=2040),
    )
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_precedents", path, stdout=StringIO(), stderr=err)

    assert str(caught.value) == f"{path}: 3 problems found; nothing was imported."
    assert err.getvalue().splitlines() == [
        "$.precedents[1].id: 'bone-cells-2016' is also the id of $.precedents[0]; ids must be unique",
        "$.precedents[2].facilities[0]: no listing has the id 'nowhere'; import its catalogue entry first "
        "(manage.py import_capabilities) or correct the id",
        "$.precedents[3].year: 2040 is greater than the maximum of 2030",
    ]
    assert Precedent.objects.count() == 0


def test_import_command_reports_a_file_that_is_not_json(tmp_path, adsep):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "leoportal.precedents/1",')
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_precedents", str(path), stdout=StringIO(), stderr=err)

    assert str(caught.value) == f"{path}: 1 problem found; nothing was imported."
    assert (
        err.getvalue()
        == "$: not valid JSON: Expecting property name enclosed in double quotes: line 1 column 37 (char 36)\n"
    )


def test_import_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("import_precedents", str(tmp_path / "nowhere.json"))

    assert str(caught.value) == f"Cannot read {tmp_path / 'nowhere.json'}: No such file or directory."


def test_export_command_writes_a_valid_document_that_imports_back(tmp_path, adsep):
    run("import_precedents", write(tmp_path, item(), item(id="bone-cells-2018", year=2018)))

    out, err = run("export_precedents")
    Precedent.objects.all().delete()
    exported = tmp_path / "exported.json"
    exported.write_text(out)
    imported, _ = run("import_precedents", str(exported))

    assert parse_document(out, PRECEDENTS)["precedents"] == [item(), item(id="bone-cells-2018", year=2018)]
    assert err == "Exported 2 precedents.\n"
    assert imported == f"Imported {exported}: 2 created, 0 updated, 0 unchanged.\n"


def test_export_leaves_portal_precedents_out_unless_asked(adsep, researcher):
    PrecedentFactory(external_id="curated-flight", listings=[adsep])
    PrecedentFactory(
        external_id="portal-5e1f0c",
        origin=PrecedentOrigin.PORTAL,
        proposal=ProposalFactory(owner=researcher, complete=True, status="accepted"),
        title="Confidential liver organoid flight",
        listings=[adsep],
    )

    default, default_err = run("export_precedents")
    everything, everything_err = run("export_precedents", "--include-portal")

    assert [entry["id"] for entry in json.loads(default)["precedents"]] == ["curated-flight"]
    assert "Confidential liver organoid flight" not in default
    assert [entry["id"] for entry in json.loads(everything)["precedents"]] == ["curated-flight", "portal-5e1f0c"]
    assert (default_err, everything_err) == ("Exported 1 precedent.\n", "Exported 2 precedents.\n")


def test_export_help_says_why_portal_precedents_are_left_out(capsys):
    with pytest.raises(SystemExit):
        call_command("export_precedents", "--help")

    text = " ".join(capsys.readouterr().out.split())
    assert "copies the title and summary of a proposal, which is confidential to its team and program staff" in text


def test_export_skips_a_precedent_whose_listings_were_deleted_and_says_so(adsep):
    PrecedentFactory(external_id="kept-flight", listings=[adsep])
    PrecedentFactory(
        external_id="orphan-flight", listings=[CapabilityFactory(external_id="gone")]
    ).listings.get().delete()

    out, err = run("export_precedents")

    assert [entry["id"] for entry in json.loads(out)["precedents"]] == ["kept-flight"]
    assert err.splitlines() == [
        "skipped orphan-flight: none of the listings that flew it exists any more (they were deleted)",
        "Exported 1 precedent.",
    ]
