"""Every criterion with pass, fail, unknown and partial (where it applies), and its exact sentence.

``check`` asserts on the way that the vectorized explanation gives exactly the same outcome and sentence as the
scalar rule for the pair.
"""

import pytest

from projects.matching import Fit, explain_pair
from projects.matching.weights import DEFAULT_WEIGHTS

from .helpers import check, checks, day, listing, proposal

# status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("operational", ("pass", "operational")),
        ("planned", ("partial", "planned; not flying yet")),
        ("retired", ("fail", "retired; no longer available")),
        (None, ("unknown", "provider has not stated whether it is operational")),
    ],
)
def test_status_outcomes(status, expected):
    assert check(proposal(), listing(status=status), "status") == expected


def test_status_retired_makes_the_pair_ineligible():
    _, eligibility, failed = explain_pair(proposal(), listing(status="retired"), DEFAULT_WEIGHTS)
    assert (eligibility, failed) == (Fit.DOES_NOT_FIT, ["status"])


# hardware


def test_hardware_pass_when_every_stated_kind_is_offered():
    p = proposal(needs=("cell_culture_bioreactor", "3d_bioprinter"))
    c = listing(categories=("cell_culture_bioreactor", "3d_bioprinter"))
    assert check(p, c, "hardware") == ("pass", "offers cell culture / bioreactor and 3D bioprinter, all you need")


def test_hardware_partial_when_some_stated_kinds_are_offered():
    p = proposal(needs=("cell_culture_bioreactor", "3d_bioprinter"))
    c = listing(categories=("3d_bioprinter",))
    assert check(p, c, "hardware") == ("partial", "offers 3D bioprinter; not cell culture / bioreactor")


def test_hardware_partial_when_a_host_platform_could_carry_the_kind():
    p = proposal(needs=("tissue_chip_organ_on_chip", "3d_bioprinter"))
    c = listing(categories=("modular_payload_platform",))
    assert check(p, c, "hardware") == (
        "partial",
        "could carry tissue chip / organ-on-chip as your own payload; not 3D bioprinter",
    )


def test_hardware_fail_names_what_the_listing_offers_instead():
    p = proposal(needs=("3d_bioprinter",))
    c = listing(categories=("cold_stowage_freezer", "sample_return"))
    assert check(p, c, "hardware") == (
        "fail",
        "offers none of 3D bioprinter; it offers cold stowage / freezer and sample return",
    )


def test_hardware_counts_a_kind_implied_by_stated_facts():
    p = proposal(needs=("variable_gravity_centrifuge", "sample_return"))
    c = listing(categories=("cell_culture_bioreactor",), variable_gravity_g=(0.1, 2.0), sample_return=True)
    assert check(p, c, "hardware") == (
        "pass",
        "offers variable-gravity centrifuge and sample return, all you need",
    )


def test_hardware_infers_likely_needs_when_none_are_stated():
    p = proposal(summary="We will bioprint a cartilage patch.", sample_type="bioink")
    assert check(p, listing(categories=("3d_bioprinter",)), "hardware") == (
        "pass",
        "you listed no hardware; your proposal suggests 3D bioprinter; offers it",
    )
    # Inferred kinds are a suggestion, never a failed check.
    assert check(p, listing(categories=("cold_stowage_freezer",)), "hardware") == (
        "unknown",
        "you listed no hardware; your proposal suggests 3D bioprinter; offers none of 3D bioprinter; "
        "it offers cold stowage / freezer",
    )


def test_hardware_is_not_checked_without_stated_or_likely_needs():
    assert check(proposal(summary="A study."), listing(), "hardware") is None


def test_a_listing_offering_none_of_the_stated_kinds_does_not_fit():
    p = proposal(needs=("3d_bioprinter",))
    c = listing(categories=("cold_stowage_freezer",), status="operational")
    _, fit, failed = explain_pair(p, c, DEFAULT_WEIGHTS)
    assert (fit, failed) == (Fit.DOES_NOT_FIT, ["hardware"])


def test_a_listing_offering_some_of_the_stated_kinds_is_to_confirm():
    p = proposal(needs=("3d_bioprinter", "cell_culture_bioreactor"), sample_return=True)
    c = listing(categories=("cell_culture_bioreactor",), status="operational", sample_return=True)
    _, fit, failed = explain_pair(p, c, DEFAULT_WEIGHTS)
    assert (fit, failed) == (Fit.TO_CONFIRM, [])


def test_a_listing_offering_every_stated_kind_and_confirming_every_fact_fits():
    p = proposal(needs=("cell_culture_bioreactor",), sample_return=True)
    c = listing(categories=("cell_culture_bioreactor",), status="operational", sample_return=True)
    assert explain_pair(p, c, DEFAULT_WEIGHTS)[1] == Fit.FITS


