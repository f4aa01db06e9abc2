from django import forms

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
