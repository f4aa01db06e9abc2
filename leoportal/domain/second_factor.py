"""A second factor for program staff (django-allauth's MFA: an authenticator app, a passkey, recovery codes).

Staff read every proposal, so a password alone does not open anything for them. Until a staff member's session
has passed a second factor, every page but their account pages (sign-out, password, two-factor set-up) sends
them on:

* to the two-factor page, with a message, when they have no authenticator app or passkey yet;
* to allauth's "enter a code" page when they have one but this session has not used it (a session that signed in
  before the factor was added, on another device say).

allauth asks every account that has a factor for it at sign-in and records it in the session; the factor just
added counts for the session that added it (the code or passkey it was added with proves it). Researchers and
providers may add a factor from their account page; it is then asked for at each sign-in, and never required.
"""

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib import messages
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
SET_UP_FIRST = (
    "Program staff need a second factor before the review desk opens: add an authenticator app (or a passkey) "
    "below. You will be asked for it each time you sign in."
)


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def passed_second_factor(request) -> bool:
    """Whether this session's sign-in used a second factor (allauth records each step in the session)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def needs_second_factor(request) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff) and not passed_second_factor(request)


class StaffSecondFactorMiddleware:
    """Keeps staff whose session has not passed a second factor on their account pages (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_paths = ("/accounts/", settings.STATIC_URL, "/healthz", "/favicon.ico")

    def __call__(self, request):
        if needs_second_factor(request) and not request.path.startswith(self.open_paths):
            if has_second_factor(request.user):
                return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
            messages.warning(request, SET_UP_FIRST)
            return redirect("mfa_index")
        return self.get_response(request)


@receiver(authenticator_added)
def count_the_new_factor_for_this_session(sender, request, user, authenticator, **kwargs):
    """Adding an authenticator app or a passkey takes a code from it (or the passkey itself): that session has
    shown the second factor."""
    if request is not None and authenticator.type in SECOND_FACTORS:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, added=True)
