from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.text import slugify

from leoportal.fields import Quantity, TriStateField, plain_choices, plain_number, plain_text_limits
from leoportal.text import validate_single_line
from partners.domain.listings import LISTING_FIELDS, unstated_facts, window_problems
from partners.enums import CrewTime, MembershipRole
from partners.models import (
    AvailabilityWindow,
    Capability,
    Organisation,
    validate_cold_stowage,
    validate_sources,
)
from partners.models.validation import DURATION_MAX_DAYS, FLIGHT_YEAR_BOUNDS, GRAVITY_BOUNDS, TEMPERATURE_BOUNDS


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(required=False, max_length=300, assume_scheme="https", help_text="Starting with https://")

    class Meta:
        model = Organisation
        fields = ["name", "website", "description", "contact_email", "country"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_text_limits(self)

    def clean_name(self):
        validate_single_line(self.cleaned_data["name"])
        name = " ".join(self.cleaned_data["name"].split())
        # Only verified (public) names are checked: whether an unverified organisation has a name is nobody's
        # business but staff's, who are told of duplicates and resolve them.
        clash = Organisation.objects.verified().filter(name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(
                "A verified organisation is already listed under this name. If you work there, ask one of its "
                "administrators to invite you."
            )
        return name


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address", help_text="The invitation link is sent to this address.")
    role = forms.ChoiceField(
        choices=MembershipRole.choices,
        initial=MembershipRole.MEMBER,
        help_text="Administrators also manage members, the organisation's profile and bulk imports.",
    )


class ContactInvitationForm(forms.Form):
    email = forms.EmailField(
        label="Contact's e-mail address",
        help_text="They are invited to join as the organisation's administrator; introductions made meanwhile wait "
        "for them.",
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MembershipRole.choices)


def _tri_state(label, help_text=""):
    return TriStateField(label=label, required=False, help_text=help_text)


# What each number of a listing holds: the database's bounds, said in words (see leoportal.fields.Quantity).
TEMPERATURE = Quantity("A temperature of", "°C", *TEMPERATURE_BOUNDS, decimals=None)
GRAVITY = Quantity("A gravity of", "g", *GRAVITY_BOUNDS, decimals=None)
LISTING_QUANTITIES = {
    "temperature_min_c": TEMPERATURE,
    "temperature_max_c": TEMPERATURE,
    "capacity_units": Quantity("A capacity of", "units", 1, 100_000, decimals=0),
    "max_duration_days": Quantity("A duration of", "days", 0, DURATION_MAX_DAYS, decimals=None, above_minimum=True),
    "power_w": Quantity("A power of", "W", 0, 1_000_000, decimals=None),
    "variable_gravity_min_g": GRAVITY,
    "variable_gravity_max_g": GRAVITY,
    "biosafety_level": Quantity("Biosafety level", "", 1, 4, decimals=0),
    "first_flight_year": Quantity("A first flight in", "", *FLIGHT_YEAR_BOUNDS, decimals=0, grouping=False),
}


class CapabilityForm(forms.ModelForm):
    """The listing form, in sections. Nullable facts are three-way (yes / no / not stated), never a checkbox."""

    co2_control = _tri_state("CO₂ control")
    humidity_control = _tri_state("Humidity control")
    imaging = _tri_state("Imaging", "Can samples be imaged on orbit (microscope or camera)?")
    sample_return = _tri_state("Sample return", "Can samples come back to Earth after the run?")
    crew_time = forms.ChoiceField(
        label="Crew time needed",
        choices=[("", "Not stated"), *CrewTime.choices],
        required=False,
        help_text="The least crew involvement the facility demands.",
    )
    cold_stowage_c = forms.CharField(
        label="Cold stowage temperatures (°C)",
        required=False,
        help_text="Comma-separated, e.g. -80, -20, 4. Write 'none' if there is no cold stowage; leave empty if "
        "not stated.",
    )
    sources_text = forms.CharField(
        label="Sources",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Public web pages that back these facts, one per line: a web address, optionally followed by a note.",
    )
    no_open_windows = forms.BooleanField(
        label="No open windows at present",
        required=False,
        help_text="Tick to state that the facility is fully booked (rather than leaving availability unstated).",
    )

    class Meta:
        model = Capability
        fields = [field for field in LISTING_FIELDS if field not in ("sources", "confidence")]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["external_id"].required = False
        self.fields["external_id"].help_text = (
            "A short stable identifier, unique within your organisation, used by bulk imports (e.g. 'bff-2'). "
            "Leave empty to make one from the name."
        )
        if self.instance.pk is None:
            self.fields["no_open_windows"].initial = False
        else:
            cold = self.instance.cold_stowage_c
            if cold is not None:
                self.initial["cold_stowage_c"] = ", ".join(f"{t:g}" for t in cold) if cold else "none"
            self.initial["sources_text"] = "\n".join(self.instance.sources)
            self.initial["no_open_windows"] = (
                self.instance.availability_stated and not self.instance.availability_windows.exists()
            )
        for name, quantity in LISTING_QUANTITIES.items():
            if name in self.fields:
                plain_number(self.fields[name], quantity)
        plain_text_limits(self)
        plain_choices(self)
        self.unstated = unstated_facts(self.instance)
        hints = {fact.field: fact.consequence for fact in self.unstated}
        hints["temperature_min_c"] = hints.pop("temperature", None)
        for name, hint in hints.items():
            if hint and name in self.fields:
                self.fields[name].help_text = f"{self.fields[name].help_text} Not stated yet: {hint}".strip()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                "The facility",
                "name",
                "external_id",
                "platform",
                "status",
                "categories",
                "research_areas",
                "description",
                "first_flight_year",
            ),
            Fieldset(
                "Environment",
                HTML('{% include "partners/forms/_temperature_hint.html" %}'),
                "temperature_min_c",
                "temperature_max_c",
                "co2_control",
                "humidity_control",
                "cold_stowage_c",
            ),
            Fieldset(
                "Capacity and operations",
                "capacity_units",
                "max_duration_days",
                "power_w",
                "crew_time",
                "imaging",
                "biosafety_level",
            ),
            Fieldset(
                "Gravity and sample return",
                HTML('{% include "partners/forms/_gravity_hint.html" %}'),
                "variable_gravity_min_g",
                "variable_gravity_max_g",
                "sample_return",
            ),
            Fieldset("Sources", "sources_text"),
        )

    def clean_external_id(self):
        external_id = self.cleaned_data.get("external_id", "").strip()
        if not external_id:
            return ""
        clash = Capability.objects.filter(organisation=self.organisation, external_id=external_id).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError("Another listing of your organisation already uses this identifier.")
        return external_id

    def clean_cold_stowage_c(self):
        text = self.cleaned_data.get("cold_stowage_c", "").strip()
        if not text:
            return None
        if text.lower() in ("none", "no"):
            return []
        temperatures = []
        for typed in text.replace(";", ",").split(","):
            part = typed.strip().replace("°c", "").replace("°C", "").strip()
            if not part:
                continue
            try:
                temperatures.append(float(part))
            except ValueError:
                raise ValidationError(
                    f"{part!r} is not a number. Separate temperatures with commas, e.g. -80, -20, 4."
                ) from None
        try:
            validate_cold_stowage(temperatures)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return sorted(set(temperatures))

    def clean_sources_text(self):
        sources = []
        for typed in self.cleaned_data.get("sources_text", "").splitlines():
            line = typed.strip()
            if line and line not in sources:
                sources.append(line)
        try:
            validate_sources(sources)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return sources

    def _update_errors(self, errors):
        # The model's checks see a refused value as left empty ("give both ends of the range"): a field the form
        # already refused keeps its own message only.
        if hasattr(errors, "error_dict"):
            errors.error_dict = {name: e for name, e in errors.error_dict.items() if name not in self._errors}
            if not errors.error_dict:
                return
        super()._update_errors(errors)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("external_id") and cleaned.get("name"):
            cleaned["external_id"] = self._identifier_from_name(cleaned["name"])
            self.instance.external_id = cleaned["external_id"]
        return cleaned

    def _identifier_from_name(self, name: str) -> str:
        base = slugify(name)[:90].strip("-") or "listing"
        identifier, suffix = base, 2
        taken = Capability.objects.filter(organisation=self.organisation).exclude(pk=self.instance.pk)
        while taken.filter(external_id=identifier).exists():
            identifier = f"{base}-{suffix}"
            suffix += 1
        return identifier

    def listing_values(self) -> dict:
        values = {field: self.cleaned_data[field] for field in self.Meta.fields}
        values["sources"] = self.cleaned_data["sources_text"]
        return values

    def windows(self, formset) -> list | None:
        """The availability windows stated: the formset's rows, [] for "no open windows", None for not stated."""
        windows = formset.windows()
        if windows:
            return windows
        return [] if self.cleaned_data.get("no_open_windows") else None


