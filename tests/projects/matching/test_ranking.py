"""Ranking, near misses with the change that would make them fit, and the provider view."""

from dataclasses import replace

import pytest

from projects.matching import Catalogue, Fit, open_counts, rank, rank_one

from .conftest import example_proposals
from .helpers import day, listing, proposal

CULTURE = ("cell_culture_bioreactor",)


def only(listings, p, **options):
    catalogue = Catalogue.build(listings)
    (result,) = rank(catalogue, [p], top=options.pop("top", len(catalogue)), **options)
    return result


# ranking


def test_ties_break_by_capability_id():
    twins = [listing(id=name, name="Same", description="same") for name in ("c-b", "c-a", "c-c")]
    result = only(twins, proposal(needs=("cell_culture_bioreactor",)))
    assert [(m.rank, m.capability_id) for m in result.matches] == [(1, "c-a"), (2, "c-b"), (3, "c-c")]
    assert len({m.score for m in result.matches}) == 1


def test_top_n_keeps_the_best_n():
    listings = [listing(id=f"c-{i}", temperature_c=(float(i), 40.0)) for i in range(6)]
    result = only(listings, proposal(temperature_c=(2.0, 37.0)), top=3)
    assert [(m.capability_id, m.fit) for m in result.matches] == [
        ("c-0", Fit.TO_CONFIRM),
        ("c-1", Fit.TO_CONFIRM),
        ("c-2", Fit.TO_CONFIRM),
    ]


def test_a_freezer_never_ranks_near_a_bioprinter_for_a_bioprinting_job():
    printer = listing(id="printer", name="Bioprinter", categories=("3d_bioprinter",), status="operational")
    freezer = listing(
        id="freezer",
        name="Freezer",
        categories=("cold_stowage_freezer",),
        status="operational",
        temperature_c=(-95.0, 4.0),
        first_flight_year=2006,
        crew_time="none",
        sample_return=True,
    )
    p = proposal(title="Bioprinted cartilage", needs=("3d_bioprinter",), crew_time="medium", sample_return=True)
    by_id = {m.capability_id: m for m in only([printer, freezer], p).matches}
    assert by_id["printer"].rank == 1
    assert by_id["freezer"].score < by_id["printer"].score / 2


def test_scores_are_between_0_and_100_with_two_decimals():
    result = only(
        [listing(id=f"c-{i}", status=s) for i, s in enumerate(["operational", "planned", None])],
        proposal(needs=("cell_culture_bioreactor",), research_areas=("cell_biology",)),
    )
    for match in result.matches:
        assert 0 <= match.score <= 100
        assert round(match.score, 2) == match.score


# near misses


NEAR_MISS_CASES = [
    (
        {"duration_days": 42.0},
        {"max_duration_days": 30.0},
        "duration_days",
        "fits if your experiment can run in 30 days instead of 42",
    ),
    ({"units_needed": 12}, {"capacity_units": 10}, "units_needed", "fits if you can fly 10 units instead of 12"),
    ({"power_w": 120.0}, {"power_w": 100.0}, "power_w", "fits if your payload can run on 100 W instead of 120 W"),
    (
        {"temperature_c": (16.0, 38.0)},
        {"temperature_c": (18.0, 40.0)},
        "temperature_c",
        "fits if your samples can be held at 18-38 C instead of 16-38 C",
    ),
    (
        {"temperature_c": (41.0, 42.0)},
        {"temperature_c": (18.0, 40.0)},
        "temperature_c",
        "fits if your samples can be held at 40 C instead of 41-42 C",
    ),
    (
        {"crew_time": "low"},
        {"crew_time": "high"},
        "crew_time",
        "fits if you can accept high crew time instead of low",
    ),
    (
        {"sample_return": True, "return_temperature_c": 6.0},
        {"temperature_c": (18.0, 40.0), "cold_stowage_c": (4.0,)},
        "return_temperature_c",
        "fits if your samples can come back at 4 C instead of 6 C",
    ),
    (
        {"launch_window": (day("2027-03-01"), day("2027-12-31"))},
        {"availability": ((day("2028-01-15"), day("2028-06-30")),)},
        "launch_window",
        "fits if your launch window extended to 2028-01-15 (it now ends 2027-12-31)",
    ),
    (
        {"launch_window": (day("2027-03-01"), day("2027-12-31"))},
        {"availability": ((day("2026-10-01"), day("2027-01-31")),)},
        "launch_window",
        "fits if your launch window opened by 2027-01-31 (it now opens 2027-03-01)",
    ),
]


