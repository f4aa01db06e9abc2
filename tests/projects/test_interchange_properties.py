"""Property: importing any valid leoportal.proposals/1 item and exporting it gives the same item back."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leoportal.interchange import PROPOSALS
from leoportal.models import User
from partners.enums import Category, CrewTime, ResearchArea
from projects.domain.importing import import_proposals
from projects.enums import SampleType, Stage
from projects.models import Proposal
from tests.factories import ResearcherFactory

pytestmark = pytest.mark.django_db


def hundredths(low, high):
    """Numbers with at most two decimals (what the columns store), as JSON would carry them."""
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=2).map(
        lambda value: int(value) if value == value.to_integral_value() else float(value)
    )


def ordered_pair(strategy, keys):
    return st.tuples(strategy, strategy).map(lambda pair: dict(zip(keys, sorted(pair), strict=True)))


words = st.text(alphabet="abcdefghij KLMNOP-", min_size=1, max_size=40).map(str.strip).filter(bool)


def maybe(strategy):
    """A fact that may be stated or not (None)."""
    return st.none() | strategy


dates = st.dates(min_value=date(2026, 1, 1), max_value=date(2035, 12, 31))
items = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,30}", fullmatch=True),
        # Imported without a call, a proposal can only be a full one (a concept needs a call with a concept step).
        "stage": st.just(Stage.FULL.value),
        "title": words,
        "summary": words,
        "why_microgravity": maybe(words),
        "research_areas": st.lists(st.sampled_from(ResearchArea.values), unique=True),
        "sample_type": maybe(st.sampled_from(SampleType.values)),
        "needs": st.lists(st.sampled_from(Category.values), unique=True),
        "temperature_c": maybe(ordered_pair(hundredths("-273.15", "200"), ("min", "max"))),
        "co2": maybe(st.booleans()),
        "humidity": maybe(st.booleans()),
        "units_needed": maybe(st.integers(min_value=1, max_value=100_000)),
        "duration_days": maybe(hundredths("0.01", "36500")),
        "power_w": maybe(hundredths("0", "9999999.99")),
        "crew_time": maybe(st.sampled_from(CrewTime.values)),
        "imaging": maybe(st.booleans()),
        "variable_gravity": maybe(st.booleans()),
        "sample_return": maybe(st.booleans()),
        "return_temperature_c": maybe(hundredths("-273.15", "50")),
        "biosafety_level": maybe(st.integers(min_value=1, max_value=4)),
        "launch_window": maybe(ordered_pair(dates, ("earliest", "latest"))),
    }
)


def _consistent(item):
    if item["sample_return"] is False:
        item["return_temperature_c"] = None  # the one cross-field rule between two independent facts
    if item["launch_window"] is not None:
        item["launch_window"] = {key: value.isoformat() for key, value in item["launch_window"].items()}
    return item


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(item=items.map(_consistent))
def test_import_then_to_interchange_is_the_identity(item):
    # Examples share the test's transaction: the same owner throughout, so a repeated id is an update in place.
    owner = User.objects.filter(email="owner@example.org").first() or ResearcherFactory(email="owner@example.org")

    import_proposals({"format": PROPOSALS, "proposals": [item]}, owner)

    # needs and research_areas are sets: re-importing the same set in another order changes nothing.
    def as_sets(document):
        return {**document, "needs": sorted(document["needs"]), "research_areas": sorted(document["research_areas"])}

    assert as_sets(Proposal.objects.get(external_id=item["id"]).to_interchange()) == as_sets(item)
