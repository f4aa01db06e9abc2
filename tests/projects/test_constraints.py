"""The database refuses bad data even when it bypasses the forms (the admin, an import, a shell)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from projects.enums import Access
from tests.projects.factories import CoInvestigatorFactory, NarrativeFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"temperature_min_c": Decimal("4")}, "proposal_temperature_range"),
        ({"temperature_min_c": Decimal("40"), "temperature_max_c": Decimal("37")}, "proposal_temperature_range"),
        ({"temperature_min_c": Decimal("-280"), "temperature_max_c": Decimal("4")}, "proposal_temperature_physical"),
        ({"return_temperature_c": Decimal("51")}, "proposal_return_temperature_physical"),
        ({"sample_return": False, "return_temperature_c": Decimal("4")}, "proposal_return_temperature_needs_return"),
        ({"units_needed": 0}, "proposal_units_needed_positive"),
        ({"duration_days": Decimal("0")}, "proposal_duration_positive"),
        ({"power_w": Decimal("-1")}, "proposal_power_not_negative"),
        ({"biosafety_level": 5}, "proposal_biosafety_level_range"),
        ({"trl_current": 0}, "proposal_trl_range"),
        ({"trl_current": 5, "trl_target": 4}, "proposal_trl_target_not_below_current"),
        ({"launch_earliest": date(2027, 1, 1)}, "proposal_launch_window"),
        ({"launch_earliest": date(2027, 6, 1), "launch_latest": date(2027, 1, 1)}, "proposal_launch_window"),
        ({"uei": "j7m9hptgj1s8"}, "proposal_uei_format"),
        ({"uei": "J7M9HPTGJ1S"}, "proposal_uei_format"),
        ({"cage_code": "1AB"}, "proposal_cage_format"),
        ({"amount_requested": Decimal("-1")}, "proposal_funding_not_negative"),
        ({"matching_funds": Decimal("-1")}, "proposal_funding_not_negative"),
        ({"status": "lost"}, "proposal_status_valid"),
        ({"sample_type": "rocks"}, "proposal_sample_type_valid"),
        ({"crew_time": "lots"}, "proposal_crew_time_valid"),
    ],
)
def test_database_refuses_invalid_proposals(researcher, values, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        ProposalFactory(owner=researcher, **values)


def test_a_draft_with_nothing_stated_is_accepted(researcher):
    proposal = ProposalFactory(owner=researcher, call=None, title="")

    assert proposal.to_interchange()["temperature_c"] is None


def test_equal_bounds_are_a_valid_range(researcher):
    proposal = ProposalFactory(
        owner=researcher,
        temperature_min_c=Decimal("37"),
        temperature_max_c=Decimal("37"),
        trl_current=6,
        trl_target=6,
        launch_earliest=date(2027, 1, 1),
        launch_latest=date(2027, 1, 1),
    )

    assert proposal.pk is not None


def test_external_ids_are_unique_but_blank_is_allowed_many_times(researcher):
    ProposalFactory(owner=researcher, external_id="")
    ProposalFactory(owner=researcher, external_id="")
    ProposalFactory(owner=researcher, external_id="p-1")

    with pytest.raises(IntegrityError, match="proposal_external_id_unique"), transaction.atomic():
        ProposalFactory(owner=researcher, external_id="p-1")


def test_one_narrative_per_proposal(researcher):
    proposal = ProposalFactory(owner=researcher)
    NarrativeFactory(proposal=proposal)

    with pytest.raises(IntegrityError, match="attachment_one_narrative"), transaction.atomic():
        NarrativeFactory(proposal=proposal)


def test_co_investigator_access_needs_an_account(researcher, researcher2):
    proposal = ProposalFactory(owner=researcher)

    with pytest.raises(IntegrityError, match="coi_access_with_account"), transaction.atomic():
        CoInvestigatorFactory(proposal=proposal, access=Access.EDIT)
    with pytest.raises(IntegrityError, match="coi_access_with_account"), transaction.atomic():
        CoInvestigatorFactory(proposal=proposal, user=researcher2, access="")


def test_co_investigator_addresses_are_unique_per_proposal_ignoring_case(researcher):
    proposal = ProposalFactory(owner=researcher)
    CoInvestigatorFactory(proposal=proposal, email="kim@example.edu")
    CoInvestigatorFactory(proposal=ProposalFactory(owner=researcher), email="kim@example.edu")

    with pytest.raises(IntegrityError, match="coi_email_unique_per_proposal"), transaction.atomic():
        CoInvestigatorFactory(proposal=proposal, email="KIM@example.edu")
