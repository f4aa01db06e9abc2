"""Flight precedents (projects/domain/precedents.py): importing and exporting leoportal.precedents/1, and what the
engine sees."""

import copy
import json
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from leoportal.interchange import PRECEDENTS, InterchangeError, Problem, parse_document
from partners.domain.importing import import_capabilities
from partners.enums import CapabilityStatus
from projects.domain import precedents
from projects.domain.precedents import PORTAL_LABEL, engine_items, export_document, import_precedents
from projects.enums import PrecedentOrigin
from projects.models import Precedent, RescoreRequest
from tests.partners.factories import CapabilityFactory, OrganisationFactory
from tests.projects.factories import PrecedentFactory, ProposalFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "projects" / "data" / "flown-experiments.json"
CATALOGUE = ROOT / "partners" / "data" / "iss-facilities.json"
SCHEMA = json.loads((ROOT / "leoportal" / "interchange" / "schemas" / "precedents.schema.json").read_text())
ITEM_KEYS = sorted(SCHEMA["properties"]["precedents"]["items"]["properties"])


def item(**overrides) -> dict:
    values = {
        "id": "cardiac-culture-2019",
        "title": "Heart-muscle cells cultured for a month",
        "summary": "Human cardiomyocytes were cultured for a month in orbit and returned live for comparison.",
        "research_areas": ["cell_biology", "stem_cells"],
        "sample_type": "live_cells",
        "needs": ["cell_culture_bioreactor", "sample_return"],
        "crew_time": "low",
        "duration_days": 30,
        "sample_return": True,
        "variable_gravity": None,
        "facilities": ["adsep"],
        "year": 2019,
        "team": "Stanford University",
        "sources": ["https://example.org/cardiac-report"],
        "confidence": "high",
    }
    values.update(overrides)
    return values


def document(*items) -> dict:
    return {"format": PRECEDENTS, "precedents": list(items)}


@pytest.fixture
def listings():
    """Two listings of two providers: ADSEP (Redwire Space) and CubeLab (Space Tango)."""
    redwire = OrganisationFactory(name="Redwire Space", slug="redwire-space")
    tango = OrganisationFactory(name="Space Tango", slug="space-tango")
    return {
        "adsep": CapabilityFactory(organisation=redwire, external_id="adsep", name="ADSEP"),
        "cubelab": CapabilityFactory(
            organisation=tango, external_id="cubelab", name="CubeLab", categories=["modular_payload_platform"]
        ),
    }


def problems(source) -> list[tuple[str, str]]:
    with pytest.raises(InterchangeError) as caught:
        import_precedents(source)
    return [(problem.path, problem.message) for problem in caught.value.problems]


def rows() -> list[tuple]:
    """Every precedent as comparable values: its fields and its listings."""
    return [
        (
            *(getattr(p, name) for name in ("external_id", "origin", "flight_status", *precedents.PRECEDENT_FIELDS)),
            sorted(listing.pk for listing in p.listings.all()),
        )
        for p in Precedent.objects.prefetch_related("listings").order_by("external_id")
    ]


# --- Importing ----------------------------------------------------------------------------------------------------


def test_import_of_the_bundled_file_creates_every_precedent_with_its_listings():
    import_capabilities(CATALOGUE.read_text())
    bundled = json.loads(BUNDLED.read_text())

    plan = import_precedents(BUNDLED.read_bytes(), source_name="flown-experiments.json")

    assert plan.summary() == "125 created, 0 updated, 0 unchanged"
    assert Precedent.objects.curated().count() == 125
    meniscus = Precedent.objects.get(external_id="bff-meniscus-2-living-cells-2023")
    expected = next(entry for entry in bundled["precedents"] if entry["id"] == meniscus.external_id)
    assert meniscus.to_interchange() == {**expected, "facilities": sorted(expected["facilities"])}
    assert sorted(meniscus.listings.values_list("organisation__name", "external_id")) == [
        ("Redwire Space", "redwire-adsep"),
        ("Redwire Space", "redwire-bff"),
    ]
    assert meniscus.history.latest().history_change_reason == "Imported from flown-experiments.json (listings)"


def test_a_second_import_changes_nothing_and_says_so(listings):
    source = json.dumps(document(item(), item(id="cubelab-flight-2021", facilities=["cubelab", "adsep"])))
    import_precedents(source)
    history = Precedent.history.count()
    RescoreRequest.objects.all().delete()

    plan = import_precedents(source)

    assert (plan.summary(), plan.changes_anything) == ("0 created, 0 updated, 2 unchanged", False)
    assert (Precedent.history.count(), RescoreRequest.objects.count()) == (history, 0)


