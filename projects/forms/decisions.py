"""Forms of the decision outbox: a draft's wording, refused while it still holds a {placeholder}."""

from django import forms

from leoportal.text import validate_single_line
from projects.models.decisions import PLACEHOLDER


class DecisionEmailForm(forms.Form):
    subject = forms.CharField(max_length=300, validators=[validate_single_line])
    body = forms.CharField(
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="What the team reads. Reviewers are never named: quote only what staff released.",
    )

    def clean(self):
        data = super().clean()
        for field in ("subject", "body"):
            left = sorted(set(PLACEHOLDER.findall(data.get(field) or "")))
            if left:
                names = ", ".join(f"{{{name}}}" for name in left)
                self.add_error(
                    field,
                    f"{names} would reach the team as typed: placeholders are filled when the draft is made, so "
                    "write the words themselves here.",
                )
        return data
