"""API tokens: the account's (personal, or for an organisation one administers) and an organisation's own page of
them, for its administrators. Make one (its secret shown once, on the page that made it), see them, revoke one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from leoportal.domain.api_tokens import TokenError, create_token, revoke_token
from leoportal.enums import TokenScope
from leoportal.models import ApiToken
from partners.models import Organisation


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “lab notebook” or “listing sync”.")
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text="Read: look only. Read and write: also start and change drafts (personal), or change listings and "
        "answer introductions (an organisation's).",
    )
    organisation = forms.ChoiceField(
        label="For", required=False, help_text="Personal, or for an organisation you administer."
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.slug: organisation for organisation in organisations}
        self.fields["organisation"].choices = [("", "Me (personal)")] + [
            (slug, organisation.name) for slug, organisation in self.organisations.items()
        ]

    def clean_organisation(self):
        return self.organisations.get(self.cleaned_data["organisation"] or "")


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    organisations = list(Organisation.objects.administered_by(request.user).order_by("name"))
    form = TokenForm(request.POST or None, organisations=organisations)
    secret = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _token, secret = create_token(
                request.user, name=data["name"], scope=data["scope"], organisation=data["organisation"]
            )
        except TokenError as error:
            form.add_error(None, error.message)
        else:
            form = TokenForm(organisations=organisations)
    tokens = ApiToken.objects.filter(user=request.user).select_related("organisation")
    status = 400 if request.method == "POST" and secret is None else 200
    return render(
        request, "leoportal/api_tokens.html", {"form": form, "tokens": tokens, "secret": secret}, status=status
    )


@login_required
@require_POST
def api_token_revoke(request, public_id):
    token = get_object_or_404(ApiToken, public_id=public_id, user=request.user)
    if revoke_token(token):
        messages.success(request, f"“{token.name}” is revoked: it no longer opens the API.")
    return redirect("api_tokens")


class OrganisationTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “listing sync” or “CRM”.")
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text="Read: the organisation's listings and introductions. Read and write: also change and publish "
        "listings and answer introductions.",
    )


def _administered(request, slug) -> Organisation:
    return get_object_or_404(Organisation.objects.administered_by(request.user), slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_api_tokens(request, slug):
    """An organisation's tokens, made by any of its administrators (the organisation page has the same form)."""
    organisation = _administered(request, slug)
    form = OrganisationTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = create_token(
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                organisation=organisation,
            )
        except TokenError as error:
            form.add_error(None, error.message)
        else:
            form = OrganisationTokenForm()
    status = 400 if request.method == "POST" and secret is None else 200
    context = {
        "organisation": organisation,
        "secret": secret,
        "api_tokens": {"form": form, "tokens": organisation_tokens(organisation)},
    }
    return render(request, "leoportal/organisation_api_tokens.html", context, status=status)


def organisation_tokens(organisation):
    return organisation.api_tokens.select_related("user").order_by("-created_at")


@login_required
@require_POST
def organisation_api_token_revoke(request, slug, public_id):
    organisation = _administered(request, slug)
    token = get_object_or_404(ApiToken, public_id=public_id, organisation=organisation)
    if revoke_token(token):
        messages.success(request, f"“{token.name}” is revoked: it no longer opens the API for {organisation.name}.")
    return redirect(f"{organisation.get_manage_url()}#api-tokens")
