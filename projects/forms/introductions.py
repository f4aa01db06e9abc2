"""Forms of introductions: staff introduce a proposal to a provider; a provider's member answers."""

from crispy_forms.helper import FormHelper
from django import forms
from django.db.models import Count, Exists, OuterRef, Q

from leoportal.domain.page_cache import markup_key
from leoportal.fields import plain_text_limits
from partners.models import Invitation, Organisation
from projects.domain.introductions import NOTE_MAX_LENGTH
from projects.enums import IntroductionAnswer


class IntroduceForm(forms.Form):
    """Choose the provider (matched providers first), optionally the matched facility, and write the note."""

    organisation = forms.ChoiceField(
        label="Provider",
        required=False,
        help_text="Verified organisations; providers of matched facilities first.",
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
    contact_email = forms.EmailField(
        label="Contact to invite (for a provider with no members on the portal)",
        required=False,
        help_text="They are invited to join as the organisation's administrator, and find the introduction waiting. "
        "Leave empty for a provider whose members are already on the portal.",
    )

    def __init__(self, *args, matches, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        # Annotated by ``introducible_organisations``: who can receive an introduction now.
        self.reachable = {o.pk for o in organisations if o.member_total or o.awaiting_contact}
        self.with_members = {o.pk for o in organisations if o.member_total}
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
        contact = cleaned.get("contact_email")
        if provider is not None and contact and provider.pk in self.with_members:
            self.add_error(
                "contact_email",
                f"{provider.name} already has members on the portal, who receive the introduction: leave the "
                "contact empty.",
            )
        elif (
            provider is not None
            and not contact
            and provider.pk not in self.reachable
            and not self.has_error("contact_email")
        ):
            self.add_error(
                "contact_email",
                f"{provider.name} has no members on the portal, so nobody could receive the introduction: give the "
                "e-mail address of a contact there to invite; the introduction waits for them.",
            )
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
    """Verified organisations by name, each with ``member_total`` (active members) and ``awaiting_contact``
    (an invitation still pending): one with neither is reached by inviting a contact."""
    pending = Invitation.objects.pending().filter(organisation=OuterRef("pk"))
    return (
        Organisation.objects.verified()
        .annotate(
            member_total=Count("memberships", filter=Q(memberships__user__is_active=True)),
            awaiting_contact=Exists(pending),
        )
        .order_by("name")
    )


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


def answer_form_key(form: AnswerForm) -> str | None:
    """The key of an unbound answer form's markup, the same on every introduction page, or None for a bound form
    (it shows what was typed, and its errors). The key holds the fields as defined, so changing them starts afresh."""
    if form.is_bound:
        return None
    fields = [
        (name, field.label, field.help_text, getattr(field, "choices", None), field.widget.attrs)
        for name, field in form.fields.items()
    ]
    return markup_key("introduction-answer-form", fields)


class AskForm(forms.Form):
    """A researcher asks program staff for an introduction to a listing's provider."""

    proposal = forms.ChoiceField(label="For your proposal", error_messages={"required": "Choose the proposal."})
    message = forms.CharField(
        label="Your message to program staff",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you would like to ask or discuss with the provider. Program staff read it; the provider "
        "sees nothing until staff introduce your proposal.",
        error_messages={"required": "Write what you would like to ask or discuss."},
    )

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = {str(proposal.public_id): proposal for proposal in proposals}
        self.fields["proposal"].choices = [(key, p.display_title) for key, p in self.proposals.items()]
        plain_text_limits(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_proposal(self):
        return self.proposals[self.cleaned_data["proposal"]]


class RequestDecisionForm(forms.Form):
    """Program staff turn a researcher's request into an introduction, or decline it with a note."""

    decision = forms.ChoiceField(
        choices=[("introduce", "Introduce the proposal to the provider"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to introduce or to decline."},
    )
    note = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Introducing: the note to the provider. Declining: why, for the researcher.",
        error_messages={
            "required": "Write the note: for the provider when introducing, for the researcher when declining."
        },
    )
    contact_email = forms.EmailField(
        label="Contact to invite (for a provider with no members on the portal)",
        required=False,
        help_text="Only when introducing to a provider nobody has joined yet.",
    )
