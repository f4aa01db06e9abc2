"""Every check the engine makes on a proposal-listing pair, in two forms that must agree.

Each criterion has:
- a scalar rule, ``outcome(p, c, weights)`` on ``ProposalNeeds`` / ``CapabilityFacts``, returning PASS, PARTIAL,
  UNKNOWN, FAIL or None (the proposal does not state this need, so nothing is checked), and ``detail(p, c,
  outcome)``, the sentence a researcher reads. This is the specification: read it to know what the engine does.
- vectorized primitives over arrays (``catalogue.ProposalArrays`` / ``CapabilityArrays``), used to score whole
  batches at once: ``applicable(p)``; either an outer form (the outcome depends on the listing alone once the
  proposal states the need: ``fail_c(c)``, ``unknown_c(c)``) or a pair form (``fail_pair(p, c)``,
  ``unknown_pair(p, c)``) that broadcasts over (P, 1) x (1, C) or works on gathered pairs.
``tests/projects/matching/test_agreement.py`` proves the two forms give the same outcome for every pair of the
real catalogue against real and random proposals.

Hard criteria decide eligibility (a FAIL makes the pair ineligible, an UNKNOWN unconfirmed); fact criteria count
in the share of needs confirmed. Research areas and flight heritage only weigh in the score.

Decisions where the interchange format leaves room:
- Temperatures: the listing's range must cover the proposal's (closed intervals, no tolerance).
- Return temperature: keepable when inside the listing's temperature range, within 1 C of a listed cold-stowage
  temperature, or, for frozen samples (-20 C or colder), when a listed stowage temperature is at least as cold
  (frozen samples may be kept colder). FAIL only when both the range and the stowage list are stated and neither
  keeps it; with one of them unstated it is UNKNOWN.
- Sample return: a listing whose categories include sample return or a recoverable capsule states that it returns
  samples even when the ``sample_return`` fact is null; an explicit ``false`` always wins.
- Centrifuge: a stated g range or the variable-gravity category offers it. Without either, a dedicated instrument
  (bioprinter, freezer, glovebox, a culture facility) states it has none: FAIL. A host platform (modular payload
  platform, implementation partner, crewed mission) carries customer-built payloads, so absence of the category
  says nothing: UNKNOWN.
- Launch window: FAIL only when the listing publishes availability (an empty list means no open slots) and no
  window overlaps the proposal's launch window; unpublished availability is UNKNOWN.
- Hardware kinds: a listing offering none of the kinds a proposal states (and unable to carry one as the proposer's
  payload) does not fit; one offering some of them is to confirm (the provider view combines listings). Kinds only
  inferred from the text never decide the fit.
- Crew time: one level more than the proposal accepts is to confirm; two levels or more does not fit.
"""

from typing import Final

from projects.matching.criteria.base import (
    FAIL,
    LIKELY_NEED_THRESHOLD,
    NOT_CHECKED,
    OUTCOMES,
    PARTIAL,
    PASS,
    UNKNOWN,
    Criterion,
    Fit,
    day_number,
    fit_of,
    likely_needs,
)
from projects.matching.criteria.envelope import (
    CO2,
    Biosafety,
    CrewTimeLimit,
    Duration,
    Humidity,
    Imaging,
    Power,
    SampleReturn,
    Temperature,
    Units,
    VariableGravity,
    returns_samples,
)
from projects.matching.criteria.fit import FlightHeritage, Hardware, ResearchAreas, Status
from projects.matching.criteria.logistics import LaunchWindow, ReturnTemperature
from projects.matching.inputs import CapabilityFacts, ProposalNeeds
from projects.matching.weights import Weights

CRITERIA: Final[tuple[Criterion, ...]] = (
    Status(),
    Hardware(),
    ResearchAreas(),
    Temperature(),
    CO2(),
    Humidity(),
    Units(),
    Duration(),
    Power(),
    CrewTimeLimit(),
    Imaging(),
    VariableGravity(),
    SampleReturn(),
    ReturnTemperature(),
    Biosafety(),
    LaunchWindow(),
    FlightHeritage(),
)
BY_NAME = {criterion.name: criterion for criterion in CRITERIA}
FACT_CRITERIA = tuple(c for c in CRITERIA if c.fact)
MARGIN_CRITERIA = tuple(c for c in CRITERIA if c.margin)


def explain_pair(
    p: ProposalNeeds, c: CapabilityFacts, weights: Weights | None
) -> tuple[list[tuple[str, str, str]], Fit, list[str]]:
    """The reference explanation of one pair: [(name, outcome name, detail)], its fit, and the failed criteria.

    Hard criteria decide the fit: a FAIL makes it ``does_not_fit``; an UNKNOWN or a PARTIAL (a planned facility,
    one crew-time level more, some of the kinds of hardware) leaves it ``to_confirm``.
    """
    rows: list[tuple[str, str, str]] = []
    failed: list[str] = []
    open_checks: list[str] = []
    for criterion in CRITERIA:
        outcome = criterion.outcome(p, c, weights)
        if outcome is None:
            continue
        rows.append((criterion.name, OUTCOMES[outcome], criterion.detail(p, c, outcome)))
        if criterion.hard and outcome == FAIL:
            failed.append(criterion.name)
        if criterion.hard and outcome in (UNKNOWN, PARTIAL):
            open_checks.append(criterion.name)
    if Hardware.is_stated_fail(p, c):
        failed.append("hardware")
    elif Hardware.is_stated_partial(p, c):
        open_checks.append("hardware")
    return rows, fit_of(bool(failed), bool(open_checks), p.states_requirements), failed


__all__ = [
    "BY_NAME",
    "CRITERIA",
    "FACT_CRITERIA",
    "FAIL",
    "LIKELY_NEED_THRESHOLD",
    "MARGIN_CRITERIA",
    "NOT_CHECKED",
    "OUTCOMES",
    "PARTIAL",
    "PASS",
    "UNKNOWN",
    "Criterion",
    "Fit",
    "day_number",
    "explain_pair",
    "fit_of",
    "likely_needs",
    "returns_samples",
]
