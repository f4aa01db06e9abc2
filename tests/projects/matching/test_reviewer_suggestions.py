"""The pure reviewer-suggestion engine: conflicts never suggested, loads respected and balanced, deterministic,
every suggestion explained."""

import random

from projects.matching.reviewers import ProposalToReview, Reviewer, suggest

LIVER = ProposalToReview(
    id=1,
    title="Liver organoids",
    areas=("organoids", "stem_cells"),
    text="Liver organoids from induced pluripotent stem cells mature in microgravity; hepatocyte function.",
)
BONE = ProposalToReview(
    id=2,
    title="Bone under partial gravity",
    areas=("cell_biology",),
    text="Osteoblasts on an on-orbit centrifuge: mechanobiology of bone loss under partial gravity.",
)
ORGANOID_EXPERT = Reviewer(id=10, areas=("organoids", "stem_cells"), keywords=("hepatocytes", "liver organoids"))
BONE_EXPERT = Reviewer(id=11, areas=("cell_biology",), keywords=("mechanobiology", "osteoblasts"))
GENERALIST = Reviewer(id=12, areas=("microbiology",), keywords=("yeast",))


def pairs(result):
    return [(s.proposal_id, s.reviewer_id) for s in result.pairs]


def test_each_proposal_gets_the_reviewer_whose_expertise_fits():
    result = suggest([LIVER, BONE], [ORGANOID_EXPERT, BONE_EXPERT, GENERALIST], per_proposal=1, max_load=5)

    assert pairs(result) == [(1, 10), (2, 11)]


def test_every_suggestion_says_what_is_shared_and_the_load():
    result = suggest([LIVER, BONE], [ORGANOID_EXPERT, BONE_EXPERT], per_proposal=1, max_load=5)

    assert [s.reason for s in result.pairs] == [
        "shares organoids, stem cells, hepatocytes and liver organoids; 1 assigned of 5",
        "shares cell biology, mechanobiology and osteoblasts; 1 assigned of 5",
    ]


def test_a_conflict_is_never_suggested_even_for_the_best_fit():
    conflicted = ProposalToReview(**{**LIVER.__dict__, "conflicts": frozenset({10})})

    result = suggest([conflicted], [ORGANOID_EXPERT, BONE_EXPERT, GENERALIST], per_proposal=2, max_load=5)

    assert 10 not in [reviewer for _proposal, reviewer in pairs(result)]
    assert len(result.pairs) == 2


def test_a_proposal_with_a_conflict_on_everyone_is_reported_short():
    conflicted = ProposalToReview(**{**LIVER.__dict__, "conflicts": frozenset({10, 11})})

    result = suggest([conflicted], [ORGANOID_EXPERT, BONE_EXPERT], per_proposal=2, max_load=5)

    assert (result.pairs, result.short) == ([], {1: 2})


def test_the_most_per_reviewer_is_never_passed_counting_what_is_already_assigned():
    proposals = [ProposalToReview(id=n, title=f"P{n}", areas=("organoids",), text="liver organoids") for n in range(6)]
    busy = Reviewer(id=10, areas=("organoids",), keywords=("liver organoids",), load=2)
    other = Reviewer(id=11, areas=("organoids",), keywords=("liver organoids",))

    result = suggest(proposals, [busy, other], per_proposal=1, max_load=3)

    per_reviewer = {r: sum(1 for _p, x in pairs(result) if x == r) for r in (10, 11)}
    assert per_reviewer == {10: 1, 11: 3}
    assert result.short == {proposals[-1].id: 1, proposals[-2].id: 1}


def test_loads_are_balanced_between_equally_fit_reviewers():
    proposals = [ProposalToReview(id=n, title=f"P{n}", areas=("organoids",), text="liver organoids") for n in range(8)]
    panel = [Reviewer(id=10 + n, areas=("organoids",), keywords=("liver organoids",)) for n in range(4)]

    result = suggest(proposals, panel, per_proposal=2, max_load=8)

    loads = sorted(sum(1 for _p, r in pairs(result) if r == reviewer.id) for reviewer in panel)
    assert loads == [4, 4, 4, 4]


def test_already_assigned_reviewers_count_towards_the_number_per_proposal():
    assigned = ProposalToReview(**{**LIVER.__dict__, "assigned": frozenset({10})})

    result = suggest([assigned], [ORGANOID_EXPERT, BONE_EXPERT, GENERALIST], per_proposal=2, max_load=5)

    assert [reviewer for _p, reviewer in pairs(result)] in ([11], [12])
    assert len(result.pairs) == 1


def test_the_same_inputs_in_any_order_give_the_same_suggestions():
    proposals = [
        ProposalToReview(
            id=n, title=f"P{n}", areas=(("organoids",), ("cell_biology",))[n % 2], text=("liver", "bone")[n % 3 % 2]
        )
        for n in range(12)
    ]
    panel = [ORGANOID_EXPERT, BONE_EXPERT, GENERALIST, Reviewer(id=13, areas=("organoids",), keywords=("bone",))]
    first = suggest(proposals, panel, per_proposal=2, max_load=7)
    shuffled_proposals, shuffled_panel = proposals[:], panel[:]
    random.Random(4).shuffle(shuffled_proposals)
    random.Random(5).shuffle(shuffled_panel)

    again = suggest(shuffled_proposals, shuffled_panel, per_proposal=2, max_load=7)

    assert [(s.proposal_id, s.reviewer_id, s.reason) for s in again.pairs] == [
        (s.proposal_id, s.reviewer_id, s.reason) for s in first.pairs
    ]
    assert len(first.pairs) == 24
