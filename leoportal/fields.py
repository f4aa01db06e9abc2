"""Field types shared by listings and proposals.

* ``ChoiceListField``: a set of vocabulary values (categories, research areas, needs) stored as a JSON list,
  validated against its choices everywhere (model, form, admin) and rendered as checkboxes.
* ``TriStateField``: a form field for nullable booleans that keeps "not stated" distinct from "no" and shows the
  three answers as radio buttons rather than a checkbox.
* ``json_list_contains``: a filter on a ChoiceListField that works on PostgreSQL and SQLite alike.
"""

from django import forms
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