def test_a_host_that_could_carry_the_stated_kind_is_to_confirm():
    p = proposal(needs=("cell_culture_bioreactor",))
    c = listing(categories=("modular_payload_platform",), status="operational")
    assert explain_pair(p, c, DEFAULT_WEIGHTS)[1] == Fit.TO_CONFIRM


def test_hardware_mismatch_of_inferred_needs_never_makes_a_pair_not_fit():
    p = proposal(summary="We will bioprint a patch.", sample_type="bioink", sample_return=True)
    c = listing(categories=("cold_stowage_freezer",), status="operational", sample_return=True)
    assert explain_pair(p, c, DEFAULT_WEIGHTS)[1] == Fit.FITS


def test_a_proposal_stating_no_requirement_never_fits():
    p = proposal(summary="We will culture stem cells.", research_areas=("stem_cells",), sample_type="live_cells")
    c = listing(status="operational", research_areas=("stem_cells",), sample_return=True, first_flight_year=2020)
    assert explain_pair(p, c, DEFAULT_WEIGHTS)[1] == Fit.TO_CONFIRM


def test_a_planned_listing_is_to_confirm():
    p = proposal(needs=("cell_culture_bioreactor",))
    c = listing(categories=("cell_culture_bioreactor",), status="planned")
    assert explain_pair(p, c, DEFAULT_WEIGHTS)[1] == Fit.TO_CONFIRM


# research areas


@pytest.mark.parametrize(
    ("offered", "expected"),
    [
        (("stem_cells", "organoids", "microbiology"), ("pass", "serves stem cells and organoids")),
        (("stem_cells",), ("partial", "serves stem cells; not organoids")),
        (("microbiology",), ("unknown", "does not list stem cells or organoids; it lists microbiology")),
        ((), ("unknown", "provider has not listed the research areas it serves")),
    ],
)
def test_research_areas_outcomes(offered, expected):
    p = proposal(research_areas=("stem_cells", "organoids"))
    assert check(p, listing(research_areas=offered), "research_areas") == expected


@pytest.mark.parametrize("offered", [("microbiology",), ("stem_cells",), ("stem_cells", "organoids", "other")])
def test_research_areas_are_explained_in_the_same_order_whatever_order_the_proposal_gives(offered):
    # The vectorised scorer sees a set of areas: the scalar rules name them in the vocabulary's order, as it does.
    given = check(
        proposal(research_areas=("other", "organoids", "stem_cells")), listing(research_areas=offered), "research_areas"
    )
    ordered = check(
        proposal(research_areas=("stem_cells", "organoids", "other")), listing(research_areas=offered), "research_areas"
    )

    assert given == ordered


def test_research_areas_never_affect_the_fit():
    p = proposal(research_areas=("organoids",), needs=("cell_culture_bioreactor",))
    c = listing(research_areas=("microbiology",), status="operational")
    assert explain_pair(p, c, DEFAULT_WEIGHTS)[1] == Fit.FITS


def test_research_areas_not_checked_when_the_proposal_lists_none():
    assert check(proposal(), listing(research_areas=("stem_cells",)), "research_areas") is None


# temperature


@pytest.mark.parametrize(
    ("needed", "held", "expected"),
    [
        ((36.0, 38.0), (18.0, 40.0), ("pass", "needs 36-38 C; holds 18-40 C")),
        ((37.0, 37.0), (18.0, 40.0), ("pass", "needs 37 C; holds 18-40 C")),
        ((18.0, 40.0), (18.0, 40.0), ("pass", "needs 18-40 C; holds 18-40 C")),
        ((36.5, 37.5), (15.0, 30.0), ("fail", "needs 36.5-37.5 C; holds 15-30 C")),
        ((4.0, 37.0), (18.0, 40.0), ("fail", "needs 4-37 C; holds 18-40 C")),
        ((-80.0, -80.0), (-95.0, 4.0), ("pass", "needs -80 C; holds -95 to 4 C")),
        ((36.0, 38.0), None, ("unknown", "provider has not stated a temperature range; you need 36-38 C")),
    ],
)
def test_temperature_outcomes(needed, held, expected):
    assert check(proposal(temperature_c=needed), listing(temperature_c=held), "temperature_c") == expected


def test_temperature_not_checked_when_the_proposal_states_none():
    assert check(proposal(), listing(temperature_c=(18.0, 40.0)), "temperature_c") is None


# CO2, humidity, imaging


