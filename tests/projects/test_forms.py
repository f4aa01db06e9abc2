"""Each validation rule of the proposal form, including the cross-field ones and "not stated" versus "no"."""

from datetime import date
from decimal import Decimal

import pytest

from projects.forms import CoInvestigatorFormSet, ProposalForm
from tests.projects.factories import CallFactory, CoInvestigatorFactory, ProposalFactory
from tests.projects.forms_data import proposal_data
from tests.utils import soup

pytestmark = pytest.mark.django_db


def errors_of(proposal, **values):
    form = ProposalForm(proposal_data(proposal, **values), instance=proposal)
    form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


@pytest.fixture
def draft(researcher):
    return ProposalFactory(owner=researcher, call=CallFactory(code="NLRA 2027-1", funding_cap=Decimal("500000")))


def test_blank_draft_is_valid(draft):
    assert errors_of(draft) == {}


def test_minimum_temperature_above_maximum_says_which_numbers(draft):
    assert errors_of(draft, temperature_min_c="40", temperature_max_c="37") == {
        "temperature_min_c": ["Minimum temperature 40 °C is above the maximum 37 °C: swap them or correct one."]
    }


def test_one_temperature_without_the_other_is_refused(draft):
    assert errors_of(draft, temperature_min_c="4") == {
        "temperature_max_c": [
            "Give both a minimum and a maximum temperature, or leave both blank if you have not decided."
        ]
    }


def test_temperature_below_absolute_zero_is_refused(draft):
    assert errors_of(draft, temperature_min_c="-300", temperature_max_c="4") == {
        "temperature_min_c": ["A temperature of -300 °C is not possible here: enter a number from -273.15 to 200 °C."]
    }


def test_target_trl_below_current_is_refused(draft):
    assert errors_of(draft, trl_current="5", trl_target="3") == {
        "trl_target": ["Target TRL 3 is below the current TRL 5: the target must be at least the current level."]
    }


def test_trl_outside_one_to_nine_is_refused(draft):
    assert errors_of(draft, trl_current="10") == {
        "trl_current": ["“10” is not one of the choices here: pick one from the list."]
    }


def test_launch_window_the_wrong_way_round_is_refused(draft):
    assert errors_of(draft, launch_earliest="2027-06-01", launch_latest="2027-03-01") == {
        "launch_earliest": [
            "The earliest launch date 1 June 2027 is after the latest 1 March 2027: swap them or correct one."
        ]
    }


def test_half_a_launch_window_is_refused(draft):
    assert errors_of(draft, launch_latest="2027-03-01") == {
        "launch_earliest": ["Give both the earliest and the latest launch date, or leave both blank."]
    }


def test_return_temperature_without_sample_return_is_refused(draft):
    assert errors_of(draft, sample_return="false", return_temperature_c="4") == {
        "return_temperature_c": [
            "You answered that samples do not come back, so a return temperature does not apply: clear it, or "
            "change the sample return answer."
        ]
    }


def test_return_temperature_with_return_not_stated_is_accepted(draft):
    assert errors_of(draft, sample_return="unknown", return_temperature_c="-80") == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("units_needed", "0", "Flying 0 units is not possible here: enter a number from 1 to 100,000 units."),
        (
            "duration_days",
            "-3",
            "A duration of -3 days is not possible here: enter a number above 0, at most 36,500 days.",
        ),
        ("power_w", "-1", "A power of -1 W is not possible here: enter a number from 0 to 9,999,999.99 W."),
        (
            "amount_requested",
            "-5",
            "An amount of -$5 is not possible here: enter a number from $0 to $999,999,999,999.99.",
        ),
        (
            "matching_funds",
            "1e13",
            "An amount of $10,000,000,000,000 is not possible here: enter a number from $0 to $999,999,999,999.99.",
        ),
        ("biosafety_level", "5", "“5” is not one of the choices here: pick one from the list."),
        ("crew_time", "some", "“some” is not one of the choices here: pick one from the list."),
        ("sample_type", "rocks", "“rocks” is not one of the choices here: pick one from the list."),
        (
            "return_temperature_c",
            "60",
            "A return temperature of 60 °C is not possible here: enter a number from -273.15 to 50 °C.",
        ),
    ],
)
def test_single_field_ranges(draft, field, value, message):
    assert errors_of(draft, **{field: value}) == {field: [message]}


def test_uei_is_normalised_to_twelve_upper_case_characters(draft):
    form = ProposalForm(proposal_data(draft, uei=" j7m9-hptg j1s8 "), instance=draft)

    assert form.is_valid()
    assert form.cleaned_data["uei"] == "J7M9HPTGJ1S8"


@pytest.mark.parametrize(("uei", "count"), [("J7M9HPTGJ1S", 11), ("J7M9HPTGJ1S8X", 13), ("J7M9HPTGJ1S*", 12)])
def test_uei_must_be_twelve_letters_and_digits(draft, uei, count):
    assert errors_of(draft, uei=uei) == {
        "uei": [f"A UEI is 12 letters and digits, e.g. J7M9HPTGJ1S8 (you entered {count} characters)."]
    }


@pytest.mark.parametrize(("cage", "count"), [("1ABC", 4), ("1AB$2", 5)])
def test_cage_code_must_be_five_letters_and_digits(draft, cage, count):
    assert errors_of(draft, cage_code=cage) == {
        "cage_code": [f"A CAGE code is 5 letters and digits, e.g. 1ABC2 (you entered {count} characters)."]
    }


def test_amount_above_the_call_cap_says_the_cap(draft):
    assert errors_of(draft, amount_requested="600000") == {
        "amount_requested": [
            "NLRA 2027-1 funds at most $500,000 per proposal; you requested $600,000. Lower the amount or choose "
            "another call."
        ]
    }


