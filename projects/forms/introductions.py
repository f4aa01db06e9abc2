"""Forms of introductions: staff introduce a proposal to a provider; a provider's member answers."""

from crispy_forms.helper import FormHelper
from django import forms

from leoportal.fields import plain_text_limits
from partners.models import Organisation
from projects.domain.introductions import NOTE_MAX_LENGTH
from projects.enums import IntroductionAnswer


class IntroduceForm(forms.Form):
    """Choose the provider (matched providers first), optionally the matched facility, and write the note."""

    organisation = forms.ChoiceField(
        label="Provider",
        required=False,
        help_text="Verified organisations with members on the portal; providers of matched facilities first.",
    )
    capability = forms.ChoiceField(
        label="Facility from the matches",
        required=False,
        help_text="The provider sees this match's explanation (score, fit and every check) as it is now. "
        "Left empty, the provider's best-ranked match is used, if it has one.",
    )
    note = forms.CharField(
        label="Note to the provider",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why this proposal may suit them, and anything they should know. Their members read it.",
    )

    def __init__(self, *args, matches, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.matches = {str(match.capability.public_id): match for match in matches}
        self.organisations = {organisation.slug: organisation for organisation in organisations}
        self.fields["capability"].choices = [("", "The provider's best-ranked match"), *_match_choices(matches)]
        matched = {match.capability.organisation.slug for match in matches}
        matched_choices = [(o.slug, o.name) for o in organisations if o.slug in matched]
        other_choices = [(o.slug, o.name) for o in organisations if o.slug not in matched]
        groups = []
        if matched_choices:
            groups.append(("Providers of matched facilities", matched_choices))
        if other_choices:
            groups.append(("Other verified providers", other_choices))
        self.fields["organisation"].choices = [("", "The facility's provider"), *groups]
        plain_text_limits(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        match = self.matches.get(cleaned.get("capability") or "")
        organisation = self.organisations.get(cleaned.get("organisation") or "")
        if match is None and organisation is None and not self.has_error("organisation"):
            self.add_error("organisation", "Choose the provider, or a facility from the matches.")
        if match is not None and organisation is not None and match.capability.organisation_id != organisation.pk:
            self.add_error(
                "capability",
                f"{match.capability.name} is listed by {match.capability.organisation.name}, not "
                f"{organisation.name}: choose one of {organisation.name}'s facilities, or leave the facility empty.",
            )
        provider = organisation or (match.capability.organisation if match else None)
        if match is None and provider is not None:
            # Matches come ordered by rank: the provider's first one is its best.
            match = next((m for m in self.matches.values() if m.capability.organisation_id == provider.pk), None)
        cleaned["match"] = match
        cleaned["provider"] = provider
        return cleaned


def _match_choices(matches) -> list[tuple[str, str]]:
    choices = []
    for match in matches:
        near = ", near miss" if match.near_miss else ""
        choices.append(
            (
                str(match.capability.public_id),
                f"#{match.rank} {match.capability.name} ({match.capability.organisation.name}): score "
                f"{match.score:.0f}, {match.get_fit_display().lower()}{near}",
            )
        )
    return choices


def introducible_organisations():
    """Verified organisations with at least one member, by name."""
    return Organisation.objects.verified().filter(memberships__isnull=False).distinct().order_by("name")


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Your answer",
        choices=IntroductionAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose interested or not interested."},
    )
    message = forms.CharField(
        label="Message (optional)",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you could offer, or why not. The research team and program staff read it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plain_text_limits(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