@pytest.mark.parametrize(
    ("need", "listing_field", "feature"),
    [
        ("co2", "co2_control", "CO2 control"),
        ("humidity", "humidity_control", "humidity control"),
        ("imaging", "imaging", "imaging"),
    ],
)
def test_stated_controls(need, listing_field, feature):
    p = proposal(**{need: True})
    assert check(p, listing(**{listing_field: True}), need) == ("pass", f"needs {feature}; provides it")
    assert check(p, listing(**{listing_field: False}), need) == (
        "fail",
        f"needs {feature}; provider states it has none",
    )
    assert check(p, listing(**{listing_field: None}), need) == (
        "unknown",
        f"provider has not stated whether it offers {feature}; you need it",
    )
    # A proposal saying it does not need the feature (False) or not saying (None) is not checked.
    assert check(proposal(**{need: False}), listing(**{listing_field: False}), need) is None
    assert check(proposal(), listing(**{listing_field: False}), need) is None


# units, duration, power


@pytest.mark.parametrize(
    ("needed", "capacity", "expected"),
    [
        (12, 42, ("pass", "needs 12 units; holds 42")),
        (42, 42, ("pass", "needs 42 units; holds 42")),
        (96, 42, ("fail", "needs 96 units; holds 42")),
        (12, None, ("unknown", "provider has not stated a capacity; you need 12 units")),
    ],
)
def test_units_outcomes(needed, capacity, expected):
    assert check(proposal(units_needed=needed), listing(capacity_units=capacity), "units_needed") == expected


@pytest.mark.parametrize(
    ("needed", "maximum", "expected"),
    [
        (21.0, 120.0, ("pass", "needs 21 days; runs up to 120 days")),
        (42.0, 30.0, ("fail", "needs 42 days; runs up to 30 days")),
        (42.0, None, ("unknown", "provider has not stated a maximum duration; you need 42 days")),
        (10.5, 30.0, ("pass", "needs 10.5 days; runs up to 30 days")),
    ],
)
def test_duration_outcomes(needed, maximum, expected):
    assert check(proposal(duration_days=needed), listing(max_duration_days=maximum), "duration_days") == expected


@pytest.mark.parametrize(
    ("needed", "supplied", "expected"),
    [
        (100.0, 1000.0, ("pass", "needs 100 W; supplies up to 1000 W")),
        (1200.0, 1000.0, ("fail", "needs 1200 W; supplies up to 1000 W")),
        (100.0, None, ("unknown", "provider has not stated the power it supplies; you need 100 W")),
    ],
)
def test_power_outcomes(needed, supplied, expected):
    assert check(proposal(power_w=needed), listing(power_w=supplied), "power_w") == expected


# crew time


@pytest.mark.parametrize(
    ("accepts", "demands", "expected"),
    [
        ("medium", "low", ("pass", "you accept up to medium crew time; it needs low crew time")),
        ("medium", "medium", ("pass", "you accept up to medium crew time; it needs medium crew time")),
        ("none", "none", ("pass", "you accept no crew time; it needs no crew time")),
        (
            "low",
            "medium",
            (
                "partial",
                "you accept up to low crew time; it needs medium crew time: confirm the crew time with the provider",
            ),
        ),
        ("low", "high", ("fail", "you accept up to low crew time; it needs high crew time")),
        ("none", "high", ("fail", "you accept no crew time; it needs high crew time")),
        (
            "low",
            None,
            ("unknown", "provider has not stated how much crew time it needs; you accept up to low crew time"),
        ),
    ],
)
def test_crew_time_outcomes(accepts, demands, expected):
    assert check(proposal(crew_time=accepts), listing(crew_time=demands), "crew_time") == expected


def test_one_crew_time_level_more_is_to_confirm_and_two_do_not_fit():
    c = listing(crew_time="medium", status="operational")
    assert explain_pair(proposal(crew_time="low"), c, DEFAULT_WEIGHTS)[1] == Fit.TO_CONFIRM
    assert explain_pair(proposal(crew_time="none"), c, DEFAULT_WEIGHTS)[1:] == (Fit.DOES_NOT_FIT, ["crew_time"])


# variable gravity (centrifuge)


def test_variable_gravity_pass_with_a_stated_range():
    c = listing(categories=("cell_culture_bioreactor",), variable_gravity_g=(0.1, 2.0))
    assert check(proposal(variable_gravity=True), c, "variable_gravity") == (
        "pass",
        "needs on-orbit centrifugation; offers 0.1-2 g",
    )


