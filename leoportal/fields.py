"""Field types shared by listings and proposals.

* ``ChoiceListField``: a set of vocabulary values (categories, research areas, needs) stored as a JSON list,
  validated against its choices everywhere (model, form, admin) and rendered as checkboxes.
* ``TriStateField``: a form field for nullable booleans that keeps "not stated" distinct from "no" and shows the
  three answers as radio buttons rather than a checkbox.
* ``json_list_contains``: a filter on a ChoiceListField that works on PostgreSQL and SQLite alike.
* ``plain_number`` and ``plain_text_limits``: number fields with a range and long text fields with a limit that
  the browser knows and the server checks, refused in a sentence a person would write.
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import connection, models


class ChoiceListField(models.JSONField):
    def __init__(self, *args, item_choices=(), **kwargs):
        self.item_choices = list(item_choices)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["item_choices"] = self.item_choices
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError("Expected a list of choices.", code="invalid")
        allowed = {key for key, _label in self.item_choices}
        unknown = [item for item in value if item not in allowed]
        if unknown:
            raise ValidationError(
                "Unknown choice(s): %(unknown)s.",
                code="invalid_choice",
                params={"unknown": ", ".join(map(str, unknown))},
            )
        if len(set(value)) != len(value):
            raise ValidationError("Each choice may appear only once.", code="duplicate")

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.item_choices,
            "widget": forms.CheckboxSelectMultiple,
            "required": not self.blank,
            "label": self.verbose_name[:1].upper() + self.verbose_name[1:],
            "help_text": self.help_text,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        for key in ("encoder", "decoder", "max_length"):
            defaults.pop(key, None)
        return form_class(**defaults)


def json_list_contains(field_name: str, value: str) -> models.Q:
    """``Q`` matching rows whose ChoiceListField ``field_name`` contains ``value``."""
    if connection.vendor == "postgresql":
        return models.Q(**{f"{field_name}__contains": [value]})
    # SQLite stores JSON as text and has no containment operator; vocabulary values are plain identifiers, so a
    # match on the quoted value is exact.
    return models.Q(**{f"{field_name}__icontains": f'"{value}"'})


class TriStateRadioSelect(forms.RadioSelect):
    """Yes / No / Not stated as three radio buttons; "not stated" is checked when the value is None."""

    def __init__(self, attrs=None, labels=("Yes", "No", "Not stated")):
        yes, no, unknown = labels
        super().__init__(attrs, choices=[("true", yes), ("false", no), ("unknown", unknown)])

    def format_value(self, value):
        return [{True: "true", False: "false", "True": "true", "False": "false"}.get(value, "unknown")]

    def value_from_datadict(self, data, files, name):
        return data.get(name, "unknown")


class TriStateField(forms.NullBooleanField):
    widget = TriStateRadioSelect

    def __init__(self, *args, labels=("Yes", "No", "Not stated"), **kwargs):
        kwargs.setdefault("widget", TriStateRadioSelect(labels=labels))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in (True, "True", "true", "1"):
            return True
        if value in (False, "False", "false", "0"):
            return False
        if value in (None, "", "unknown"):
            return None
        raise ValidationError("Choose yes, no or not stated.", code="invalid")


# --- Numbers and long texts in plain words ------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """What a number field holds, said as a person would: ``Quantity("A temperature of", "°C", -273.15, 200)``.

    The range is enforced in the browser (min, max and step on the input) and on the server, with one sentence
    that says what was typed and what to type instead: "A temperature of 500 °C is not possible here: enter a
    number from -273.15 °C to 200 °C." ``above_minimum`` excludes the minimum itself (a duration must be above 0);
    ``decimals`` is how many decimal places are kept (0: whole numbers; None: any); ``grouping`` writes thousands
    with commas (not for years).
    """

    lead: str
    unit: str
    minimum: Decimal | float | int
    maximum: Decimal | float | int
    decimals: int | None = 2
    above_minimum: bool = False
    grouping: bool = True

    def show(self, value) -> str:
        number = _number(abs(value) if self.unit == "$" else value, self.grouping)
        if self.unit == "$":
            return f"-${number}" if value < 0 else f"${number}"
        return f"{number} {self.unit}".strip()

    @property
    def range_words(self) -> str:
        # The unit once, at the end ("from 1 to 100,000 units"); money carries its sign at both ends.
        low = self.show(self.minimum) if self.unit == "$" else _number(self.minimum, self.grouping)
        high = self.show(self.maximum)
        if self.above_minimum:
            return f"a number above {low}, at most {high}"
        return f"a number from {low} to {high}"

    @property
    def step(self) -> str:
        if self.decimals is None:
            return "any"
        return "1" if self.decimals == 0 else f"0.{'0' * (self.decimals - 1)}1"


def _number(value, grouping: bool = True) -> str:
    """12, 36.5, -273.15, 36,500: no trailing zeros, thousands separated (unless ``grouping`` is off)."""
    return f"{Decimal(str(value)).normalize():{',' if grouping else ''}f}"


class _Plainly:
    """The range, then the decimal places, of a Quantity: one message at a time, the range first."""

    def __init__(self, quantity: Quantity):
        self.quantity = quantity

    def __call__(self, value):
        if value is None:
            return
        q = self.quantity
        low_ok = value > q.minimum if q.above_minimum else value >= q.minimum
        if not (low_ok and value <= q.maximum):
            raise ValidationError(
                f"{q.lead} {q.show(value)} is not possible here: enter {q.range_words}.", code="out_of_range"
            )
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
        if q.decimals is not None and isinstance(exponent, int) and -exponent > q.decimals:
            if q.decimals == 0:
                raise ValidationError(f"Use a whole number here, e.g. {round(value)}.", code="max_decimal_places")
            example = _number(Decimal(str(value)).quantize(Decimal(1).scaleb(-q.decimals)))
            places = "place" if q.decimals == 1 else "places"
            raise ValidationError(
                f"Use at most {q.decimals} decimal {places}, e.g. {example}.", code="max_decimal_places"
            )

    def __eq__(self, other):
        return isinstance(other, _Plainly) and other.quantity == self.quantity

    def __hash__(self):
        return hash(self.quantity)


# Django's own number validators, replaced by the two above (their messages read "Ensure that there are no more
# than 5 digits before the decimal point" and "Ensure this value is greater than or equal to 0.01").
_REPLACED_VALIDATORS = (
    validators.MinValueValidator,
    validators.MaxValueValidator,
    validators.DecimalValidator,
    validators.StepValueValidator,
)


def plain_number(field: forms.Field, quantity: Quantity) -> forms.Field:
    """Make a form's number field accept ``quantity``'s range, in the browser and on the server, in plain words."""
    field.validators = [v for v in field.validators if not isinstance(v, _REPLACED_VALIDATORS)]
    field.validators.append(_Plainly(quantity))
    whole = quantity.decimals == 0
    field.error_messages = {
        **field.error_messages,
        "invalid": "Enter a whole number, e.g. 12." if whole else "Enter a number, e.g. 36.5 (digits only).",
    }
    field.widget.attrs.update(
        {
            "min": _number(quantity.minimum, grouping=False),
            "max": _number(quantity.maximum, grouping=False),
            "step": quantity.step,
            "inputmode": "numeric" if whole and quantity.minimum >= 0 else "decimal",
        }
    )
    return field


# The longest text a person is told about as they type (a counter under the field) instead of being cut off.
def plain_text_limit(field: forms.CharField) -> forms.CharField:
    """A text field whose limit is shown by a counter (static/js/site.js) and checked on the server, never by
    cutting the text: the browser's maxlength silently drops what is pasted beyond it."""
    limit = field.max_length
    if limit:
        message = "Keep this to %(limit_value)s characters or fewer: it has %(show_value)s now."
        field.max_length = None  # so the widget gets no maxlength; the validator below still checks
        field.validators = [v for v in field.validators if not isinstance(v, validators.MaxLengthValidator)]
        field.validators.append(validators.MaxLengthValidator(limit, message=message))
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs["data-maxlength"] = str(limit)
    return field


def plain_choices(form: forms.BaseForm) -> None:
    """Every choice field of ``form`` refuses a value that is not among its choices in a sentence (a hand-made
    request, or a choice withdrawn since the page was opened)."""
    for field in form.fields.values():
        if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            field.error_messages = {
                **field.error_messages,
                "invalid_choice": "“%(value)s” is not one of the choices here: pick one from the list.",
            }


def plain_text_limits(form: forms.BaseForm, minimum: int = 200) -> None:
    """``plain_text_limit`` on every text field of ``form`` that allows ``minimum`` characters or more."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and (field.max_length or 0) >= minimum:
            plain_text_limit(field)
