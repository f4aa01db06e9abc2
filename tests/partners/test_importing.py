import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from leoportal.interchange import CAPABILITIES, InterchangeError, Problem, parse_document
from partners.domain.importing import export_document, field_label, import_capabilities
from partners.models import AvailabilityWindow, Capability, Organisation
from partners.signals import capability_changed
from tests.partners.factories import CapabilityFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parents[2] / "partners" / "data" / "iss-facilities.json"


def catalogue() -> dict:
    return json.loads(CATALOGUE.read_text())


def snapshot():
    capabilities = list(
        Capability.objects.order_by("pk").values_list(
            "pk", "external_id", "name", "publication", "updated_at", "sources", "confidence", "organisation_id"
        )
    )
    windows = list(AvailabilityWindow.objects.order_by("pk").values_list("pk", "capability_id", "start", "end"))
    organisations = list(Organisation.objects.order_by("pk").values_list("pk", "name", "verified", "updated_at"))
    return capabilities, windows, organisations


def small_document(*entries) -> dict:
    return {"format": CAPABILITIES, "capabilities": list(entries)}


def entry(**overrides) -> dict:
    return {
        "id": "locker-1",
        "name": "Locker One",
        "provider": "Orbital Labs",
        "categories": ["3d_bioprinter"],
    } | overrides


# --- The real catalogue ------------------------------------------------------------------------------------


def test_the_real_catalogue_imports_cleanly():
    plan = import_capabilities(CATALOGUE.read_text())

    assert plan.counts() == {"created": 37, "updated": 0, "unchanged": 0}
    assert Capability.objects.count() == 37
    assert Organisation.objects.count() == 20
    assert list(Organisation.objects.filter(verified=False)) == []
    assert Capability.objects.public().count() == 37
    assert Capability.objects.get(external_id="nasa-melfi").cold_stowage_c == [-80.0, -26.0, 4.0]


def test_the_imported_catalogue_exports_back_to_the_same_facts():
    source = catalogue()
    import_capabilities(source)

    exported = export_document(Capability.objects.with_related())

    parse_document(exported, CAPABILITIES)
    by_id = {item["id"]: item for item in exported["capabilities"]}
    for original in source["capabilities"]:
        # An empty description is as good as none: both read "not stated".
        expected = {key: (None if value == "" else value) for key, value in original.items()}
        assert by_id[original["id"]] == expected, original["id"]


def test_to_interchange_has_exactly_the_schema_keys_plus_sources():
    import_capabilities(catalogue())
    schema = json.loads(
        (Path(__file__).resolve().parents[2] / "leoportal/interchange/schemas/capabilities.schema.json").read_text()
    )
    schema_keys = set(schema["properties"]["capabilities"]["items"]["properties"])

    item = Capability.objects.with_related().get(external_id="redwire-bff").to_interchange()

    assert set(item) == schema_keys | {"sources"}
    assert (item["temperature_c"], item["availability"], item["sample_return"], item["crew_time"]) == (
        None,
        None,
        True,
        "medium",
    )


def test_a_second_import_changes_nothing_and_says_so():
    import_capabilities(CATALOGUE.read_text())
    before = snapshot()

    plan = import_capabilities(CATALOGUE.read_text())

    assert plan.counts() == {"created": 0, "updated": 0, "unchanged": 37}
    assert plan.new_organisations == []
    assert plan.changes_anything is False
    assert snapshot() == before


def test_an_import_updates_by_id_within_the_provider_and_names_the_changed_fields():
    import_capabilities(catalogue())
    changed = catalogue()
    bff = next(item for item in changed["capabilities"] if item["id"] == "redwire-bff")
    bff["temperature_c"] = {"min": 18, "max": 37}
    bff["sample_return"] = None
    bff["availability"] = [{"start": "2027-01-01", "end": "2027-03-31"}]

    plan = import_capabilities(changed)

    capability = Capability.objects.with_related().get(external_id="redwire-bff")
    assert plan.counts() == {"created": 0, "updated": 1, "unchanged": 36}
    assert plan.by_outcome("updated")[0].changed_labels == ["temperature_c", "sample_return", "availability"]
    assert (capability.temperature_min_c, capability.temperature_max_c, capability.sample_return) == (18.0, 37.0, None)
    assert capability.to_interchange()["availability"] == [{"start": "2027-01-01", "end": "2027-03-31"}]


def test_the_same_id_under_another_provider_is_another_listing():
    import_capabilities(small_document(entry(), entry(provider="Other Labs")))

    assert sorted(Capability.objects.values_list("organisation__name", "external_id")) == [
        ("Orbital Labs", "locker-1"),
        ("Other Labs", "locker-1"),
    ]


def test_providers_are_matched_by_name_whatever_the_case():
    organisation = OrganisationFactory(name="Orbital Labs", verified=False)

    plan = import_capabilities(small_document(entry(provider="ORBITAL LABS")))

    assert plan.new_organisations == []
    assert list(Capability.objects.values_list("organisation", flat=True)) == [organisation.pk]
    organisation.refresh_from_db()
    assert organisation.verified is False