def test_variable_gravity_pass_with_the_category_and_no_range():
    c = listing(categories=("cell_culture_bioreactor", "variable_gravity_centrifuge"))
    assert check(proposal(variable_gravity=True), c, "variable_gravity") == (
        "pass",
        "needs on-orbit centrifugation; has a centrifuge (g range not stated)",
    )


def test_variable_gravity_fail_for_a_dedicated_instrument_without_one():
    c = listing(categories=("3d_bioprinter",))
    assert check(proposal(variable_gravity=True), c, "variable_gravity") == (
        "fail",
        "needs on-orbit centrifugation; has no centrifuge",
    )


def test_variable_gravity_unknown_for_a_host_platform():
    c = listing(categories=("modular_payload_platform",))
    assert check(proposal(variable_gravity=True), c, "variable_gravity") == (
        "unknown",
        "needs on-orbit centrifugation; provider has not stated whether a centrifuge can fly in your payload or theirs",
    )


def test_variable_gravity_not_checked_unless_asked_for():
    assert check(proposal(variable_gravity=False), listing(categories=("3d_bioprinter",)), "variable_gravity") is None


# sample return


@pytest.mark.parametrize(
    ("categories", "returns", "expected"),
    [
        (("cell_culture_bioreactor",), True, ("pass", "needs samples back; returns samples")),
        (("sample_return",), None, ("pass", "needs samples back; it is a sample-return service")),
        (("free_flyer_recoverable_capsule",), None, ("pass", "needs samples back; it is a sample-return service")),
        (("cell_culture_bioreactor",), False, ("fail", "needs samples back; provider states it cannot return samples")),
        (("sample_return",), False, ("fail", "needs samples back; provider states it cannot return samples")),
        (
            ("cell_culture_bioreactor",),
            None,
            ("unknown", "provider has not stated whether it returns samples; you need them back"),
        ),
    ],
)
def test_sample_return_outcomes(categories, returns, expected):
    c = listing(categories=categories, sample_return=returns)
    assert check(proposal(sample_return=True), c, "sample_return") == expected


def test_sample_return_not_checked_when_samples_stay_on_orbit():
    assert check(proposal(sample_return=False), listing(sample_return=False), "sample_return") is None


# return temperature


@pytest.mark.parametrize(
    ("needed", "held", "stowage", "expected"),
    [
        (4.0, (-95.0, 4.0), None, ("pass", "needs return at 4 C; holds -95 to 4 C")),
        (4.0, (18.0, 40.0), (-20.0, 4.0), ("pass", "needs return at 4 C; keeps cold stowage at -20 and 4 C")),
        (4.5, None, (4.0,), ("pass", "needs return at 4.5 C; keeps cold stowage at 4 C")),
        (-80.0, None, (-95.0, 4.0), ("pass", "needs return at -80 C; keeps cold stowage at -95 and 4 C")),
        (
            -80.0,
            (18.0, 40.0),
            (-20.0, 10.0),
            ("fail", "needs return at -80 C; holds 18-40 C and keeps cold stowage at -20 and 10 C"),
        ),
        (4.0, (18.0, 40.0), (), ("fail", "needs return at 4 C; holds 18-40 C and has no cold stowage")),
        (
            4.0,
            (15.0, 40.0),
            None,
            ("unknown", "needs return at 4 C; holds 15-40 C; provider has not stated cold stowage temperatures"),
        ),
        (
            -80.0,
            None,
            (4.0,),
            (
                "unknown",
                "needs return at -80 C; keeps cold stowage at 4 C; provider has not stated a temperature range",
            ),
        ),
        (
            4.0,
            None,
            None,
            ("unknown", "provider has not stated the temperatures it can keep; you need return at 4 C"),
        ),
    ],
)
def test_return_temperature_outcomes(needed, held, stowage, expected):
    p = proposal(sample_return=True, return_temperature_c=needed)
    c = listing(temperature_c=held, cold_stowage_c=stowage)
    assert check(p, c, "return_temperature_c") == expected


def test_return_temperature_colder_stowage_keeps_frozen_samples_but_not_chilled_ones():
    frozen = proposal(sample_return=True, return_temperature_c=-20.0)
    chilled = proposal(sample_return=True, return_temperature_c=4.0)
    c = listing(temperature_c=(18.0, 40.0), cold_stowage_c=(-80.0,))
    assert check(frozen, c, "return_temperature_c")[0] == "pass"
    assert check(chilled, c, "return_temperature_c")[0] == "fail"


def test_return_temperature_not_checked_without_sample_return():
    p = proposal(sample_return=False, return_temperature_c=4.0)
    assert check(p, listing(temperature_c=(18.0, 40.0), cold_stowage_c=()), "return_temperature_c") is None


# biosafety


