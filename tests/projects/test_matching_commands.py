import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from leoportal.interchange import RANKINGS, parse_document
from partners.domain.importing import import_capabilities
from partners.models import Capability
from projects.domain.precedents import import_precedents
from projects.models import Match, Proposal

CATALOGUE = Path(settings.BASE_DIR) / "partners" / "data" / "iss-facilities.json"
EXAMPLES = Path(settings.BASE_DIR) / "projects" / "data" / "demo_proposals.json"
PRECEDENTS = Path(settings.BASE_DIR) / "projects" / "data" / "flown-experiments.json"

# Written down before the first run, from the domain notes: which providers should come first for each example.
EXPECTED_FIRST_PROVIDERS = {
    # a bioprinter (and a culture facility) for chondrocyte bioink: the two bioprinters in orbit
    "demo-cartilage-print": {"Redwire Space", "Auxilium Biotechnologies"},
    # antibody crystallization with imaging: PIL-BOX, or JAXA's crystallization facility
    "demo-mab-crystals": {"Redwire Space", "JAXA"},
    # liver organoids, 96 units at 37 C with CO2: Airbus' organoid hardware (250 units) or a culture locker
    "demo-liver-organoids": {
        "Airbus Defence and Space",
        "Space Tango",
        "Space Technology and Advanced Research Systems (STaARS)",
    },
    # partial gravity and a 1 g control: a centrifuge facility (MVP, Kubik, Biolab, CBEF, EMCS)
    "demo-partial-g-bone": {"Redwire Space", "Kayser Italia", "ESA", "JAXA"},
    # automated small-molecule crystallization, recovered on Earth: a free-flyer capsule
    "demo-autonomous-api": {"Varda Space Industries", "Intuitive Machines"},
    # gut chip with bacteria: organ-on-chip hardware
    "demo-gut-microbiome-chip": {"Space Tango", "Space Technology and Advanced Research Systems (STaARS)"},
    # automated MSC expansion with CO2: a culture facility
    "demo-msc-expansion": {
        "Space Tango",
        "Airbus Defence and Space",
        "Kayser Italia",
        "Space Technology and Advanced Research Systems (STaARS)",
        "Space Applications Services",
    },
    # daily microscope imaging, hands-on crew: imaging-capable culture or glovebox
    "demo-muscle-atrophy-imaging": {"BioServe Space Technologies", "ESA", "NASA", "Redwire Space"},
}


@pytest.fixture
def catalogue(db):
    import_capabilities(CATALOGUE.read_bytes())


def rank(*args):
    out = StringIO()
    call_command("rank_proposals", *args, stdout=out)
    return json.loads(out.getvalue())


def test_rank_proposals_prints_a_valid_rankings_document_and_writes_nothing(catalogue):
    before = (Proposal.objects.count(), Match.objects.count())

    document = rank(str(EXAMPLES), "--top", "5")

    parse_document(document, RANKINGS)
    assert (Proposal.objects.count(), Match.objects.count()) == before
    assert [r["proposal"] for r in document["rankings"]] == list(EXPECTED_FIRST_PROVIDERS)
    for ranking in document["rankings"]:
        top = [m for m in ranking["matches"] if m["rank"] <= 5]
        assert [m["rank"] for m in top] == [1, 2, 3, 4, 5]


def test_rank_proposals_puts_sensible_providers_first(catalogue):
    document = rank(str(EXAMPLES), "--top", "3")

    first = {r["proposal"]: r["matches"][0]["provider"] for r in document["rankings"]}
    unexpected = {pid: provider for pid, provider in first.items() if provider not in EXPECTED_FIRST_PROVIDERS[pid]}
    assert unexpected == {}


def test_rank_proposals_reads_the_databases_flight_precedents(catalogue):
    without = {r["proposal"]: r["matches"] for r in rank(str(EXAMPLES), "--top", "37")["rankings"]}
    import_precedents(PRECEDENTS.read_bytes())

    with_precedents = {r["proposal"]: r["matches"] for r in rank(str(EXAMPLES), "--top", "37")["rankings"]}

    cartilage = {m["capability"]: m for m in with_precedents["demo-cartilage-print"]}
    flew_on_bff = {
        p["title"] for p in json.loads(PRECEDENTS.read_text())["precedents"] if "redwire-bff" in p["facilities"]
    }
    cited = {citation["label"] for citation in cartilage["redwire-bff"]["precedents"]}
    assert cited and cited <= flew_on_bff
    assert any(check["name"] == "precedents" for check in cartilage["redwire-bff"]["criteria"])
    assert all(m["precedents"] == [] for matches in without.values() for m in matches)
    assert cartilage["redwire-bff"]["summary"].endswith("similar experiments flew here")


def test_rank_proposals_ranks_only_published_listings_of_verified_providers(catalogue):
    Capability.objects.filter(external_id="redwire-bff").update(publication="draft")

    document = rank(str(EXAMPLES))

    ranked = {m["capability"] for r in document["rankings"] for m in r["matches"]}
    assert "redwire-bff" not in ranked
    assert "auxilium-amp1" in ranked


def test_rank_proposals_lists_every_problem_of_a_bad_file(catalogue, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"format": "leoportal.proposals/1", "proposals": [{"id": "x"}, {"id": "y", "title": ""}]})
    )
    err = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("rank_proposals", str(bad), stderr=err)

    assert str(error.value) == f"{bad} is not a valid leoportal.proposals/1 document."
    assert err.getvalue().splitlines() == [
        "$.proposals[0]: 'summary' is a required property",
        "$.proposals[0]: 'title' is a required property",
        "$.proposals[1]: 'summary' is a required property",
        "$.proposals[1].title: '' should be non-empty",
    ]


def test_rank_proposals_says_when_there_is_nothing_to_rank_against(db):
    with pytest.raises(CommandError) as error:
        call_command("rank_proposals", str(EXAMPLES), stdout=StringIO())

    assert str(error.value) == "There are no published listings of verified providers to rank against."


def test_bench_matching_prints_measured_figures_and_cleans_up(db):
    out = StringIO()

    call_command("bench_matching", "--proposals", "40", "--capabilities", "12", "--repeat", "1", "--json", stdout=out)

    figures = json.loads(out.getvalue().splitlines()[-1])
    assert {"pairs", "score_s", "persist_s", "one_proposal_ms", "peak_rss_mb"} <= set(figures)
    assert figures["pairs"] == 480
    assert figures["rescored_proposals"] == 40
    assert figures["persisted_rows"] == figures["stored_match_rows"] > 0
    assert figures["score_s"] > 0 and figures["persist_s"] > 0
    assert (Proposal.objects.count(), Capability.objects.count(), Match.objects.count()) == (0, 0, 0)


def test_seed_volume_adds_scored_volume_and_removes_it(db):
    out = StringIO()

    call_command("seed_volume", "--proposals", "30", "--capabilities", "10", stdout=out)

    assert (Proposal.objects.count(), Capability.objects.matchable().count()) == (30, 10)
    assert Proposal.objects.filter(matched_at__isnull=False).count() == 30
    assert Match.objects.count() > 0
    call_command("seed_volume", "--remove", stdout=out)
    assert (Proposal.objects.count(), Capability.objects.count(), Match.objects.count()) == (0, 0, 0)