@pytest.mark.parametrize(("needs", "facts", "criterion", "change"), NEAR_MISS_CASES)
def test_near_miss_names_the_change_that_makes_it_fit(needs, facts, criterion, change):
    result = only([listing(status="operational", **facts)], proposal(needs=CULTURE, **needs))
    (near,) = result.near_misses
    assert (near.capability_id, near.fit, near.change) == ("c-1", Fit.DOES_NOT_FIT, change)
    assert [c.name for c in near.criteria if c.outcome == "fail"] == [criterion]
    assert result.matches == [near]  # ranked, and the same row carries the change


@pytest.mark.parametrize(
    ("needs", "facts"),
    [
        ({"duration_days": 46.0}, {"max_duration_days": 30.0}),  # more than 50% over
        ({"temperature_c": (10.0, 37.0)}, {"temperature_c": (18.0, 40.0)}),  # 8 C off
        ({"crew_time": "none"}, {"crew_time": "high"}),  # three levels
        ({"biosafety_level": 3}, {"biosafety_level": 2}),  # never relaxed
        ({"co2": True}, {"co2_control": False}),  # a stated absence has no margin
        ({"duration_days": 42.0, "units_needed": 12}, {"max_duration_days": 30.0, "capacity_units": 10}),  # two fails
        (
            {"launch_window": (day("2027-03-01"), day("2027-06-30"))},
            {"availability": ((day("2028-01-15"), day("2028-06-30")),)},  # 199 days apart
        ),
    ],
)
def test_not_a_near_miss(needs, facts):
    result = only([listing(status="operational", **facts)], proposal(needs=CULTURE, **needs))
    assert result.near_misses == []
    assert result.matches[0].fit == Fit.DOES_NOT_FIT


def test_a_proposal_with_no_kind_of_hardware_stated_or_likely_gets_no_near_misses():
    result = only([listing(max_duration_days=30.0)], proposal(duration_days=42.0))
    assert (result.near_misses, result.matches[0].fit) == ([], Fit.DOES_NOT_FIT)


def test_near_misses_come_only_from_listings_offering_needed_hardware():
    freezer = listing(id="freezer", categories=("cold_stowage_freezer",), max_duration_days=30.0)
    reactor = listing(id="reactor", categories=("cell_culture_bioreactor",), max_duration_days=30.0)
    result = only([freezer, reactor], proposal(needs=("cell_culture_bioreactor",), duration_days=42.0))
    assert [m.capability_id for m in result.near_misses] == ["reactor"]


def test_near_misses_are_limited_and_carried_by_their_ranked_row():
    listings = [listing(id=f"c-{i}", max_duration_days=30.0 + i) for i in range(8)]
    result = only(listings, proposal(needs=CULTURE, duration_days=40.0), top=3, near_misses=2)
    assert [(m.capability_id, m.rank, m.change) for m in result.near_misses] == [
        ("c-0", 1, "fits if your experiment can run in 30 days instead of 40"),
        ("c-1", 2, "fits if your experiment can run in 31 days instead of 40"),
    ]
    assert [(m.capability_id, m.change is not None) for m in result.kept()] == [
        ("c-0", True),
        ("c-1", True),
        ("c-2", False),
    ]


def test_kept_rows_are_the_top_matches_then_lower_ranked_near_misses():
    fitting = [listing(id=f"fit-{i}", max_duration_days=60.0, status="operational") for i in range(3)]
    short = [listing(id=f"short-{i}", max_duration_days=30.0) for i in range(2)]
    result = only([*fitting, *short], proposal(needs=CULTURE, duration_days=40.0), top=2, near_misses=5)
    assert [(m.capability_id, m.rank, m.fit) for m in result.kept()] == [
        ("fit-0", 1, Fit.FITS),
        ("fit-1", 2, Fit.FITS),
        ("short-0", 4, Fit.DOES_NOT_FIT),
        ("short-1", 5, Fit.DOES_NOT_FIT),
    ]


# provider view


