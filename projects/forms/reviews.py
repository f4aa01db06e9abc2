"""Forms of reviewing, on the site and at the desk: the review, a conflict declaration, a reviewer's expertise,
inviting and assigning reviewers."""

from django import forms

from leoportal.text import validate_single_line
from partners.enums import ResearchArea
from projects.enums import OperationsScreen, ReviewScore
from projects.models import CRITERIA_FIELDS, Review


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = [*CRITERIA_FIELDS, "operations", "comment"]
        widgets = {
            **dict.fromkeys(CRITERIA_FIELDS, forms.RadioSelect),
            "operations": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 6, "cols": 80}),
        }
        help_texts = {"comment": "Strengths, weaknesses and what would make the proposal stronger."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CRITERIA_FIELDS:
            field = self.fields[name]
            field.required = True
            field.choices = ReviewScore.choices
            field.error_messages["required"] = f"Score {field.label.lower()} from 1 to 5."
        self.fields["operations"].required = True
        self.fields["operations"].choices = OperationsScreen.choices
        self.fields["operations"].error_messages["required"] = "Say whether the operations screen passes or fails."


class DraftReviewForm(ReviewForm):
    """The same form for a draft: anything may still be missing."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ConflictForm(forms.Form):
    note = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="For example a collaboration, a shared grant or a competing project. Staff see it.",
    )


class ExpertiseForm(forms.Form):
    organisation = forms.CharField(
        max_length=200,
        validators=[validate_single_line],
        help_text="The institution or company you work for: proposals from it are never assigned to you.",
    )
    research_areas = forms.MultipleChoiceField(
        label="Research areas",
        choices=ResearchArea.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The areas you can judge.",
        error_messages={"required": "Choose at least one research area you can judge."},
    )
    keywords = forms.CharField(
        max_length=500,
        required=False,
        help_text="Methods and subjects you know well, separated by commas (e.g. organoids, cardiomyocytes).",
    )
    bio = forms.CharField(
        label="Short bio",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few sentences on your work; program staff read it when assigning proposals.",
    )


class InviteReviewerForm(forms.Form):
    email = forms.EmailField(label="Reviewer's e-mail address")