def test_an_import_updates_precedents_by_id_and_names_what_changed(listings):
    import_precedents(document(item()))
    first = Precedent.objects.get()

    plan = import_precedents(document(item(title="Heart-muscle cells cultured for five weeks", facilities=["cubelab"])))

    assert [(entry.outcome, entry.changed) for entry in plan.entries] == [("updated", ["title", "facilities"])]
    updated = Precedent.objects.get()
    assert (updated.pk, updated.title, list(updated.listings.all())) == (
        first.pk,
        "Heart-muscle cells cultured for five weeks",
        [listings["cubelab"]],
    )


def test_an_import_queues_rescoring_of_the_listings_before_and_after(listings):
    import_precedents(document(item()))
    RescoreRequest.objects.all().delete()

    import_precedents(document(item(facilities=["cubelab"])))

    requests = sorted(RescoreRequest.objects.values_list("capability_id", "categories"))
    assert requests == [
        (listings["adsep"].pk, ["cell_culture_bioreactor", "sample_return"]),
        (listings["cubelab"].pk, ["cell_culture_bioreactor", "modular_payload_platform", "sample_return"]),
    ]


def test_unknown_listing_ids_are_refused_by_name_and_nothing_is_written(listings):
    source = document(item(), item(id="second-flight", facilities=["adsep", "no-such-rack", "ghost-locker"]))

    assert problems(source) == [
        (
            "$.precedents[1].facilities[1]",
            "no listing has the id 'no-such-rack'; import its catalogue entry first (manage.py import_capabilities) "
            "or correct the id",
        ),
        (
            "$.precedents[1].facilities[2]",
            "no listing has the id 'ghost-locker'; import its catalogue entry first (manage.py import_capabilities) "
            "or correct the id",
        ),
    ]
    assert (Precedent.objects.count(), Precedent.history.count(), RescoreRequest.objects.count()) == (0, 0, 0)


def test_an_id_of_listings_at_two_organisations_is_refused_as_ambiguous(listings):
    CapabilityFactory(organisation=OrganisationFactory(name="Orbital Labs"), external_id="adsep", name="Other ADSEP")

    assert problems(document(item())) == [
        (
            "$.precedents[0].facilities[0]",
            "'adsep' is the id of listings of Orbital Labs and Redwire Space, so it is ambiguous; a precedent's "
            "listing ids must each name one listing (rename one of those listings)",
        )
    ]
    assert Precedent.objects.count() == 0


def test_duplicate_ids_are_refused_naming_the_first(listings):
    assert problems(document(item(), item(title="The same flight again"))) == [
        ("$.precedents[1].id", "'cardiac-culture-2019' is also the id of $.precedents[0]; ids must be unique")
    ]
    assert Precedent.objects.count() == 0


@pytest.mark.parametrize(
    ("year", "message"),
    [(1980, "1980 is less than the minimum of 1981"), (2031, "2031 is greater than the maximum of 2030")],
)
def test_years_out_of_range_are_refused(listings, year, message):
    assert problems(document(item(year=year))) == [("$.precedents[0].year", message)]
    assert Precedent.objects.count() == 0


def test_bad_vocabularies_are_refused_with_their_paths(listings):
    bad = item(research_areas=["astrology"], needs=["warp_drive"], crew_time="lots", confidence="certain")

    found = problems(document(bad))

    assert [path for path, _message in found] == [
        "$.precedents[0].confidence",
        "$.precedents[0].crew_time",
        "$.precedents[0].needs[0]",
        "$.precedents[0].research_areas[0]",
    ]
    assert found[1][1] == "'lots' is not one of ['none', 'low', 'medium', 'high']"
    assert found[3][1].startswith("'astrology' is not one of ['stem_cells', 'organoids',")
    assert Precedent.objects.count() == 0


def test_broken_json_is_refused_with_what_is_wrong(listings):
    found = problems(b'{"format": "leoportal.precedents/1", "precedents": [')

    assert found == [("$", "not valid JSON: Expecting value: line 1 column 53 (char 52)")]


def test_a_document_of_another_kind_is_refused(listings):
    assert problems({"format": "leoportal.capabilities/1", "capabilities": []}) == [
        (
            "$.format",
            "expected 'leoportal.precedents/1', found 'leoportal.capabilities/1'; is this the right kind of file?",
        )
    ]


