"""The public catalogue's filters. They combine (every filter given must hold) and live in the query string, so a
search can be bookmarked and shared.

"Not stated" is not "no". By default an envelope filter (sample return, crew time, temperature, duration,
capacity) shows only listings that state a matching value. With ``unstated=on`` ("include listings that have not
stated it") a listing that leaves the fact unstated passes that filter too: it may fit, and the researcher should
confirm with the provider. The centrifuge filter always means "offers one" (a stated gravity range or the
centrifuge category): the format has no way to state "has none", so every other listing is "not stated" and
including them would make the filter do nothing.
"""

from dataclasses import dataclass

import django_filters
from django import forms
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, Value, When

from leoportal.fields import Quantity, json_list_contains, plain_number
from partners.enums import CapabilityStatus, Category, CrewTime, ResearchArea
from partners.models import Capability
from partners.models.validation import DURATION_MAX_DAYS, TEMPERATURE_BOUNDS

YES_NO = [("yes", "Yes (stated)"), ("no", "No (stated)")]
SORTS = [
    ("relevance", "Best match"),
    ("name", "Name"),
    ("first_flight", "First flight (earliest first)"),
    ("facts", "Most facts stated"),
]
# A stated fact, for "most facts stated": the envelope the listing page shows.
STATED_FACTS = [
    ~Q(platform=""),
    Q(temperature_min_c__isnull=False),
    Q(co2_control__isnull=False),
    Q(humidity_control__isnull=False),
    Q(capacity_units__isnull=False),
    Q(max_duration_days__isnull=False),
    Q(power_w__isnull=False),
    ~Q(crew_time=""),
    Q(imaging__isnull=False),
    Q(variable_gravity_min_g__isnull=False),
    Q(sample_return__isnull=False),
    Q(cold_stowage_c__isnull=False),
    Q(biosafety_level__isnull=False),
    Q(first_flight_year__isnull=False),
    Q(availability_stated=True),
]
# The range each number filter accepts, as the listing form does (leoportal.fields.Quantity).
FILTER_QUANTITIES = {
    "holds_c": Quantity("A temperature of", "°C", *TEMPERATURE_BOUNDS, decimals=None),
    "min_days": Quantity("A duration of", "days", 0, DURATION_MAX_DAYS, decimals=None),
    "min_units": Quantity("Taking at least", "units", 1, 100_000, decimals=0),
}


@dataclass(frozen=True)
class ActiveFilter:
    """A filter in use, for its chip: "Category: 3D bioprinter"."""

    name: str
    label: str
    value: str


class CatalogueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Search",
        method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. bioprinter, organoid, crystal"}),
        help_text="Searches names, descriptions, providers, platforms, categories and research areas.",
    )
    category = django_filters.ChoiceFilter(
        label="Category", choices=Category.choices, method="filter_category", empty_label="Any category"
    )
    research_area = django_filters.ChoiceFilter(
        label="Research area",
        choices=ResearchArea.choices,
        method="filter_research_area",
        empty_label="Any research area",
    )
    platform = django_filters.CharFilter(
        field_name="platform",
        lookup_expr="icontains",
        label="Platform",
        help_text="Part of the platform's name, e.g. ISS, Kibo or free-flyer.",
        widget=forms.TextInput(attrs={"list": "platform-options"}),
    )
    status = django_filters.ChoiceFilter(label="Status", choices=CapabilityStatus.choices, empty_label="Any status")
    sample_return = django_filters.ChoiceFilter(
        label="Returns samples", choices=YES_NO, method="filter_sample_return", empty_label="Either"
    )
    crew_time = django_filters.ChoiceFilter(
        label="Crew time (at most)",
        choices=CrewTime.choices,
        method="filter_crew_time",
        empty_label="Any",
        help_text="Listings that need no more crew time than this.",
    )
    centrifuge = django_filters.BooleanFilter(
        label="Has an on-orbit centrifuge",
        method="filter_centrifuge",
        widget=forms.CheckboxInput,
        help_text="A 1 g control or partial gravity in orbit.",
    )
    holds_c = django_filters.NumberFilter(
        label="Holds this temperature (°C)",
        method="filter_holds_temperature",
        help_text="Within its temperature range, or one of its cold stowage temperatures.",
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    min_days = django_filters.NumberFilter(
        label="Runs for at least (days)",
        method="filter_min_duration",
        widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
    )
    min_units = django_filters.NumberFilter(
        label="Takes at least (experiment units)",
        method="filter_min_capacity",
        widget=forms.NumberInput(attrs={"step": "1", "min": "0"}),
    )
    unstated = django_filters.BooleanFilter(
        label="Include listings that have not stated it",
        method="filter_noop",
        widget=forms.CheckboxInput,
        help_text="Also show listings that leave a filtered fact unstated; confirm those with the provider.",
    )

    # Last: it orders what the filters above kept.
    sort = django_filters.ChoiceFilter(
        label="Sort by", choices=SORTS, method="filter_sort", empty_label="Best match (or name)"
    )

    class Meta:
        model = Capability
        fields = []

    def __init__(self, *args, vendor: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.vendor = vendor or connection.vendor
        for name, quantity in FILTER_QUANTITIES.items():
            plain_number(self.form.fields[name], quantity)
        for name, field in self.form.fields.items():
            if isinstance(field, forms.ChoiceField):
                noun = {"sample_return": "choice", "sort": "sort order"}.get(name, field.label.lower())
                field.error_messages["invalid_choice"] = (
                    f"“%(value)s” is not a {noun} the catalogue knows: choose one from the list."
                )

    def active_filters(self) -> list[ActiveFilter]:
        """The filters in use with valid values, in the panel's order."""
        if not self.is_bound:
            return []
        self.form.errors  # noqa: B018 -- validates the form, so cleaned_data is there
        active = []
        for name, field in self.form.fields.items():
            value = self.form.cleaned_data.get(name)
            if name in self.form.errors or value in (None, "", False) or name == "sort":
                continue
            if name == "unstated":
                active.append(ActiveFilter(name, "Including", "listings that have not stated it"))
                continue
            if name in FILTER_QUANTITIES:
                shown = FILTER_QUANTITIES[name].show(value)
            elif isinstance(field, forms.ChoiceField):
                shown = str(dict(field.choices).get(value, value))
            elif value is True:
                shown = "yes"
            else:
                shown = f"“{value}”" if name == "q" else str(value)
            active.append(ActiveFilter(name, str(field.label), shown))
        return active

    def refused_filters(self) -> list[tuple[str, str, str]]:
        """The filters whose values cannot be used: (name, label, what to do instead)."""
        if not self.is_bound:
            return []
        return [
            (name, str(self.form.fields[name].label), errors[0])
            for name, errors in self.form.errors.items()
            if name in self.form.fields
        ]

    @property
    def include_unstated(self) -> bool:
        return bool(self.form.cleaned_data.get("unstated"))

    def _or_unstated(self, stated: Q, unstated: Q) -> Q:
        return stated | unstated if self.include_unstated else stated

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_sort(self, queryset, name, value):
        if value == "name":
            return queryset.order_by("name", "pk")
        if value == "first_flight":
            return queryset.order_by(F("first_flight_year").asc(nulls_last=True), "name", "pk")
        if value == "facts":
            stated = sum(
                (
                    Case(When(fact, then=Value(1)), default=Value(0), output_field=IntegerField())
                    for fact in STATED_FACTS
                ),
                Value(0),
            )
            return queryset.annotate(facts_stated=stated).order_by("-facts_stated", "name", "pk")
        return queryset  # best match: the search's ranking, or by name without a search

    def filter_search(self, queryset, name, value):
        return queryset.search(value, vendor=self.vendor)

    def filter_category(self, queryset, name, value):
        return queryset.filter(json_list_contains("categories", value))

    def filter_research_area(self, queryset, name, value):
        return queryset.filter(json_list_contains("research_areas", value))

    def filter_sample_return(self, queryset, name, value):
        return queryset.filter(self._or_unstated(Q(sample_return=value == "yes"), Q(sample_return__isnull=True)))

    def filter_crew_time(self, queryset, name, value):
        acceptable = [level for level in CrewTime.values if CrewTime.rank(level) <= CrewTime.rank(value)]
        return queryset.filter(self._or_unstated(Q(crew_time__in=acceptable), Q(crew_time="")))

    def filter_centrifuge(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(variable_gravity_min_g__isnull=False)
            | json_list_contains("categories", Category.VARIABLE_GRAVITY_CENTRIFUGE)
        )

    def filter_holds_temperature(self, queryset, name, value):
        value = float(value)
        holds = Q(temperature_min_c__lte=value, temperature_max_c__gte=value)
        if self.vendor == "postgresql":
            # jsonb containment compares numbers by value: [-80.0] contains -80.
            holds |= Q(cold_stowage_c__contains=[value])
        return queryset.filter(self._or_unstated(holds, Q(temperature_min_c__isnull=True)))

    def filter_min_duration(self, queryset, name, value):
        return queryset.filter(
            self._or_unstated(Q(max_duration_days__gte=float(value)), Q(max_duration_days__isnull=True))
        )

    def filter_min_capacity(self, queryset, name, value):
        return queryset.filter(self._or_unstated(Q(capacity_units__gte=value), Q(capacity_units__isnull=True)))

    @property
    def is_filtered(self) -> bool:
        return any(value not in (None, "", False) for name, value in self.form.cleaned_data.items() if name != "sort")
