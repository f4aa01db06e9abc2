"""A call's review panel at the desk: invite reviewers, see their expertise and load, assign proposals one by one or
in bulk, unassign. Wrapped by ``admin_site.admin_view`` in CallAdmin.get_urls; thin: parse, call projects.panels."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from leoportal.models import User
from leoportal.rules import is_program_staff
from projects.domain import panel_suggestions, panels, rounds
from projects.forms.reviews import InviteReviewerForm
from projects.models import OPEN_STATUSES, Proposal, ReviewAssignment, ReviewerInvitation, SuggestedAssignment


def _call(model_admin, request, object_id):
    call = model_admin.get_object(request, unquote(object_id))
    if call is None:
        raise Http404("No such call.")
    if not is_program_staff(request.user):
        raise PermissionDenied
    return call


def panel_url(call) -> str:
    return reverse("admin:projects_call_panel", args=[call.pk])


def call_proposals(call):
    """The call's proposals under review, with their assignments and reviewers."""
    return (
        Proposal.objects.filter(call=call, status__in=OPEN_STATUSES)
        .select_related("owner")
        .prefetch_related(
            Prefetch("assignments", queryset=ReviewAssignment.objects.select_related("reviewer").order_by("pk"))
        )
        .order_by("submitted_at", "pk")
    )


@require_http_methods(["GET", "POST"])
def panel(request, model_admin, object_id):
    call = _call(model_admin, request, object_id)
    invite_form = InviteReviewerForm()
    if request.method == "POST":
        intent = request.POST.get("intent")
        if intent == "invite":
            invite_form = InviteReviewerForm(request.POST)
            if invite_form.is_valid():
                try:
                    invitation = panels.invite_reviewer(call, invite_form.cleaned_data["email"], request.user)
                except panels.PanelError as error:
                    invite_form.add_error("email", str(error))
                else:
                    messages.success(
                        request,
                        f"Invitation sent to {invitation.email}. The link works once and expires on "
                        f"{invitation.expires_at:%-d %B %Y}.",
                    )
                    return redirect(panel_url(call))
        elif intent == "assign":
            return _assign(request, call)
        elif intent == "suggest":
            return redirect(panel_suggestions.start_suggestions(call, request.user, panel_url(call)))
        elif intent in ("accept", "accept_all"):
            return _accept(request, call, every=intent == "accept_all")
        elif intent == "unassign":
            assignment = ReviewAssignment.objects.filter(
                pk=request.POST.get("assignment") or 0, proposal__call=call
            ).first()
            if assignment is not None:
                panels.unassign(assignment, request.user)
                messages.success(request, f"{assignment.reviewer} no longer reviews “{assignment.proposal}”.")
            return redirect(panel_url(call))
    members = panels.panel_of(call)
    overdue = {}
    for assignment in panels.overdue_assignments().filter(proposal__call=call):
        overdue[assignment.reviewer_id] = overdue.get(assignment.reviewer_id, 0) + 1
    for member in members:
        member.overdue = overdue.get(member.reviewer_id, 0)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Review panel: {call.code}",
        "call": call,
        "rounds": rounds.rounds_of(call),
        "members": members,
        "pending": [
            invitation
            for invitation in ReviewerInvitation.objects.filter(call=call, accepted_at__isnull=True, revoked_at=None)
            if invitation.is_pending
        ],
        "proposals": list(call_proposals(call)),
        "invite_form": invite_form,
        "suggestions": list(
            SuggestedAssignment.objects.filter(call=call)
            .select_related("proposal", "reviewer")
            .order_by("proposal__submitted_at", "proposal_id", "-affinity", "reviewer_id")
        ),
    }
    suggested = {}
    for suggestion in context["suggestions"]:
        suggested[suggestion.proposal_id] = suggested.get(suggestion.proposal_id, 0) + 1
    for proposal in context["proposals"]:
        proposal.still_needed = max(
            0, call.reviewers_per_proposal - len(proposal.assignments.all()) - suggested.get(proposal.pk, 0)
        )
    status = 400 if invite_form.is_bound else 200
    return TemplateResponse(request, "admin/projects/call/panel.html", context, status=status)


def _assign(request, call):
    reviewer = User.objects.filter(pk=request.POST.get("reviewer") or 0, panels__call=call).first()
    proposals = list(call_proposals(call).filter(pk__in=request.POST.getlist("proposal")))
    if reviewer is None or not proposals:
        messages.error(request, "Choose one or more proposals and a reviewer from the panel, then assign.")
        return redirect(panel_url(call))
    try:
        panels.assign([(proposal, reviewer) for proposal in proposals], request.user)
    except panels.PanelError as error:
        messages.error(request, f"Nothing was assigned: {error}")
    else:
        count = len(proposals)
        messages.success(request, f"Assigned {count} proposal{'s' if count != 1 else ''} to {reviewer}.")
    return redirect(panel_url(call))


def _accept(request, call, *, every: bool):
    chosen = None if every else [int(pk) for pk in request.POST.getlist("suggestion") if pk.isdigit()]
    if chosen == []:
        messages.error(request, "Tick the suggestions to accept, or accept them all.")
        return redirect(panel_url(call))
    try:
        count = panel_suggestions.accept_suggestions(call, chosen, request.user)
    except panels.PanelError as error:
        messages.error(
            request, f"Nothing was assigned: {error} Suggest again to get suggestions for the panel as it is."
        )
    else:
        messages.success(request, f"Accepted {count} suggestion{'s' if count != 1 else ''}.")
    return redirect(panel_url(call))