def test_publication_is_set_on_creation_only():
    import_capabilities(small_document(entry()), publish_new=False)
    capability = Capability.objects.get()
    assert capability.publication == "draft"

    import_capabilities(small_document(entry(name="Renamed")), publish_new=True)

    capability.refresh_from_db()
    assert (capability.name, capability.publication) == ("Renamed", "draft")


def test_each_imported_listing_is_reported_to_the_change_hook(django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs["action"])

    capability_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_capabilities(small_document(entry(), entry(id="locker-2")))
    finally:
        capability_changed.disconnect(receiver)

    assert received == ["created", "published", "created", "published"]


# --- Errors: all listed, nothing written --------------------------------------------------------------------


def test_a_document_with_errors_writes_nothing_and_lists_every_problem():
    CapabilityFactory(organisation=OrganisationFactory(name="Orbital Labs"), external_id="keep", name="Keep me")
    before = snapshot()
    document = small_document(
        entry(id="good"),
        entry(id="bad id!", temperature_c={"min": 40, "max": 4}),
        entry(id="range", temperature_c={"min": 40, "max": 4}, variable_gravity_g={"min": 2, "max": 1}),
        entry(
            id="windows",
            availability=[
                {"start": "2027-03-01", "end": "2027-04-15"},
                {"start": "2027-04-01", "end": "2027-05-31"},
                {"start": "2027-07-01", "end": "2027-06-01"},
            ],
        ),
        entry(id="good"),
        entry(id="facts", crew_time="some", biosafety_level=5, categories=[], sources=["https://ok.example", ""]),
    )

    with pytest.raises(InterchangeError) as error:
        import_capabilities(document)

    assert error.value.problems == [
        Problem("$.capabilities[1].id", "'bad id!' does not match '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'"),
        Problem("$.capabilities[2].temperature_c.min", "min (40 °C) is greater than max (4 °C)"),
        Problem("$.capabilities[2].variable_gravity_g.min", "min (2 g) is greater than max (1 g)"),
        Problem("$.capabilities[3].availability[2]", "the window ends (2027-06-01) before it starts (2027-07-01)"),
        Problem(
            "$.capabilities[3].availability",
            "windows overlap (2027-03-01 to 2027-04-15 and 2027-04-01 to 2027-05-31); merge them or move one",
        ),
        Problem(
            "$.capabilities[4].id",
            "'good' of Orbital Labs appears twice (also at $.capabilities[0]); ids must be unique within a provider",
        ),
        Problem("$.capabilities[5].biosafety_level", "5 is greater than the maximum of 4"),
        Problem("$.capabilities[5].categories", "[] should be non-empty"),
        Problem("$.capabilities[5].crew_time", "'some' is not one of ['none', 'low', 'medium', 'high']"),
    ]
    assert snapshot() == before


def test_semantic_errors_are_listed_with_their_paths_after_the_schema_passes():
    document = small_document(
        entry(id="good"),
        entry(id="range", temperature_c={"min": 40, "max": 4}, variable_gravity_g={"min": 2, "max": 1}),
        entry(
            id="windows",
            availability=[
                {"start": "2027-03-01", "end": "2027-04-15"},
                {"start": "2027-04-01", "end": "2027-05-31"},
                {"start": "2027-07-01", "end": "2027-06-01"},
            ],
        ),
        entry(id="good"),
        entry(id="sources", sources=["https://ok.example", ""], confidence="certain"),
    )

    with pytest.raises(InterchangeError) as error:
        import_capabilities(document)

    assert error.value.problems == [
        Problem("$.capabilities[1].temperature_c.min", "min (40 °C) is greater than max (4 °C)"),
        Problem("$.capabilities[1].variable_gravity_g.min", "min (2 g) is greater than max (1 g)"),
        Problem("$.capabilities[2].availability[2]", "the window ends (2027-06-01) before it starts (2027-07-01)"),
        Problem(
            "$.capabilities[2].availability",
            "windows overlap (2027-03-01 to 2027-04-15 and 2027-04-01 to 2027-05-31); merge them or move one",
        ),
        Problem(
            "$.capabilities[3].id",
            "'good' of Orbital Labs appears twice (also at $.capabilities[0]); ids must be unique within a provider",
        ),
        Problem("$.capabilities[4].sources", "'' is not a citation; give a web address or a reference."),
        Problem(
            "$.capabilities[4].confidence", "'certain' is not valid here; expected one of high, medium, low or null"
        ),
    ]
    assert Capability.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_model_checks_the_schema_cannot_make_are_reported_with_paths():
    with pytest.raises(InterchangeError) as error:
        import_capabilities(small_document(entry(capacity_units=10**10)))

    assert error.value.problems == [
        Problem("$.capabilities[0].capacity_units", "Ensure this value is less than or equal to 2147483647.")
    ]


