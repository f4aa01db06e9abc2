"""The desk's own pages inside the admin: actions on one proposal, the review form, the staff dashboard.

Each is wrapped by ``admin_site.admin_view`` (staff only, CSRF, never cached) in ProposalAdmin.get_urls and takes
the request and then the ModelAdmin. They stay thin: parse, check, call the domain function, say what happened.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.admin.forms import ConflictForm, ReviewForm, StatusMoveForm
from projects.domain import csv_export, reviews, statistics
from projects.domain.scoring import request_scoring
from projects.domain.transitions import TransitionError, allowed_moves, set_proposal_status
from projects.models import DecisionEmail


def _proposal(model_admin, request, object_id, *, act=True):
    proposal = model_admin.get_object(request, unquote(object_id))
    if proposal is None:
        raise Http404("No such proposal.")
    if act and not model_admin.has_desk_permission(request, proposal):
        raise PermissionDenied
    return proposal


def _change_url(proposal) -> str:
    return reverse("admin:projects_proposal_change", args=[proposal.pk])


@require_POST
def move_status(request, model_admin, object_id):
    proposal = _proposal(model_admin, request, object_id)
    form = StatusMoveForm(request.POST, statuses=allowed_moves(proposal, request.user))
    if not form.is_valid():
        messages.error(
            request, f"Choose one of the statuses offered; the proposal is “{proposal.get_status_display()}”."
        )
        return redirect(_change_url(proposal))
    previous = proposal.get_status_display()
    try:
        change = set_proposal_status(proposal, form.cleaned_data["new_status"], request.user, form.cleaned_data["note"])
    except TransitionError as error:
        messages.error(request, f"Nothing changed: {error}")
    else:
        told = "its e-mail to the team waits in the decision outbox" if _drafted(change) else "the team was notified"
        messages.success(
            request, f"Moved “{proposal.display_title}” from “{previous}” to “{proposal.get_status_display()}”; {told}."
        )
    return redirect(_change_url(proposal))


def _drafted(change) -> bool:
    return DecisionEmail.objects.filter(status_change=change).exists()


@require_POST
def rescore(request, model_admin, object_id):
    proposal = _proposal(model_admin, request, object_id)
    if not proposal.is_open:
        messages.error(
            request,
            f"Only proposals under consideration are matched; this one is “{proposal.get_status_display()}”.",
        )
    else:
        request_scoring(proposal)
        messages.success(request, f"Rescoring of “{proposal.display_title}” is queued; reload in a minute.")
    return redirect(_change_url(proposal))


@require_POST
def export_one(request, model_admin, object_id):
    proposal = _proposal(model_admin, request, object_id)
    return csv_response([proposal.pk])


def csv_response(proposal_ids: list[int]) -> HttpResponse:
    response = HttpResponse(content_type=csv_export.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{csv_export.filename()}"'
    response.write("\ufeff")  # the byte order mark spreadsheets need to read UTF-8
    csv_export.write_csv(proposal_ids, response)
    return response


@require_http_methods(["GET", "POST"])
def review(request, model_admin, object_id):
    proposal = _proposal(model_admin, request, object_id)
    mine = reviews.own_review(proposal, request.user)
    current = mine if mine and not mine.conflict_of_interest else None
    review_form = ReviewForm(instance=current)
    conflict_form = ConflictForm()
    if request.method == "POST":
        try:
            if request.POST.get("intent") == "conflict":
                conflict_form = ConflictForm(request.POST)
                if conflict_form.is_valid():
                    reviews.declare_conflict(proposal, request.user, conflict_form.cleaned_data["note"])
                    messages.success(request, f"Your conflict of interest with “{proposal.display_title}” is recorded.")
                    return redirect(_change_url(proposal))
            else:
                review_form = ReviewForm(request.POST, instance=current)
                if review_form.is_valid():
                    data = {name: review_form.cleaned_data[name] for name in review_form.Meta.fields}
                    reviews.submit_review(proposal, request.user, **data)
                    messages.success(request, f"Your review of “{proposal.display_title}” is saved.")
                    return redirect(_change_url(proposal))
        except reviews.ReviewRefused as refused:
            messages.error(request, str(refused))
            return redirect(_change_url(proposal))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Review: {proposal.display_title}",
        "proposal": proposal,
        "refusal": reviews.review_refusal(proposal, request.user),
        "my_review": mine,
        "review_form": review_form,
        "conflict_form": conflict_form,
        "change_url": _change_url(proposal),
    }
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "admin/projects/proposal/review.html", context, status=status)


@require_GET
def dashboard(request, model_admin):
    if not model_admin.has_desk_permission(request):
        raise PermissionDenied
    figures = statistics.desk_figures()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Staff dashboard",
        "figures": figures,
        "charts": figures.charts(),
    }
    return TemplateResponse(request, "admin/projects/proposal/dashboard.html", context)
