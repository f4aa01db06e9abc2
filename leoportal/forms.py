from django import forms
from django.contrib.admin import widgets
from django.utils.text import capfirst

from leoportal.enums import Role
from leoportal.text import validate_single_line


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth adds e-mail and password): who the person is and for whom they work."""

    role = forms.ChoiceField(
        label="I am signing up as",
        choices=Role.choices,
        widget=forms.RadioSelect,
        help_text="Researchers submit proposals; providers list their organisation's flight hardware; reviewers judge "
        "the proposals of the calls program staff invited them to.",
    )
    full_name = forms.CharField(label="Full name", max_length=200, validators=[validate_single_line])
    organisation = forms.CharField(
        label="Organisation",
        max_length=200,
        help_text="Your university, hospital or company.",
        validators=[validate_single_line],
    )

    field_order = ["role", "full_name", "organisation", "email", "password1", "password2"]

    def signup(self, request, user):
        user.role = self.cleaned_data["role"]
        user.full_name = self.cleaned_data["full_name"].strip()
        user.organisation = self.cleaned_data["organisation"].strip()
        user.save(update_fields=["role", "full_name", "organisation"])


class LabelledSplitDateTime(widgets.AdminSplitDateTime):
    """Django's date and time boxes of one field, each named for screen readers ("Opens: date", "Opens: time"):
    the field's label names neither box. Every date-and-time field of the admin uses it (``StaffAdminConfig``),
    named by ``label`` or else by the field's name ("Expires at: date")."""

    def __init__(self, label="", attrs=None):
        self.label = label
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        label = self.label or capfirst(name.rpartition("-")[2].replace("_", " "))  # an inline's "rounds-0-opens_at"
        for subwidget, part in zip(context["widget"]["subwidgets"], ("date", "time"), strict=False):
            subwidget["attrs"]["aria-label"] = f"{label}: {part}"
        return context
