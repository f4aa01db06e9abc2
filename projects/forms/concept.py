"""The concept summary form: the short first stage of a call with a concept step (about one page)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms

from leoportal.fields import plain_choices, plain_text_limits
from projects.domain.drafts import proposal_version
from projects.domain.submission import CONCEPT_FIELDS, CONCEPT_WORD_LIMIT
from projects.models import Proposal


class ConceptForm(forms.ModelForm):
    """Title, summary, why microgravity, research areas, kinds of hardware and the team lead's organisation."""

    version = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Proposal
        fields = list(CONCEPT_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "why_microgravity": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"organisation": "Team lead's organisation", "summary": "Concept summary"}
        help_texts = {
            "summary": "What you will fly, what you will measure and what you expect to learn. With “why "
            f"microgravity”, at most {CONCEPT_WORD_LIMIT} words (about one page).",
            "organisation": "The U.S. entity the team lead (you, the principal investigator) works for.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = proposal_version(self.instance)
        plain_text_limits(self)
        plain_choices(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "version",
            Fieldset(
                "Concept summary",
                "title",
                "organisation",
                "summary",
                "why_microgravity",
                Div("research_areas", css_class="checkbox-columns"),
                Div("needs", css_class="checkbox-columns"),
                "hardware_unsure",
                css_id="section-concept",
            ),
        )
