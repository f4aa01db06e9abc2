"""The account's API tokens: make one (its secret shown once, on the page that made it), see them, revoke one."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from leoportal.api_tokens import TokenError, create_token, revoke_token
from leoportal.enums import TokenScope
from leoportal.models import ApiToken
from partners.models import Organisation


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “lab notebook” or “listing sync”.")
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        help_text="Today the API only reads: a token that may also write gains nothing more until it can.",
    )
    organisation = forms.ChoiceField(
        label="For", required=False, help_text="Personal, or for one of your organisations."
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
    organisations = list(Organisation.objects.for_member(request.user).order_by("name"))
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
