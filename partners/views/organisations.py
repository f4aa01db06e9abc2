"""The provider's dashboard, their organisations, members and invitations."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leoportal.domain.page_cache import KeptContent, kept_key
from leoportal.domain.public_pages import minute
from partners.domain import organisations as domain
from partners.domain import uploads
from partners.enums import MembershipRole, PublicationState
from partners.forms import InvitationForm, MemberRoleForm, OrganisationForm
from partners.models import Capability, Invitation, Membership, Organisation
from partners.rules import can_create_organisation, is_organisation_admin
from partners.views.access import admin_organisation, member_organisation
from projects.domain import page_rows
from projects.domain.queries import provider_introduction_summary

# Introductions the dashboard lists (awaiting an answer first); the rest are on the introductions page.
DASHBOARD_INTRODUCTIONS = 10


def _require_provider(request):
    if not can_create_organisation(request.user):
        raise Http404("Provider pages are for provider accounts.")


def _addresses(user) -> list[str]:
    verified = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return sorted({user.email.lower(), *(address.lower() for address in verified)})


def _pending_invitations_for(user):
    invitations = Invitation.objects.pending().select_related("organisation", "invited_by")
    addresses = _addresses(user)
    query = Q()
    for address in addresses:
        query |= Q(email__iexact=address)
    return [
        (invitation, reverse("partners:invitation_for_you", args=[invitation.public_id]))
        for invitation in invitations.filter(query).exclude(organisation__memberships__user=user)
    ]


# What the table of listings shows (templates/partners/_listing_table.html): a listing's descriptions, facts and
# sources are most of its row, and the table shows none of them.
LISTING_TABLE_COLUMNS = (
    "public_id",
    "external_id",
    "name",
    "status",
    "publication",
    "last_confirmed",
    "organisation__name",
    "organisation__verified",
)


@login_required
@require_GET
def dashboard(request):
    if request.user.is_staff:
        return redirect("admin:index")
    _require_provider(request)
    content = KeptContent(_kept_home_key(request.user))
    context = {"content": content}
    if content.missing:
        context |= _home_context(request.user)
    return render(request, "partners/dashboard.html", context)


def _kept_home_key(user) -> str | None:
    """A provider's home is the same while the rows it shows (their memberships, organisations, listings,
    invitations and introductions) and the minute stay the same (None: not kept)."""
    return kept_key("provider-home/1", page_rows.provider_home(user.pk), user, minute())


def _home_context(user) -> dict:
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .annotate(
            published_count=Count(
                "organisation__capabilities",
                filter=Q(organisation__capabilities__publication=PublicationState.PUBLISHED),
            ),
            draft_count=Count(
                "organisation__capabilities",
                filter=Q(organisation__capabilities__publication=PublicationState.DRAFT),
            ),
        )
        .order_by("organisation__name")
    )
    listings = (
        Capability.objects.manageable_by(user)
        .select_related("organisation")
        .only(*LISTING_TABLE_COLUMNS)
        .order_by("organisation__name", "name")
    )
    introductions, introduction_counts = provider_introduction_summary(user, DASHBOARD_INTRODUCTIONS)
    return {
        "memberships": memberships,
        "listings": listings,
        "invitations": _pending_invitations_for(user),
        "introductions": introductions,
        "introduction_counts": introduction_counts,
    }


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    _require_provider(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = domain.create_organisation(by=request.user, **form.cleaned_data)
        messages.success(
            request,
            f"{organisation.name} is registered and waiting for verification by program staff, who have been "
            "notified. You can add listings now; they appear in the public catalogue once the organisation is "
            "verified and you publish them.",
        )
        return redirect(organisation.get_manage_url())
    return render(request, "partners/organisation_form.html", {"form": form, "organisation": None})


@login_required
@require_GET
def organisation(request, slug):
    organisation = member_organisation(request, slug)
    is_admin = is_organisation_admin(request.user, organisation)
    listings = organisation.capabilities.select_related("organisation").only(*LISTING_TABLE_COLUMNS).order_by("name")
    members = organisation.memberships.select_related("user").order_by("user__email")
    invitations = organisation.invitations.pending().select_related("invited_by") if is_admin else []
    recent_imports = uploads.recent_imports(organisation, request.user) if is_admin else []
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "organisation": organisation,
            "is_admin": is_admin,
            "listings": listings,
            "members": members,
            "invitations": invitations,
            "import_jobs": recent_imports,
            "roles": MembershipRole.choices,
            "invitation_days": settings.PROVIDER_INVITATION_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    organisation = admin_organisation(request, slug)
    # A name or website waiting for program staff is what the form shows (and keeps asking for if sent unchanged).
    form = OrganisationForm(request.POST or None, instance=organisation, initial=organisation.requested_changes)
    if request.method == "POST" and form.is_valid():
        # The form validated on a copy; the domain function saves only what changed.
        fresh = Organisation.objects.get(pk=organisation.pk)
        changed, waiting = domain.update_organisation(fresh, by=request.user, **form.cleaned_data)
        if waiting:
            messages.info(
                request,
                f"The new {' and '.join(waiting)} of {fresh.name} go to program staff, who check changes of a verified "
                f"organisation's name and website; until they approve, everyone sees “{fresh.name}” as it is.",
            )
        messages.success(request, "Organisation profile saved." if changed else "Nothing else to save.")
        return redirect(fresh.get_manage_url())
    return render(request, "partners/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def invite(request, slug):
    organisation = admin_organisation(request, slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = domain.invite_member(
                organisation, by=request.user, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            )
        except domain.MembershipError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. The link works once and expires on "
                f"{invitation.expires_at:%d %B %Y}.",
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"The invitation was not sent: {error}")
    return redirect(reverse("partners:organisation", kwargs={"slug": slug}) + "#members")


@login_required
@require_POST
def invitation_revoke(request, slug, public_id):
    organisation = admin_organisation(request, slug)
    invitation = get_object_or_404(organisation.invitations, public_id=public_id)
    if domain.revoke_invitation(invitation):
        messages.success(request, f"The invitation to {invitation.email} was withdrawn; its link no longer works.")
    else:
        messages.info(request, f"The invitation to {invitation.email} was already used or withdrawn.")
    return redirect(reverse("partners:organisation", kwargs={"slug": slug}) + "#members")


@login_required
@require_POST
def member_role(request, slug, public_id):
    organisation = admin_organisation(request, slug)
    membership = get_object_or_404(organisation.memberships.select_related("user"), public_id=public_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose administrator or member.")
    else:
        try:
            changed = domain.change_member_role(membership, form.cleaned_data["role"])
        except domain.MembershipError as error:
            messages.error(request, error.message)
        else:
            if changed:
                messages.success(
                    request, f"{membership.user.display_name} is now {membership.get_role_display().lower()}."
                )
    return redirect(reverse("partners:organisation", kwargs={"slug": slug}) + "#members")


@login_required
@require_POST
def member_remove(request, slug, public_id):
    organisation = admin_organisation(request, slug)
    membership = get_object_or_404(organisation.memberships.select_related("user"), public_id=public_id)
    try:
        domain.remove_member(membership)
    except domain.MembershipError as error:
        messages.error(request, error.message)
        return redirect(reverse("partners:organisation", kwargs={"slug": slug}) + "#members")
    if membership.user_id == request.user.pk:
        messages.success(request, f"You left {organisation.name}.")
        return redirect("partners:dashboard")
    messages.success(request, f"{membership.user.display_name} was removed from {organisation.name}.")
    return redirect(reverse("partners:organisation", kwargs={"slug": slug}) + "#members")


@login_required
@require_POST
def leave(request, slug):
    organisation = member_organisation(request, slug)
    try:
        domain.leave_organisation(organisation, request.user)
    except domain.MembershipError as error:
        messages.error(request, error.message)
        return redirect(organisation.get_manage_url())
    messages.success(request, f"You left {organisation.name}.")
    return redirect("partners:dashboard")


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """An invitation opened from its e-mailed link."""
    invitation = domain.invitation_from_token(token)
    if invitation is None:
        raise Http404("No such invitation.")
    return _answer(request, invitation)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_for_you(request, public_id):
    """An invitation to one of the signed-in person's own addresses, opened from their dashboard (its link's token
    exists only in the e-mail)."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("organisation", "invited_by"),
        public_id=public_id,
        email__in=_addresses(request.user),
    )
    return _answer(request, invitation)


def _answer(request, invitation):
    user = request.user if request.user.is_authenticated else None
    problem = domain.invitation_problem(invitation, user)
    if request.method == "POST" and user is not None and problem is None:
        try:
            domain.accept_invitation(invitation, user)
        except domain.MembershipError as error:
            problem = error.message
        else:
            messages.success(request, f"Welcome to {invitation.organisation.name}.")
            return redirect(invitation.organisation.get_manage_url())
    status = 200 if problem is None or request.method == "GET" else 409
    return render(
        request,
        "partners/invitation.html",
        {"invitation": invitation, "problem": problem, "next": request.get_full_path()},
        status=status,
    )