def test_amount_is_free_for_an_unsolicited_proposal(draft):
    assert errors_of(draft, call="", amount_requested="600000") == {}


def test_closed_calls_are_not_offered_but_the_current_one_stays(researcher):
    open_call = CallFactory(code="OPEN")
    CallFactory(code="CLOSED-OTHER", closed=True)
    mine = CallFactory(code="CLOSED-MINE", closed=True)
    proposal = ProposalFactory(owner=researcher, call=mine)

    form = ProposalForm(instance=proposal)

    assert [call.code for call in form.fields["call"].queryset] == ["CLOSED-MINE", "OPEN"]
    assert open_call.code == "OPEN"


@pytest.mark.parametrize(("posted", "stored"), [("true", True), ("false", False), ("unknown", None)])
def test_tri_state_keeps_not_stated_apart_from_no(draft, posted, stored):
    form = ProposalForm(proposal_data(draft, sample_return=posted), instance=draft)

    assert form.is_valid()
    assert form.cleaned_data["sample_return"] is stored


def test_tri_state_missing_from_the_post_means_not_stated(draft):
    data = proposal_data(draft)
    del data["co2"]
    form = ProposalForm(data, instance=draft)

    assert form.is_valid()
    assert form.cleaned_data["co2"] is None


@pytest.mark.parametrize(("stored", "checked"), [(True, "true"), (False, "false"), (None, "unknown")])
def test_tri_state_renders_the_stored_answer_checked(researcher, stored, checked):
    proposal = ProposalFactory(owner=researcher, humidity=stored)

    html = soup_of(ProposalForm(instance=proposal))

    assert [radio["value"] for radio in html.select('input[name="humidity"][checked]')] == [checked]
    assert [label.get_text(strip=True) for label in html.select('label[for^="id_humidity_"]')] == [
        "Yes",
        "No",
        "Not stated",
    ]


def soup_of(form):
    from crispy_forms.utils import render_crispy_form

    class Response:
        content = render_crispy_form(form).encode()

    return soup(Response)


def test_every_section_is_a_fieldset_in_order(draft):
    html = soup_of(ProposalForm(instance=draft))

    assert [legend.get_text(strip=True) for legend in html.select("fieldset[id^=section-] > legend")] == [
        "Overview",
        "Team and eligibility",
        "Science",
        "Flight requirements",
        "Funding",
    ]


def test_dates_and_decimals_are_parsed(draft):
    form = ProposalForm(
        proposal_data(draft, launch_earliest="2027-03-01", launch_latest="2027-12-31", duration_days="21.5"),
        instance=draft,
    )

    assert form.is_valid()
    assert (form.cleaned_data["launch_earliest"], form.cleaned_data["duration_days"]) == (
        date(2027, 3, 1),
        Decimal("21.5"),
    )


def formset_errors(proposal, rows):
    data = proposal_data(proposal, coi=rows)
    formset = CoInvestigatorFormSet(data, instance=proposal, prefix="coi")
    formset.is_valid()
    return [dict(form.errors) for form in formset.forms]


def test_co_investigators_need_their_own_addresses(draft):
    rows = [
        {"name": "Ana", "email": "ana@example.edu", "organisation": "", "role": ""},
        {"name": "Ana again", "email": "ANA@example.edu", "organisation": "", "role": ""},
    ]

    assert formset_errors(draft, rows) == [{}, {"email": ["Another co-investigator already has this e-mail address."]}]


def test_a_new_row_may_not_take_the_address_of_a_saved_co_investigator_left_out_of_the_form(draft):
    """A form posted with fewer rows than the page had (a tampered count) leaves the saved ones as they are."""
    CoInvestigatorFactory(proposal=draft, email="coi@example.edu")
    rows = [{"name": "New", "email": "COI@example.edu", "organisation": "", "role": ""}]

    assert formset_errors(draft, rows) == [{"email": ["Another co-investigator already has this e-mail address."]}]


def test_the_pi_is_not_listed_as_a_co_investigator(draft):
    rows = [{"name": "Me", "email": draft.owner.email.upper(), "organisation": "", "role": ""}]

    assert formset_errors(draft, rows) == [
        {"email": ["That is the principal investigator's address; list co-investigators only."]}
    ]


def test_a_co_investigator_row_may_be_partial_in_a_draft(draft):
    rows = [{"name": "Ben", "email": "", "organisation": "", "role": ""}]

    assert formset_errors(draft, rows) == [{}]


def test_a_co_investigator_email_must_be_an_address(draft):
    rows = [{"name": "Ben", "email": "ben at example", "organisation": "", "role": ""}]

    assert formset_errors(draft, rows) == [{"email": ["Enter a valid email address."]}]


def test_existing_co_investigator_rows_are_bound(draft):
    member = CoInvestigatorFactory(proposal=draft, email="kim@example.edu")
    rows = [{"id": str(member.public_id), "name": "Kim", "email": "kim@example.edu", "organisation": "", "role": ""}]

    assert formset_errors(draft, rows) == [{}]


def test_every_field_with_domain_help_shows_it_next_to_the_field(draft):
    form = ProposalForm(instance=draft)
    html = soup_of(form)
    helped = [name for name, field in form.fields.items() if field.help_text]
    shown = {
        name: (html.select_one(f"#hint_id_{name}") or html.select_one(f"[id$='{name}_helptext']")) for name in helped
    }

    assert len(helped) >= 20
    assert [name for name, hint in shown.items() if hint is None] == []
    assert shown["uei"].get_text(" ", strip=True) == str(form.fields["uei"].help_text)