def provider_catalogue():
    return [
        listing(id="a-printer", provider="Provider A", categories=("3d_bioprinter",), status="operational"),
        listing(id="a-reactor", provider="Provider A", categories=("cell_culture_bioreactor",), status="operational"),
        listing(id="a-freezer", provider="Provider A", categories=("cold_stowage_freezer",), status="operational"),
        listing(id="b-reactor", provider="Provider B", categories=("cell_culture_bioreactor",), status="operational"),
        listing(id="c-host", provider="Provider C", categories=("modular_payload_platform",), status="operational"),
        listing(id="d-printer", provider="Provider D", categories=("3d_bioprinter",), status="retired"),
    ]


def test_provider_view_combines_listings_to_cover_several_needs():
    p = proposal(title="Bioprint and mature", needs=("cell_culture_bioreactor", "3d_bioprinter"))
    result = rank_one(Catalogue.build(provider_catalogue()), p)
    first = result.providers[0]
    assert (first.provider, first.capabilities, first.covers, first.hosted, first.missing) == (
        "Provider A",
        ("a-printer", "a-reactor"),
        {"cell_culture_bioreactor": "a-reactor", "3d_bioprinter": "a-printer"},
        (),
        (),
    )
    by_provider = {option.provider: option for option in result.providers}
    assert by_provider["Provider B"].missing == ("3d_bioprinter",)
    assert by_provider["Provider C"].hosted == ("cell_culture_bioreactor",)
    assert "Provider D" not in by_provider  # its only listing is retired: ineligible
    assert first.score > by_provider["Provider B"].score


def test_provider_view_prefers_one_listing_that_covers_everything():
    listings = [
        *provider_catalogue(),
        listing(
            id="e-both",
            provider="Provider E",
            categories=("3d_bioprinter", "cell_culture_bioreactor"),
            status="operational",
        ),
    ]
    p = proposal(title="Bioprint and mature", needs=("cell_culture_bioreactor", "3d_bioprinter"))
    by_provider = {o.provider: o for o in rank_one(Catalogue.build(listings), p).providers}
    assert by_provider["Provider E"].capabilities == ("e-both",)
    assert by_provider["Provider E"].score > by_provider["Provider A"].score


def test_provider_view_is_empty_without_needs():
    assert rank_one(Catalogue.build(provider_catalogue()), proposal(summary="A study.")).providers == []


def test_provider_view_eligibility_is_the_weakest_member():
    listings = [replace(item, crew_time="low") for item in provider_catalogue()]
    listings[1] = replace(listings[1], crew_time=None)  # a-reactor unconfirmed
    p = proposal(needs=("cell_culture_bioreactor", "3d_bioprinter"), crew_time="low")
    first = rank_one(Catalogue.build(listings), p).providers[0]
    assert (first.provider, first.fit) == ("Provider A", Fit.TO_CONFIRM)


# counts for listing pages


def test_open_counts_count_eligible_and_unconfirmed_proposals_over_all_pairs():
    listings = [
        listing(id="long", max_duration_days=60.0, status="operational"),
        listing(id="short", max_duration_days=20.0, status="operational"),
        listing(id="retired", status="retired"),
    ]
    proposals = [proposal(id=f"p-{days}", duration_days=float(days)) for days in (10, 30, 90)] + [proposal(id="p-none")]
    assert open_counts(Catalogue.build(listings), proposals) == {"long": 3, "retired": 0, "short": 2}


# edges


def test_an_empty_catalogue_ranks_nothing_and_an_empty_batch_returns_nothing():
    (result,) = rank(Catalogue.build([]), [proposal()])
    assert (result.matches, result.near_misses, result.providers) == ([], [], [])
    assert rank(Catalogue.build([listing()]), []) == []
    assert open_counts(Catalogue.build([]), [proposal()]) == {}


def test_listings_without_any_words_still_rank():
    (result,) = rank(Catalogue.build([listing(name="the", categories=("sample_return",))]), [proposal(title="of")])
    assert [(m.capability_id, m.fit) for m in result.matches] == [("c-1", Fit.TO_CONFIRM)]


def test_provider_view_of_a_single_listing_scores_that_listing(catalogue):
    checked = 0
    for p in example_proposals():
        result = rank_one(catalogue, p, top=len(catalogue))
        scores = {m.capability_id: m.score for m in result.matches}
        for option in result.providers:
            if len(option.capabilities) == 1:
                assert option.score == scores[option.capabilities[0]], (p.id, option.provider)
                checked += 1
    assert checked >= 10
