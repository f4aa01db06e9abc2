"""A proposal's submitted versions and the differences between any two; reopening a submission to improve it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from projects.domain import panels
from projects.domain.submission import format_deadline
from projects.domain.transitions import set_proposal_status
from projects.domain.versions import compare
from projects.enums import ProposalStatus
from projects.exceptions import TransitionError
from projects.models import Proposal
from projects.rules import can_reopen_proposal
from projects.views.proposals import proposal_for_action, visible_proposal


def _number(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _readable(request, public_id) -> tuple[Proposal, str]:
    """The proposal for its team and staff, or for a reviewer while it is assigned to them (404 once unassigned or
    after a declared conflict), with the page the versions page leads back to."""
    assigned = panels.proposals_for_review(request.user).filter(public_id=public_id).select_related("call").first()
    if assigned is not None and not Proposal.objects.visible_to(request.user).filter(pk=assigned.pk).exists():
        return assigned, reverse("projects:review_proposal", args=[assigned.public_id])
    proposal = visible_proposal(request, public_id)
    return proposal, proposal.get_absolute_url()


@login_required
@require_GET
def proposal_versions(request, public_id):
    proposal, back_url = _readable(request, public_id)
    versions = list(proposal.versions.select_related("submitted_by"))
    by_number = {version.number: version for version in versions}
    comparison = None
    if len(versions) >= 2:
        newer = by_number.get(_number(request.GET.get("b"), versions[-1].number), versions[-1])
        older = by_number.get(_number(request.GET.get("a"), newer.number - 1), versions[-2])
        if older.number > newer.number:
            older, newer = newer, older
        comparison = compare(older, newer) if older.number != newer.number else None
    return render(
        request,
        "projects/proposal_versions.html",
        {"proposal": proposal, "versions": versions, "comparison": comparison, "back_url": back_url},
    )


@never_cache
@login_required
@require_GET
def version_file(request, public_id, number, index):
    proposal, _back_url = _readable(request, public_id)
    version = proposal.versions.filter(number=number).first()
    if version is None or not 0 <= index < len(version.files):
        raise Http404("No such file in this version.")
    item = version.files[index]
    return FileResponse(
        default_storage.open(item["stored"], "rb"),
        as_attachment=True,
        filename=item["name"],
        content_type="application/pdf",
    )


@login_required
@require_POST
def proposal_reopen(request, public_id):
    proposal = proposal_for_action(request, public_id)
    if not can_reopen_proposal(request.user, proposal):
        raise Http404("Not a submission you may reopen.")
    try:
        set_proposal_status(proposal, ProposalStatus.DRAFT, request.user, note="Reopened to improve it.")
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect(proposal)
    messages.success(
        request,
        f"Reopened: improve it and resubmit by {format_deadline(proposal.deadline)}. Until you resubmit, program staff "
        "see the version you submitted."
        if proposal.deadline
        else "Reopened: improve it and resubmit it. Until you do, program staff see the version you submitted.",
    )
    return redirect("projects:proposal_edit", public_id=proposal.public_id)
