"""The benchmark's generator is deterministic and realistic; its measurement returns every figure."""

import json

from devtools.matching.bench import generate_capabilities, generate_proposals, main, measure

FACTS = (
    "temperature_c",
    "co2_control",
    "humidity_control",
    "capacity_units",
    "max_duration_days",
    "power_w",
    "crew_time",
    "imaging",
    "sample_return",
    "cold_stowage_c",
    "biosafety_level",
    "first_flight_year",
)
NEEDS = (
    "temperature_c",
    "co2",
    "humidity",
    "units_needed",
    "duration_days",
    "power_w",
    "crew_time",
    "imaging",
    "sample_return",
    "biosafety_level",
)


def test_generator_is_deterministic():
    assert generate_capabilities(30, seed=3) == generate_capabilities(30, seed=3)
    assert generate_proposals(30, seed=3) == generate_proposals(30, seed=3)
    assert generate_capabilities(30, seed=3) != generate_capabilities(30, seed=4)


def test_generator_leaves_about_40_percent_of_facts_unstated():
    listings, proposals = generate_capabilities(400), generate_proposals(400)
    unstated_listings = sum(getattr(c, f) is None for c in listings for f in FACTS) / (len(listings) * len(FACTS))
    unstated_needs = sum(getattr(p, f) is None for p in proposals for f in NEEDS) / (len(proposals) * len(NEEDS))
    assert 0.35 <= unstated_listings <= 0.45
    assert 0.35 <= unstated_needs <= 0.45
    assert 0.2 <= sum(c.availability is not None for c in listings) / len(listings) <= 0.4
    assert 0.2 <= sum(p.launch_window is not None for p in proposals) / len(proposals) <= 0.4


def test_measure_returns_every_figure():
    figures = measure(60, 40, singles=5)
    assert figures["pairs"] == 2400
    assert figures["kept"] >= 60 * 25
    for name in ("catalogue_s", "prepare_s", "score_s", "baseline_s", "explain_s", "one_proposal_ms", "peak_rss_mb"):
        assert figures[name] > 0, name


def test_main_prints_json_as_the_last_line(capsys):
    assert main(["--proposals", "20", "--capabilities", "30", "--json"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last)["pairs"] == 600
