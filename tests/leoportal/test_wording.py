"""Words a person would use: number fields with a range the browser knows and the server checks, in a sentence;
long texts with a counter instead of a silent cut; one spelling for each action."""

import gettext
import re
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import translation

from partners.forms import CapabilityForm
from projects.forms import ProposalForm, WithdrawForm
from projects.models import Proposal
from tests.partners.factories import OrganisationFactory
from tests.projects.factories import ProposalFactory
from tests.projects.forms_data import proposal_data
from tests.utils import soup

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en_GB" / "LC_MESSAGES"


def attributes(form, name, *keys):
    widget = BeautifulSoup(str(form[name]), "html.parser").select_one(f"[name={name}]")
    return {key: widget.get(key) for key in keys}


def errors_of(proposal, **values):
    form = ProposalForm(proposal_data(proposal, **values), instance=proposal)
    form.is_valid()
    return {name: list(messages) for name, messages in form.errors.items()}


def test_proposal_number_inputs_carry_their_range_and_step(researcher):
    form = ProposalForm(instance=ProposalFactory(owner=researcher))

    keys = ("min", "max", "step", "inputmode")
    assert {name: attributes(form, name, *keys) for name in ("temperature_min_c", "units_needed", "duration_days")} == {
        "temperature_min_c": {"min": "-273.15", "max": "200", "step": "0.01", "inputmode": "decimal"},
        "units_needed": {"min": "1", "max": "100000", "step": "1", "inputmode": "numeric"},
        "duration_days": {"min": "0", "max": "36500", "step": "0.01", "inputmode": "decimal"},
    }


def test_listing_number_inputs_carry_their_range_and_step(provider_user):
    form = CapabilityForm(organisation=OrganisationFactory())

    keys = ("min", "max", "step")
    assert {name: attributes(form, name, *keys) for name in ("max_duration_days", "first_flight_year")} == {
        "max_duration_days": {"min": "0", "max": "36500", "step": "any"},
        "first_flight_year": {"min": "1950", "max": "2100", "step": "1"},
    }


def test_a_temperature_of_500_degrees_is_refused_with_a_sentence(researcher):
    proposal = ProposalFactory(owner=researcher)

    assert errors_of(proposal, temperature_min_c="4", temperature_max_c="500") == {
        "temperature_max_c": ["A temperature of 500 °C is not possible here: enter a number from -273.15 to 200 °C."]
    }


def test_more_decimal_places_than_are_kept_are_refused_with_an_example(researcher):
    proposal = ProposalFactory(owner=researcher)

    assert errors_of(proposal, duration_days="1.234", units_needed="2.5") == {
        "duration_days": ["Use at most 2 decimal places, e.g. 1.23."],
        "units_needed": ["Enter a whole number, e.g. 12."],
    }


def test_a_number_with_letters_is_refused_with_an_example(researcher):
    proposal = ProposalFactory(owner=researcher)

    assert errors_of(proposal, power_w="40 W") == {"power_w": ["Enter a number, e.g. 36.5 (digits only)."]}


def test_long_text_fields_have_a_counter_and_no_maxlength(researcher):
    form = ProposalForm(instance=ProposalFactory(owner=researcher))

    assert {name: attributes(form, name, "maxlength", "data-maxlength") for name in ("title", "summary")} == {
        "title": {"maxlength": None, "data-maxlength": "300"},
        "summary": {"maxlength": None, "data-maxlength": "20000"},
    }


def test_text_over_the_limit_is_refused_and_kept_as_typed(client, researcher):
    proposal = ProposalFactory(owner=researcher, summary="As it was.")
    client.force_login(researcher)
    summary = " ".join(["Organoids."] * 1820)  # 20,019 characters

    response = client.post(
        reverse("projects:proposal_edit", args=[proposal.public_id]), proposal_data(proposal, summary=summary)
    )

    page = soup(response)
    assert response.status_code == 200
    assert page.select_one("#id_summary").get_text() == f"\n{summary}"  # Django's textarea starts with a newline
    assert page.select_one("#id_summary ~ .invalid-feedback, #id_summary + .invalid-feedback").get_text(strip=True) == (
        "Keep this to 20000 characters or fewer: it has 20019 now."
    )
    assert Proposal.objects.get(pk=proposal.pk).summary == "As it was."


def test_a_too_long_withdrawal_reason_withdraws_nothing_and_is_kept(client, researcher):
    proposal = ProposalFactory(owner=researcher, complete=True, status="submitted", submission_count=1)
    client.force_login(researcher)
    reason = " ".join(["We found a better partner."] * 80)  # 2,159 characters

    response = client.post(reverse("projects:proposal_withdraw", args=[proposal.public_id]), {"note": reason})

    page = soup(response)
    assert response.status_code == 400
    assert page.select_one("#id_note").get_text() == reason
    assert page.select_one("#withdraw-note-error").get_text(strip=True) == (
        "Keep this to 2000 characters or fewer: it has 2159 now."
    )
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"


def test_the_withdrawal_reason_is_checked_on_the_server(researcher):
    form = WithdrawForm({"note": "x" * 2001})

    assert form.errors == {"note": ["Keep this to 2000 characters or fewer: it has 2001 now."]}


@pytest.mark.parametrize(
    ("url", "title", "button"),
    [("account_login", "Sign in", "Sign in"), ("account_signup", "Sign up", "Sign up")],
)
def test_one_spelling_for_signing_in_and_up(client, url, title, button):
    page = soup(client.get(reverse(url)))

    assert (page.h1.get_text(strip=True), page.select_one("main form button[type=submit]").get_text(strip=True)) == (
        title,
        button,
    )
    assert " ".join(page.title.get_text().split()) == f"{title} · LEO Portal"


def test_the_admin_says_sign_out(client, staff):
    client.force_login(staff)

    page = soup(client.get(reverse("admin:index")))

    assert page.select_one("#logout-form button").get_text(strip=True) == "Sign out"


def test_the_compiled_wording_matches_its_source():
    source = (LOCALE / "django.po").read_text()
    pairs = dict(re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', source, flags=re.MULTILINE))
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    assert {msgid: catalogue.gettext(msgid) for msgid in pairs} == pairs
    with translation.override("en-gb"):
        assert [translation.gettext(msgid) for msgid in ("Sign In", "Sign Up", "Log out")] == [
            "Sign in",
            "Sign up",
            "Sign out",
        ]


def test_quantities_write_numbers_as_people_read_them():
    from leoportal.fields import Quantity

    money = Quantity("An amount of", "$", Decimal(0), Decimal("1000000"))
    year = Quantity("A first flight in", "", 1950, 2100, decimals=0, grouping=False)

    assert (money.show(Decimal("-12500.50")), money.range_words, year.range_words) == (
        "-$12,500.5",
        "a number from $0 to $1,000,000",
        "a number from 1950 to 2100",
    )