def test_text_no_database_can_store_is_listed_with_its_path_and_nothing_is_written():
    text = json.dumps(
        small_document(
            entry(sources=["https://example.org/\u0000"], description="bad \ud800 half"),
            entry(id="locker-2", name="Locker\u0000Two"),
        ),
        ensure_ascii=True,
    )
    before = snapshot()

    with pytest.raises(InterchangeError) as error:
        import_capabilities(text)

    assert [(problem.path, problem.message.split(" (")[0]) for problem in error.value.problems] == [
        ("$.capabilities[0].sources[0]", "contains a NUL character"),
        ("$.capabilities[0].description", "contains an unpaired surrogate"),
        ("$.capabilities[1].name", "contains a NUL character"),
    ]
    assert snapshot() == before


def test_a_file_that_is_not_json_is_refused():
    with pytest.raises(InterchangeError) as error:
        import_capabilities('{"format": "leoportal.capabilities/1", "capabilities": [}')

    assert [problem.path for problem in error.value.problems] == ["$"]
    assert error.value.problems[0].message.startswith("not valid JSON: ")


def test_a_document_of_another_kind_is_refused():
    with pytest.raises(InterchangeError) as error:
        import_capabilities({"format": "leoportal.proposals/1", "proposals": []})

    assert error.value.problems == [
        Problem(
            "$.format",
            "expected 'leoportal.capabilities/1', found 'leoportal.proposals/1'; is this the right kind of file?",
        )
    ]


# --- The commands ------------------------------------------------------------------------------------------


def run(command, *args, **kwargs):
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_import_command_prints_a_summary_and_a_second_run_says_nothing_changed():
    first, _ = run("import_capabilities", str(CATALOGUE))
    second, _ = run("import_capabilities", str(CATALOGUE))

    assert first.splitlines()[0] == "organisation created (verified): Redwire Space"
    assert first.splitlines()[-1] == f"Imported {CATALOGUE}: 37 created, 0 updated, 0 unchanged."
    assert second == f"Nothing to change: {CATALOGUE} is already imported (0 created, 0 updated, 37 unchanged).\n"


def test_import_command_with_draft_creates_drafts(tmp_path):
    path = tmp_path / "one.json"
    path.write_text(json.dumps(small_document(entry())))

    run("import_capabilities", str(path), "--draft")

    assert list(Capability.objects.values_list("publication", flat=True)) == ["draft"]


def test_import_command_prints_every_error_with_its_path_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(small_document(entry(temperature_c={"min": 9, "max": 1}), entry(crew_time="lots"))))

    with pytest.raises(CommandError) as error:
        run("import_capabilities", str(path))

    assert str(error.value) == f"{path}: 2 problems found; nothing was imported."
    assert Capability.objects.count() == 0


def test_import_command_lists_errors_on_stderr(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            small_document(entry(temperature_c={"min": 9, "max": 1}), entry(id="b", temperature_c={"min": 5, "max": 2}))
        )
    )
    err = StringIO()

    with pytest.raises(CommandError, match="2 problems found; nothing was imported"):
        call_command("import_capabilities", str(path), stdout=StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "$.capabilities[0].temperature_c.min (Lowest temperature (°C)): min (9 °C) is greater than max (1 °C)",
        "$.capabilities[1].temperature_c.min (Lowest temperature (°C)): min (5 °C) is greater than max (2 °C)",
    ]


def test_import_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.json: No such file or directory\."):
        run("import_capabilities", str(tmp_path / "missing.json"))


def test_export_command_writes_the_format_and_round_trips(tmp_path):
    import_capabilities(catalogue())
    out, _ = run("export_capabilities", "--provider", "redwire space")
    path = tmp_path / "redwire.json"
    path.write_text(out)

    document = parse_document(out, CAPABILITIES)
    again, _ = run("import_capabilities", str(path))

    assert [item["id"] for item in document["capabilities"]] == [
        "redwire-adsep",
        "redwire-bff",
        "redwire-mvp",
        "redwire-pil-box",
    ]
    assert again == f"Nothing to change: {path} is already imported (0 created, 0 updated, 4 unchanged).\n"


def test_export_command_refuses_an_unknown_provider():
    with pytest.raises(CommandError, match=r"No organisation is called 'Nobody'\."):
        run("export_capabilities", "--provider", "Nobody")


def test_export_command_can_export_only_public_listings():
    import_capabilities(small_document(entry(), entry(id="locker-2")), publish_new=False)
    import_capabilities(small_document(entry(id="locker-3")))

    out, _ = run("export_capabilities", "--published")

    assert [item["id"] for item in json.loads(out)["capabilities"]] == ["locker-3"]


def test_import_keeps_unknown_keys_out_and_sources_in():
    document = small_document(entry(sources=["https://example.org/a"], confidence="low", notes="ignored"))
    document["about"] = "ignored too"

    import_capabilities(copy.deepcopy(document))

    capability = Capability.objects.get()
    assert (capability.sources, capability.confidence) == (["https://example.org/a"], "low")


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("availability", "Availability windows"),
        ("availability[0].start", "Availability window 1, start"),
        ("temperature_c.min", "Lowest temperature (°C)"),
        ("crew_time", "Crew time needed"),
        ("no_such_key", "no_such_key"),
    ],
)
def test_every_path_of_an_entry_has_a_label_or_is_named_as_it_is(path, label):
    assert field_label(path) == label
