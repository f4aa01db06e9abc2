"""An organisation's webhooks: members see them and their deliveries; administrators register, test, rotate,
enable and delete. Thin: look up (404 for anyone else), call webhooks.domain.endpoints, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners.views.access import member_organisation
from webhooks.domain import endpoints as domain
from webhooks.domain.addresses import AddressError
from webhooks.enums import Event
from webhooks.exceptions import WebhookError
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint
from webhooks.rules import can_manage_webhooks

# Deliveries an endpoint's page lists, newest first.
RECENT_DELIVERIES = 50


def _organisation(request, slug, manage=False):
    organisation = member_organisation(request, slug)
    if manage and not can_manage_webhooks(request.user, organisation):
        raise Http404("No such organisation.")
    return organisation


def _endpoint(request, slug, public_id, manage=False) -> Endpoint:
    organisation = _organisation(request, slug, manage)
    return get_object_or_404(
        Endpoint.objects.select_related("organisation"), organisation=organisation, public_id=public_id
    )


@login_required
@require_http_methods(["GET", "POST"])
def endpoints(request, slug):
    organisation = _organisation(request, slug, manage=request.method == "POST")
    is_admin = can_manage_webhooks(request.user, organisation)
    form = EndpointForm(request.POST or None)
    secret, created = None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, secret = domain.register(
                organisation, request.user, url=data["url"], events=data["events"], description=data["description"]
            )
        except AddressError as error:
            form.add_error("url", error.message)
        except WebhookError as error:
            form.add_error(None, error.message)
        else:
            form = EndpointForm()
    status = 400 if request.method == "POST" and secret is None else 200
    context = {
        "organisation": organisation,
        "is_admin": is_admin,
        "form": form,
        "endpoints": organisation.webhooks.order_by("created_at"),
        "secret": secret,
        "created": created,
        "events": Event.choices,
    }
    return render(request, "webhooks/endpoints.html", context, status=status)


def _endpoint_page(request, endpoint, secret=None):
    recent = (
        Delivery.objects.filter(endpoint=endpoint)
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
    )
    context = {
        "organisation": endpoint.organisation,
        "endpoint": endpoint,
        "is_admin": can_manage_webhooks(request.user, endpoint.organisation),
        "deliveries": recent,
        "secret": secret,
    }
    return render(request, "webhooks/endpoint.html", context)


@login_required
@require_GET
def endpoint(request, slug, public_id):
    return _endpoint_page(request, _endpoint(request, slug, public_id))


@login_required
@require_POST
def rotate(request, slug, public_id):
    endpoint = _endpoint(request, slug, public_id, manage=True)
    secret = domain.rotate_secret(endpoint, request.user)
    return _endpoint_page(request, endpoint, secret=secret)


@login_required
@require_POST
def enable(request, slug, public_id):
    endpoint = _endpoint(request, slug, public_id, manage=True)
    try:
        waiting = domain.enable(endpoint, request.user)
    except WebhookError as error:
        messages.info(request, error.message)
    else:
        messages.success(
            request,
            f"Enabled: events go to {endpoint.url} again"
            + (f", starting with the {waiting} that waited." if waiting else "."),
        )
    return redirect(endpoint.get_absolute_url())


@login_required
@require_POST
def send_test(request, slug, public_id):
    endpoint = _endpoint(request, slug, public_id, manage=True)
    try:
        domain.send_test_event(endpoint, request.user)
    except WebhookError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "A test event is on its way: reload this page to see what the endpoint answered.")
    return redirect(endpoint.get_absolute_url())


@login_required
@require_POST
def delete(request, slug, public_id):
    endpoint = _endpoint(request, slug, public_id, manage=True)
    domain.delete(endpoint, request.user)
    messages.success(request, f"The webhook to {endpoint.url} is deleted: nothing more is sent to it.")
    return redirect("webhooks:endpoints", slug=slug)
