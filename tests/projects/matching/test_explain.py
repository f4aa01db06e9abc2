"""What a scientist reads first: the summary line, the checks in groups, and the same sentences addressed to a
provider."""

import re

import pytest

from projects.matching import Certainty, Check, Fit, rank
from projects.matching.explain import Citation, for_provider, group_checks, precedent_sentence

from .conftest import example_proposals, flown_proposals, real_catalogue


def test_checks_are_grouped_in_reading_order_and_keep_their_order_within_a_group():
    checks = [
        Check("status", "pass", "operational"),
        Check("hardware", "partial", "offers 3D bioprinter; not cell culture / bioreactor"),
        Check("research_areas", "pass", "serves biofabrication"),
        Check("temperature_c", "unknown", "provider has not stated a temperature range; you need 36-38 C"),
        Check("crew_time", "pass", "you accept up to medium crew time; it needs low crew time"),
        Check("duration_days", "fail", "needs 42 days; runs up to 30 days"),
        Check("sample_return", "pass", "needs samples back; returns samples"),
        Check("crew_time", "partial", "one level more"),
        Check("flight_heritage", "partial", "operational; provider has not stated when it first flew"),
        Check("precedents", "pass", "2 similar experiments flew here: A (2019) and B (2020)"),
    ]
    grouped = [(key, heading, [check.detail for check in group]) for key, heading, group in group_checks(checks)]
    assert grouped == [
        (
            "fits",
            "Fits",
            ["you accept up to medium crew time; it needs low crew time", "needs samples back; returns samples"],
        ),
        (
            "to_confirm",
            "To confirm with the provider",
            ["provider has not stated a temperature range; you need 36-38 C", "one level more"],
        ),
        ("part", "Covers part of the hardware you need", ["offers 3D bioprinter; not cell culture / bioreactor"]),
        ("does_not_fit", "Does not fit", ["needs 42 days; runs up to 30 days"]),
        (
            "about",
            "About this facility",
            [
                "operational",
                "serves biofabrication",
                "operational; provider has not stated when it first flew",
                "2 similar experiments flew here: A (2019) and B (2020)",
            ],
        ),
    ]
    # Stored checks are dicts: the same groups.
    assert group_checks([check.as_dict() for check in checks])[0][2] == [checks[4].as_dict(), checks[6].as_dict()]


@pytest.mark.parametrize(
    ("certainty", "fit", "precedents", "line"),
    [
        (
            Certainty(6, 5, 1, 0, 0),
            Fit.TO_CONFIRM,
            4,
            "Meets 5 of 6 needs · 1 to confirm with the provider · 4 similar experiments flew here",
        ),
        (Certainty(3, 3, 0, 0, 0), Fit.FITS, 1, "Meets 3 of 3 needs · 1 similar experiment flew here"),
        (Certainty(4, 2, 0, 0, 2), Fit.TO_CONFIRM, 0, "Meets 2 of 4 needs · 2 kinds of hardware from another listing"),
        (Certainty(2, 1, 0, 1, 0), Fit.DOES_NOT_FIT, 0, "Meets 1 of 2 needs · 1 not met"),
        (Certainty(1, 1, 0, 0, 0), Fit.DOES_NOT_FIT, 0, "Meets 1 of 1 needs · no longer available"),
        (Certainty(), Fit.TO_CONFIRM, 0, "No flight requirements stated: everything is to confirm"),
    ],
)
def test_the_summary_line_says_what_is_met_to_confirm_and_not_met(certainty, fit, precedents, line):
    assert certainty.summary(fit, precedents) == line


def test_a_precedent_sentence_names_three_and_counts_the_rest():
    cited = [Citation(f"Flight {i}", 2010 + i) for i in range(5)]
    assert precedent_sentence(cited) == (
        "5 similar experiments flew here: Flight 0 (2010), Flight 1 (2011), Flight 2 (2012) and 2 more"
    )


# Sentences a provider may read that still speak to them: their own facts.
ADDRESSED_TO_PROVIDER = re.compile(r"\byou (have not (stated|listed|published)|state|have no open slots)\b")


def test_every_sentence_on_real_data_reads_right_to_a_provider():
    catalogue = real_catalogue()
    results = rank(catalogue, [*example_proposals(), *flown_proposals()], top=len(catalogue), near_misses=5)
    sentences = {check.detail for result in results for match in result.matches for check in match.criteria}
    sentences |= {match.change for result in results for match in result.near_misses}
    assert len(sentences) > 100
    for sentence in sentences:
        rewritten = for_provider(sentence)
        left = ADDRESSED_TO_PROVIDER.sub("", rewritten)
        assert not re.search(r"\b(you|your)\b", left), (sentence, rewritten)
    assert for_provider("provider has not stated a maximum duration; you need 42 days") == (
        "you have not stated a maximum duration; the researcher needs 42 days"
    )