def test_every_problem_of_a_document_is_listed_at_once_and_nothing_is_written(listings):
    source = document(
        item(id="fine-flight"),
        item(id="two", year=1975),
        item(id="three", facilities=["missing"]),
        item(id="fine-flight", title="Duplicate"),
        item(id="five", duration_days=12.345, team="x" * 301),
        item(id="portal-1234", summary="Too short."),
    )

    found = problems(source)

    assert [path for path, _message in found] == [
        "$.precedents[1].year",
        "$.precedents[2].facilities[0]",
        "$.precedents[3].id",
        "$.precedents[4].duration_days",
        "$.precedents[4].team",
        "$.precedents[5].summary",
    ]
    assert found[3][1] == "Ensure that there are no more than 2 decimal places."
    assert found[4][1] == "Ensure this value has at most 300 characters (it has 301)."
    assert (Precedent.objects.count(), Precedent.history.count()) == (0, 0)


def test_ids_of_portal_precedents_are_refused_in_files(listings):
    assert problems(document(item(id="portal-3f2a9c"))) == [
        (
            "$.precedents[0].id",
            "'portal-3f2a9c' starts with 'portal-', which is kept for flights recorded on this portal; choose "
            "another id",
        )
    ]


def test_too_many_sources_are_refused_with_their_path(listings):
    sources = [f"https://example.org/report-{n}" for n in range(51)]

    assert problems(document(item(sources=sources))) == [("$.precedents[0].sources", "List at most 50 sources.")]


def test_a_precedent_whose_listing_retired_stays_valid(listings):
    listings["adsep"].status = CapabilityStatus.RETIRED
    listings["adsep"].save()

    plan = import_precedents(document(item()))

    assert plan.summary() == "1 created, 0 updated, 0 unchanged"
    assert [entry["facilities"] for entry in engine_items()] == [["adsep"]]


def test_a_draft_listing_can_have_flown(listings):
    listings["cubelab"].publication = "draft"
    listings["cubelab"].published_at = None
    listings["cubelab"].save()

    import_precedents(document(item(facilities=["cubelab"])))

    assert list(Precedent.objects.get().listings.all()) == [listings["cubelab"]]


# --- Exporting ----------------------------------------------------------------------------------------------------


def test_export_then_import_into_an_empty_database_gives_the_same_rows():
    import_capabilities(CATALOGUE.read_text())
    import_precedents(BUNDLED.read_bytes())
    before = rows()
    exported = json.loads(json.dumps(export_document(Precedent.objects.with_listings().order_by("external_id"))))
    Precedent.objects.all().delete()

    plan = import_precedents(json.dumps(exported))

    assert plan.summary() == "125 created, 0 updated, 0 unchanged"
    assert [row[1:] for row in rows()] == [row[1:] for row in before]


def test_an_exported_precedent_has_exactly_the_schema_keys_and_validates(listings):
    precedent = PrecedentFactory(listings=[listings["cubelab"], listings["adsep"]], team="", duration_days=None)

    exported = export_document(Precedent.objects.with_listings())

    assert sorted(exported["precedents"][0]) == sorted(key for key in ITEM_KEYS if key != "team")
    assert exported["precedents"][0]["facilities"] == ["adsep", "cubelab"]
    assert exported["precedents"][0]["duration_days"] is None
    assert parse_document(exported, PRECEDENTS) is exported
    assert precedents.exportable(precedent) is None


def test_a_precedent_whose_listings_were_deleted_cannot_be_exported(listings):
    precedent = PrecedentFactory(listings=[listings["adsep"]])
    listings["adsep"].delete()

    assert precedents.exportable(Precedent.objects.with_listings().get(pk=precedent.pk)) == (
        "none of the listings that flew it exists any more (they were deleted)"
    )


# --- For the engine -----------------------------------------------------------------------------------------------


