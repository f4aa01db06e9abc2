"""The researcher's proposal form (one page in sections), starting a proposal and withdrawing one.

Validation here covers each field and the cross-field rules (a range whose minimum is above its maximum, a
target TRL below the current one...), on drafts too, since the database refuses such values. Completeness is
not a form rule: a draft may leave anything blank, and submission lists what is missing.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property

from leoportal.domain.page_cache import markup_key
from leoportal.fields import Quantity, TriStateField, plain_choices, plain_number, plain_text_limits
from projects.domain.drafts import proposal_version
from projects.domain.proposals import check_call_allowed
from projects.domain.submission import EDITABLE_FIELDS, SECTIONS, format_usd
from projects.exceptions import NotInvited
from projects.models import CAGE_PATTERN, UEI_PATTERN, Call, Proposal
from projects.models.proposals import ABSOLUTE_ZERO, MAX_DURATION_DAYS, MAX_HOLD_TEMPERATURE, MAX_RETURN_TEMPERATURE


def _celsius(value) -> str:
    return f"{value.normalize():f} °C"


def _day(value) -> str:
    return format_date(value, "j F Y")


class CallChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, call):
        if call.concept_step:
            return f"{call.code}: {call.title} (concept summary first, due {_day(call.concept_closes_at)})"
        return f"{call.code}: {call.title} (closes {_day(call.closes_at)})"


TRI_STATE_QUESTIONS = {
    "co2": ("CO₂ control", "Does the experiment need CO₂ control (for example 5% CO₂ for mammalian cells)?"),
    "humidity": ("Humidity control", "Does it need humidity control?"),
    "imaging": ("Imaging on orbit", "Do you need imaging or microscopy on orbit?"),
    "variable_gravity": (
        "On-orbit centrifuge",
        "Do you need centrifugation on orbit (a 1 g control or partial gravity)?",
    ),
    "sample_return": (
        "Sample return",
        "Must samples come back to Earth? Live samples reach the lab 4 to 9 hours after splashdown.",
    ),
}


# What each number of the proposal holds: the database's bounds, said in words (see leoportal.fields.Quantity).
HOLD = Quantity("A temperature of", "°C", ABSOLUTE_ZERO, MAX_HOLD_TEMPERATURE)
MONEY = Quantity("An amount of", "$", Decimal(0), Decimal("999999999999.99"))
PROPOSAL_QUANTITIES = {
    "temperature_min_c": HOLD,
    "temperature_max_c": HOLD,
    "units_needed": Quantity("Flying", "units", 1, 100_000, decimals=0),
    "duration_days": Quantity("A duration of", "days", Decimal(0), MAX_DURATION_DAYS, above_minimum=True),
    "power_w": Quantity("A power of", "W", Decimal(0), Decimal("9999999.99")),
    "return_temperature_c": Quantity("A return temperature of", "°C", ABSOLUTE_ZERO, MAX_RETURN_TEMPERATURE),
    "amount_requested": MONEY,
    "matching_funds": MONEY,
}


class ProposalForm(forms.ModelForm):
    """Every section of the proposal on one page. "Not stated" stays distinct from "no" on every question."""

    # The version of the proposal the form was opened on: a save over someone else's newer save is stopped.
    version = forms.CharField(required=False, widget=forms.HiddenInput)
    co2 = TriStateField(required=False)
    humidity = TriStateField(required=False)
    imaging = TriStateField(required=False)
    variable_gravity = TriStateField(required=False)
    sample_return = TriStateField(required=False)
    # Longer than the stored codes: people type them with spaces and dashes, which clean_* removes.
    uei = forms.CharField(
        label="UEI (SAM.gov Unique Entity ID)",
        required=False,
        max_length=24,
        help_text=Proposal._meta.get_field("uei").help_text,
    )
    cage_code = forms.CharField(
        label="CAGE code", required=False, max_length=12, help_text=Proposal._meta.get_field("cage_code").help_text
    )

    class Meta:
        model = Proposal
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "why_microgravity": forms.Textarea(attrs={"rows": 4}),
            "earth_benefit": forms.Textarea(attrs={"rows": 3}),
            "matching_funds_sources": forms.Textarea(attrs={"rows": 2}),
            "launch_earliest": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "launch_latest": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {
            "call": "Call",
            "attest_us_persons": "The principal investigator and every co-principal investigator are U.S. persons "
            "at U.S. entities",
            "attest_export_control": "I understand that export control (EAR and ITAR) is the proposer's responsibility",
        }
        help_texts = {
            "attest_us_persons": "Other team members may take part as subcontractors.",
            "attest_export_control": "Proposals are often export-controlled; the portal does not review this.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        proposal = self.instance
        calls = Call.objects.not_closed()
        if proposal.call_id:
            calls = calls | Call.objects.filter(pk=proposal.call_id)
        unsolicited = settings.ALLOW_UNSOLICITED_PROPOSALS
        self.fields["call"] = CallChoiceField(
            queryset=calls.order_by("closes_at", "code"),
            to_field_name="public_id",
            required=False,
            empty_label="Unsolicited (not tied to a call)" if unsolicited else "Choose a call",
            help_text="The call for proposals this answers."
            + (" Unsolicited proposals are welcome too." if unsolicited else ""),
        )
        self.initial["version"] = proposal_version(proposal)
        if proposal.call_id:
            self.initial["call"] = proposal.call.public_id  # the field is keyed by public id, not pk
        for name, field in self.fields.items():
            value = self.initial.get(name)
            if isinstance(field, forms.DecimalField) and isinstance(value, Decimal):
                self.initial[name] = f"{value.normalize():f}"  # 36.5 rather than the stored 36.50
        if proposal.submission_count:
            self.fields["call"].disabled = True
            self.fields["call"].help_text = "The call cannot change once the proposal has been submitted."
        for name, (label, question) in TRI_STATE_QUESTIONS.items():
            self.fields[name].label = label
            self.fields[name].help_text = question
        for name in ("sample_type", "crew_time", "biosafety_level", "trl_current", "trl_target"):
            choices = list(self.fields[name].choices)
            self.fields[name].choices = [("", "Not stated" if name in FLIGHT_CHOICES else "Choose…"), *choices[1:]]
        self.fields["temperature_min_c"].label = "Minimum (°C)"
        self.fields["temperature_max_c"].label = "Maximum (°C)"
        self.fields["launch_earliest"].label = "Earliest launch"
        self.fields["launch_latest"].label = "Latest launch"
        for name, quantity in PROPOSAL_QUANTITIES.items():
            plain_number(self.fields[name], quantity)
        plain_text_limits(self)
        plain_choices(self)
        self.fields["uei"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["cage_code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        sections = dict(SECTIONS)
        self.helper.layout = Layout(
            "version",
            Fieldset("Overview", *sections["Overview"], css_id="section-overview"),
            Fieldset(
                "Team and eligibility",
                "organisation",
                Row(Column("uei", css_class="col-md-7"), Column("cage_code", css_class="col-md-5")),
                HTML('{% include "projects/_co_investigator_formset.html" %}'),
                "attest_us_persons",
                "attest_export_control",
                css_id="section-team",
            ),
            Fieldset(
                "Science",
                "why_microgravity",
                "earth_benefit",
                Div("research_areas", css_class="checkbox-columns"),
                Row(Column("trl_current", css_class="col-md-6"), Column("trl_target", css_class="col-md-6")),
                css_id="section-science",
            ),
            Fieldset(
                "Flight requirements",
                HTML('{% include "projects/forms/_flight_requirements_hint.html" %}'),
                "sample_type",
                Div("needs", css_class="checkbox-columns"),
                "hardware_unsure",
                HTML('{% include "projects/forms/_temperature_range_label.html" %}'),
                Row(
                    Column("temperature_min_c", css_class="col-sm-6"),
                    Column("temperature_max_c", css_class="col-sm-6"),
                    css_class="temperature-range",
                ),
                Row(
                    Column("co2", css_class="col-md-6"),
                    Column("humidity", css_class="col-md-6"),
                ),
                Row(
                    Column("units_needed", css_class="col-md-4"),
                    Column("duration_days", css_class="col-md-4"),
                    Column("power_w", css_class="col-md-4"),
                ),
                "crew_time",
                Row(Column("imaging", css_class="col-md-6"), Column("variable_gravity", css_class="col-md-6")),
                Row(
                    Column("sample_return", css_class="col-md-6"),
                    Column("return_temperature_c", css_class="col-md-6"),
                ),
                "biosafety_level",
                Row(Column("launch_earliest", css_class="col-sm-6"), Column("launch_latest", css_class="col-sm-6")),
                css_id="section-flight",
            ),
            Fieldset("Funding", *sections["Funding"], css_id="section-funding"),
        )

    @cached_property
    def section_helpers(self) -> list[tuple[FormHelper, list[str]]]:
        """Each section on its own, after the version field (a section's markup is cached under its own answers).
        Built when an unbound form is rendered, not for each save or autosave."""
        return [_section_helper(fieldset) for fieldset in self.helper.layout.fields[1:]]

    def clean_uei(self):
        value = _identifier(self.cleaned_data["uei"])
        if value and not re.fullmatch(UEI_PATTERN, value):
            raise forms.ValidationError(
                "A UEI is 12 letters and digits, e.g. J7M9HPTGJ1S8 (you entered %(count)d characters).",
                params={"count": len(value)},
            )
        return value

    def clean_cage_code(self):
        value = _identifier(self.cleaned_data["cage_code"])
        if value and not re.fullmatch(CAGE_PATTERN, value):
            raise forms.ValidationError(
                "A CAGE code is 5 letters and digits, e.g. 1ABC2 (you entered %(count)d characters).",
                params={"count": len(value)},
            )
        return value

    def clean(self):
        data = super().clean()
        low, high = data.get("temperature_min_c"), data.get("temperature_max_c")
        if low is not None and high is not None and low > high:
            self.add_error(
                "temperature_min_c",
                f"Minimum temperature {_celsius(low)} is above the maximum {_celsius(high)}: swap them or correct one.",
            )
        elif (low is None) != (high is None) and not self._has_error_on("temperature_min_c", "temperature_max_c"):
            blank = "temperature_max_c" if high is None else "temperature_min_c"
            self.add_error(
                blank,
                "Give both a minimum and a maximum temperature, or leave both blank if you have not decided.",
            )

        current, target = data.get("trl_current"), data.get("trl_target")
        if current is not None and target is not None and target < current:
            self.add_error(
                "trl_target",
                f"Target TRL {target} is below the current TRL {current}: the target must be at least the current "
                "level.",
            )

        earliest, latest = data.get("launch_earliest"), data.get("launch_latest")
        if earliest and latest and earliest > latest:
            self.add_error(
                "launch_earliest",
                f"The earliest launch date {_day(earliest)} is after the latest {_day(latest)}: swap them or "
                "correct one.",
            )
        elif bool(earliest) != bool(latest) and not self._has_error_on("launch_earliest", "launch_latest"):
            blank = "launch_latest" if not latest else "launch_earliest"
            self.add_error(blank, "Give both the earliest and the latest launch date, or leave both blank.")

        if data.get("return_temperature_c") is not None and data.get("sample_return") is False:
            self.add_error(
                "return_temperature_c",
                "You answered that samples do not come back, so a return temperature does not apply: clear it, or "
                "change the sample return answer.",
            )

        call = data.get("call") if "call" in data else self.instance.call
        try:
            check_call_allowed(self.instance, call)
        except NotInvited as refusal:
            self.add_error("call", str(refusal))
        amount = data.get("amount_requested")
        if call is not None and call.funding_cap is not None and amount is not None and amount > call.funding_cap:
            self.add_error(
                "amount_requested",
                f"{call.code} funds at most {format_usd(call.funding_cap)} per proposal; you requested "
                f"{format_usd(amount)}. Lower the amount or choose another call.",
            )
        return data

    def _has_error_on(self, *names) -> bool:
        return any(name in self.errors for name in names)


# Part of every cached rendering's key: bump it whenever the form's fields or layout change (the key holds the
# templates deployed already), so a deployment never serves the previous form's markup.
FORM_MARKUP = "2"


@dataclass(frozen=True)
class FormSection:
    """One section of the proposal form (a Fieldset of its layout), rendered with ``{% crispy form helper %}``."""

    helper: FormHelper
    key: str


def section_renderings(form: ProposalForm, co_investigators, manage_team: bool) -> list[FormSection] | None:
    """The sections of an unbound proposal form, each with the key its markup is cached under; None for a bound form
    (it shows what was typed, and its errors). Rendering the form's 40 fields through crispy-forms costs most of the
    edit page. A section's markup depends only on what its key holds: the proposal, its status and whether it was
    submitted, its answers to the section's own fields, the calls it may choose, and its team. So a save that
    changes one section's answers (an autosave, say) renders that section alone afresh."""
    if form.is_bound:
        return None
    proposal = form.instance
    calls = [(call.pk, call.updated_at.isoformat()) for call in form.fields["call"].queryset]
    team = [(coi.public_id, coi.name, coi.email, coi.organisation, coi.role, coi.access) for coi in co_investigators]
    shared = (
        FORM_MARKUP,
        proposal.pk,
        proposal.owner_id,
        proposal.status,
        proposal.submission_count,
        settings.ALLOW_UNSOLICITED_PROPOSALS,
        manage_team,
        calls,
        team,
    )
    return [
        FormSection(helper, markup_key(*shared, [(name, form[name].value()) for name in names]))
        for helper, names in form.section_helpers
    ]


def _section_helper(fieldset: Fieldset) -> tuple[FormHelper, list[str]]:
    """A helper rendering ``fieldset`` alone, and the names of the fields in it."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(fieldset)
    return helper, [pointer.name for pointer in helper.layout.get_field_names()]


FLIGHT_CHOICES = {"sample_type", "crew_time", "biosafety_level"}


def _identifier(value: str) -> str:
    """UEIs and CAGE codes are written with spaces or dashes and in any case; store them bare and upper-case."""
    return "".join(value.split()).replace("-", "").upper()


class StartProposalForm(forms.Form):
    call = CallChoiceField(
        queryset=Call.objects.none(),
        to_field_name="public_id",
        required=False,
        label="Which call does it answer?",
    )
    title = forms.CharField(max_length=300, required=False, label="Working title", help_text="You can change it later.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unsolicited = settings.ALLOW_UNSOLICITED_PROPOSALS
        field = self.fields["call"]
        field.queryset = Call.objects.startable().order_by("closes_at", "code")
        field.required = not unsolicited
        field.empty_label = "Unsolicited (not tied to a call)" if unsolicited else None
        if not unsolicited:
            field.help_text = "Proposals must answer a call."
        plain_text_limits(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Program staff see this in the proposal's history.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_text_limits(self)
