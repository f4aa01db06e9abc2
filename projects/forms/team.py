"""The team rows of the proposal form and the invitation a principal investigator sends a co-investigator."""

from django import forms

from projects.enums import Access
from projects.models import CoInvestigator, Proposal


class CoInvestigatorForm(forms.ModelForm):
    class Meta:
        model = CoInvestigator
        fields = ["name", "email", "organisation", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Choose…"), *list(self.fields["role"].choices)[1:]]


class BaseCoInvestigatorFormSet(forms.BaseInlineFormSet):
    """The team rows of the proposal form. A row names its co-investigator by public id, and the form carries no
    proposal id: database ids in a form would tell anyone how many rows the whole platform holds."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["id"] = forms.ModelChoiceField(
            queryset=self.get_queryset(),
            to_field_name="public_id",
            required=False,
            widget=forms.HiddenInput,
            initial=None if form.instance.pk is None else form.instance.public_id,
            error_messages={"invalid_choice": "This co-investigator is no longer on the team: reload the page."},
        )

    # Django's model formsets look rows up by the primary key posted with them; these two hooks make that the public
    # id. The proposal field is not rendered at all: posted without it, an inline formset uses its own proposal.
    def _existing_object(self, pk):
        if not hasattr(self, "_object_by_public_id"):
            self._object_by_public_id = {str(o.public_id): o for o in self.get_queryset()}
        return self._object_by_public_id.get(str(pk))

    def _get_to_python(self, field):
        if field is self.model._meta.pk:
            return lambda value: self.model._meta.get_field("public_id").to_python(value)
        return super()._get_to_python(field)

    def clean(self):
        super().clean()
        owner_email = self.instance.owner.email.lower()
        seen = {}
        if self.instance.pk:
            # Saved co-investigators the posted forms do not cover (a form sent with fewer rows than the page had)
            # stay as they are, and their addresses stay taken.
            covered = {form.instance.pk for form in self.initial_forms}
            for coi in self.instance.co_investigators.exclude(pk__in=covered):
                if coi.email:
                    seen[coi.email.lower()] = coi
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            email = (form.cleaned_data.get("email") or "").lower()
            if not email:
                continue
            if email == owner_email:
                form.add_error("email", "That is the principal investigator's address; list co-investigators only.")
            elif email in seen:
                form.add_error("email", "Another co-investigator already has this e-mail address.")
            seen[email] = form


CoInvestigatorFormSet = forms.inlineformset_factory(
    Proposal,
    CoInvestigator,
    form=CoInvestigatorForm,
    formset=BaseCoInvestigatorFormSet,
    extra=1,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


class InviteForm(forms.Form):
    access = forms.ChoiceField(choices=Access.choices, initial=Access.VIEW, label="Access")