class AvailabilityWindowForm(forms.ModelForm):
    class Meta:
        model = AvailabilityWindow
        fields = ["start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "start": {"required": "Give both the first and the last day of the window."},
            "end": {"required": "Give both the first and the last day of the window."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each row's labels name its window, so screen-reader users can tell the rows apart.
        number = (self.prefix or "").rsplit("-", 1)[-1]
        row = int(number) + 1 if number.isdigit() else 1
        self.fields["start"].label = f"Window {row}: first day"
        self.fields["end"].label = f"Window {row}: last day"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The window must end on or after the day it starts.")
        return cleaned


class BaseAvailabilityFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields and index is not None:
            form.fields["DELETE"].label = f"Remove window {index + 1}"

    def _kept_forms(self):
        return [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("start")
        ]

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        problems = window_problems(self.windows())
        if problems:
            raise ValidationError(problems)

    def windows(self) -> list:
        return sorted((form.cleaned_data["start"], form.cleaned_data["end"]) for form in self._kept_forms())


AvailabilityFormSet = inlineformset_factory(
    Capability,
    AvailabilityWindow,
    form=AvailabilityWindowForm,
    formset=BaseAvailabilityFormSet,
    extra=2,
    can_delete=True,
    max_num=50,
    validate_max=True,
)


class UploadForm(forms.Form):
    document = forms.FileField(
        label="Capability document (JSON)",
        help_text="A leoportal.capabilities/1 file, such as one downloaded with the export button.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    publish_new = forms.BooleanField(
        label="Publish new listings at once",
        required=False,
        help_text="Otherwise new listings are saved as drafts. Existing listings keep their publication state.",
    )

    def clean_document(self):
        upload = self.cleaned_data["document"]
        limit_kb = settings.CAPABILITY_UPLOAD_MAX_KB
        if upload.size > limit_kb * 1024:
            raise ValidationError(
                f"The file is {upload.size / 1024:,.0f} KB; upload at most {limit_kb:,} KB at a time (split the "
                "document, or ask staff to run the import for you)."
            )
        return upload
