"""The provider's listing pages: create, edit, publish, unpublish, confirm and delete (members of its organisation)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners.domain import listings as domain
from partners.forms import AvailabilityFormSet, CapabilityForm
from partners.models import Capability
from partners.views.access import manageable_capability, member_organisation


def _save(form, formset, capability: Capability | None):
    """Run the domain function for a valid form: (listing, changed fields), or (None, None) with the errors put on
    the form (a check only the domain function makes, e.g. a constraint another request broke meanwhile)."""
    values = form.listing_values()
    windows = form.windows(formset)
    try:
        if capability is None:
            return domain.create_capability(form.organisation, values=values, windows=windows), None
        fresh = Capability.objects.select_related("organisation").get(pk=capability.pk)
        return fresh, domain.update_capability(fresh, values=values, windows=windows)
    except ValidationError as error:
        for field, messages_ in error.message_dict.items():
            if field == domain.AVAILABILITY:
                formset._non_form_errors = formset.error_class(messages_, error_class="nonform")
            else:
                form.add_error(field if field in form.fields else None, messages_)
        return None, None


def _form_page(request, form, formset, organisation, capability=None):
    return render(
        request,
        "partners/capability_form.html",
        {
            "form": form,
            "formset": formset,
            "organisation": organisation,
            "capability": capability,
            "availability_unstated": any(fact.field == domain.AVAILABILITY for fact in form.unstated),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_create(request, slug):
    organisation = member_organisation(request, slug)
    draft = Capability(organisation=organisation)
    form = CapabilityForm(request.POST or None, instance=draft, organisation=organisation)
    formset = AvailabilityFormSet(request.POST or None, instance=draft, prefix="windows")
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok and _no_windows_conflict(form, formset):
            capability, _changed = _save(form, formset, None)
            if capability is not None:
                messages.success(
                    request, f"{capability.name} is saved as a draft. Publish it when it is ready for researchers."
                )
                return redirect(capability.get_manage_url())
    return _form_page(request, form, formset, organisation)


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request, public_id):
    capability = manageable_capability(request, public_id)
    form = CapabilityForm(request.POST or None, instance=capability, organisation=capability.organisation)
    formset = AvailabilityFormSet(request.POST or None, instance=capability, prefix="windows")
    if request.method == "POST":
        form_ok, formset_ok = form.is_valid(), formset.is_valid()
        if form_ok and formset_ok and _no_windows_conflict(form, formset):
            saved, changed = _save(form, formset, capability)
            if saved is not None:
                messages.success(request, "Listing saved." if changed else "Nothing to save: no changes.")
                return redirect(saved.get_manage_url())
    return _form_page(request, form, formset, capability.organisation, capability)


def _no_windows_conflict(form, formset) -> bool:
    if form.cleaned_data.get("no_open_windows") and formset.windows():
        form.add_error(
            "no_open_windows",
            "You listed availability windows; remove them, or untick 'No open windows at present'.",
        )
        return False
    return True


@login_required
@require_GET
def listing(request, public_id):
    capability = manageable_capability(request, public_id)
    return render(
        request,
        "partners/listing_detail.html",
        {
            "capability": capability,
            "organisation": capability.organisation,
            "unstated": domain.unstated_facts(capability),
        },
    )


@login_required
@require_POST
def listing_publish(request, public_id):
    capability = manageable_capability(request, public_id)
    if domain.publish_capability(capability):
        if capability.organisation.verified:
            messages.success(request, f"{capability.name} is published in the catalogue.")
        else:
            messages.success(
                request,
                f"{capability.name} is published. It appears in the catalogue once staff verify "
                f"{capability.organisation.name}.",
            )
    return redirect(capability.get_manage_url())


@login_required
@require_POST
def listing_unpublish(request, public_id):
    capability = manageable_capability(request, public_id)
    if domain.unpublish_capability(capability):
        messages.success(request, f"{capability.name} is back to draft and no longer in the catalogue.")
    return redirect(capability.get_manage_url())


@login_required
@require_POST
def listing_confirm(request, public_id):
    capability = manageable_capability(request, public_id)
    domain.confirm_capability(capability)
    messages.success(request, f"Thank you: {capability.name} is confirmed as current today.")
    return redirect(capability.get_manage_url())


@login_required
@require_http_methods(["GET", "POST"])
def listing_delete(request, public_id):
    capability = manageable_capability(request, public_id)
    if request.method == "POST":
        organisation = capability.organisation
        domain.delete_capability(capability)
        messages.success(request, f"{capability.name} was deleted.")
        return redirect(organisation.get_manage_url())
    return render(
        request,
        "partners/capability_confirm_delete.html",
        {"capability": capability, "organisation": capability.organisation},
    )