def test_engine_items_have_the_shape_of_interchange_items_plus_origin_and_label(listings):
    import_precedents(document(item(facilities=["cubelab", "adsep"])))

    assert engine_items() == [
        {
            "id": "cardiac-culture-2019",
            "title": "Heart-muscle cells cultured for a month",
            "summary": "Human cardiomyocytes were cultured for a month in orbit and returned live for comparison.",
            "research_areas": ["cell_biology", "stem_cells"],
            "sample_type": "live_cells",
            "needs": ["cell_culture_bioreactor", "sample_return"],
            "crew_time": "low",
            "duration_days": 30,
            "sample_return": True,
            "variable_gravity": None,
            "facilities": ["adsep", "cubelab"],
            "year": 2019,
            "confidence": "high",
            "origin": "curated",
            "label": "Heart-muscle cells cultured for a month",
            "flight_status": "flown",
            "listing_refs": [listings["adsep"].pk, listings["cubelab"].pk],
        }
    ]


def test_engine_items_use_the_interchange_ids_of_the_listings(listings):
    PrecedentFactory(listings=[listings["cubelab"]])

    (entry,) = engine_items()

    assert entry["facilities"] == [listings["cubelab"].to_interchange()["id"]]


def test_engine_items_never_label_a_portal_precedent_with_its_text(listings, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True, status="accepted", title="Secret liver organoids")
    PrecedentFactory(
        external_id="portal-0a1b2c",
        origin=PrecedentOrigin.PORTAL,
        proposal=proposal,
        title="Secret liver organoids",
        summary="Grow liver organoids for 14 days and return them live. Without sedimentation they grow in 3D.",
        duration_days=None,
        listings=[listings["adsep"]],
    )

    (entry,) = engine_items()

    assert (entry["origin"], entry["label"], entry["title"], entry["duration_days"]) == (
        "portal",
        PORTAL_LABEL,
        "Secret liver organoids",
        None,
    )
    assert PORTAL_LABEL == "a similar proposal on this portal"


def test_engine_items_list_every_precedent_by_id_even_without_listings(listings):
    PrecedentFactory(external_id="b-flight", listings=[listings["adsep"]])
    PrecedentFactory(external_id="a-flight", listings=[])

    assert [(entry["id"], entry["facilities"]) for entry in engine_items()] == [
        ("a-flight", []),
        ("b-flight", ["adsep"]),
    ]


@pytest.mark.parametrize("count", [2, 20])
def test_engine_items_take_one_query_whatever_the_number(listings, django_assert_num_queries, count):
    for _ in range(count):
        PrecedentFactory(listings=[listings["adsep"], listings["cubelab"]])

    with django_assert_num_queries(1):
        items = engine_items()

    assert [len(entry["facilities"]) for entry in items] == [2] * count


def test_fingerprint_changes_when_a_precedent_changes(listings):
    precedent = PrecedentFactory(listings=[listings["adsep"]])
    before = precedents.fingerprint()

    precedent.year = 2020
    precedent.save()

    assert precedents.fingerprint() != before
    assert precedents.fingerprint()[0] == 1


# --- Database constraints ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"year": 1975}, "precedent_year_range"),
        ({"duration_days": -1}, "precedent_duration_range"),
        ({"sample_type": "dragons"}, "precedent_sample_type_valid"),
        ({"crew_time": "lots"}, "precedent_crew_time_valid"),
        ({"confidence": ""}, "precedent_confidence_valid"),
        ({"origin": "rumour"}, "precedent_origin_valid"),
        ({"research_areas": []}, "precedent_has_research_area"),
        ({"sources": []}, "precedent_has_source"),
        ({"title": "Bio"}, "precedent_title_length"),
        ({"summary": "Short."}, "precedent_summary_length"),
        ({"external_id": "Not An Id"}, "precedent_external_id_format"),
        ({"origin": "portal"}, "precedent_portal_has_proposal"),
        ({"flight_status": "manifested"}, "precedent_curated_flew"),
    ],
)
def test_the_database_refuses_what_a_precedent_cannot_be(listings, change, constraint):
    precedent = PrecedentFactory(listings=[listings["adsep"]])

    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Precedent.objects.filter(pk=precedent.pk).update(**change)

    assert constraint in str(caught.value)


def test_problem_paths_use_the_file_names_of_fields():
    found = precedents._model_problems("$.precedents[0]", {**precedents.fields_from_item(item(id="A B"))})

    assert found == [
        Problem(
            "$.precedents[0].id",
            "Use 1 to 100 lower-case letters, digits and hyphens, starting with a letter or digit.",
        )
    ]


def test_items_keep_their_order_of_research_areas_through_a_round_trip(listings):
    original = item(research_areas=["stem_cells", "cell_biology"])
    import_precedents(document(copy.deepcopy(original)))

    exported = export_document(Precedent.objects.with_listings())["precedents"][0]

    assert exported == original