@pytest.mark.parametrize(
    ("needed", "supported", "expected"),
    [
        (2, 2, ("pass", "you work at BSL-2; it supports up to BSL-2")),
        (1, 2, ("pass", "you work at BSL-1; it supports up to BSL-2")),
        (3, 2, ("fail", "you work at BSL-3; it supports up to BSL-2")),
        (2, None, ("unknown", "provider has not stated a biosafety level; you work at BSL-2")),
    ],
)
def test_biosafety_outcomes(needed, supported, expected):
    assert check(proposal(biosafety_level=needed), listing(biosafety_level=supported), "biosafety_level") == expected


# launch window


WINDOW = (day("2027-03-01"), day("2027-12-31"))


@pytest.mark.parametrize(
    ("availability", "expected"),
    [
        (
            ((day("2026-01-01"), day("2026-06-30")), (day("2027-06-01"), day("2027-09-30"))),
            ("pass", "you need to launch between 2027-03-01 and 2027-12-31; available 2027-06-01 to 2027-09-30"),
        ),
        (
            ((day("2027-12-31"), day("2028-02-01")),),
            ("pass", "you need to launch between 2027-03-01 and 2027-12-31; available 2027-12-31 to 2028-02-01"),
        ),
        (
            ((day("2028-01-15"), day("2028-06-30")),),
            (
                "fail",
                "you need to launch between 2027-03-01 and 2027-12-31; available only 2028-01-15 to 2028-06-30",
            ),
        ),
        ((), ("fail", "you need to launch between 2027-03-01 and 2027-12-31; provider has no open slots")),
        (
            None,
            (
                "unknown",
                "provider has not published availability; you need to launch between 2027-03-01 and 2027-12-31",
            ),
        ),
    ],
)
def test_launch_window_outcomes(availability, expected):
    assert check(proposal(launch_window=WINDOW), listing(availability=availability), "launch_window") == expected


# flight heritage


@pytest.mark.parametrize(
    ("year", "status", "expected"),
    [
        (2019, "operational", ("pass", "first flew in 2019")),
        (2023, "planned", ("pass", "first flew in 2023")),
        (None, "operational", ("partial", "operational; provider has not stated when it first flew")),
        (None, "planned", ("unknown", "provider has not stated a first flight")),
    ],
)
def test_flight_heritage_outcomes(year, status, expected):
    assert check(proposal(), listing(first_flight_year=year, status=status), "flight_heritage") == expected


# eligibility from the criteria


def test_pair_is_eligible_when_every_stated_need_is_confirmed():
    p = proposal(temperature_c=(36.0, 38.0), duration_days=14.0, crew_time="low", sample_return=True)
    c = listing(
        status="operational", temperature_c=(4.0, 40.0), max_duration_days=30.0, crew_time="low", sample_return=True
    )
    assert explain_pair(p, c, DEFAULT_WEIGHTS)[1:] == (Fit.FITS, [])


def test_pair_is_unconfirmed_when_a_needed_fact_is_unstated():
    p = proposal(temperature_c=(36.0, 38.0), duration_days=14.0)
    c = listing(status="operational", temperature_c=(4.0, 40.0))
    assert explain_pair(p, c, DEFAULT_WEIGHTS)[1:] == (Fit.TO_CONFIRM, [])


def test_pair_is_ineligible_when_a_stated_fact_contradicts_a_need_even_with_unknowns():
    p = proposal(temperature_c=(36.0, 38.0), duration_days=42.0, units_needed=3)
    c = listing(status="operational", max_duration_days=30.0)
    assert explain_pair(p, c, DEFAULT_WEIGHTS)[1:] == (Fit.DOES_NOT_FIT, ["duration_days"])


def test_criteria_are_listed_in_a_fixed_order():
    p = proposal(
        needs=("cell_culture_bioreactor",),
        research_areas=("stem_cells",),
        temperature_c=(37.0, 37.0),
        co2=True,
        humidity=True,
        units_needed=4,
        duration_days=10.0,
        power_w=50.0,
        crew_time="low",
        imaging=True,
        variable_gravity=True,
        sample_return=True,
        return_temperature_c=4.0,
        biosafety_level=2,
        launch_window=WINDOW,
    )
    assert list(checks(p, listing())) == [
        "status",
        "hardware",
        "research_areas",
        "temperature_c",
        "co2",
        "humidity",
        "units_needed",
        "duration_days",
        "power_w",
        "crew_time",
        "imaging",
        "variable_gravity",
        "sample_return",
        "return_temperature_c",
        "biosafety_level",
        "launch_window",
        "flight_heritage",
    ]
