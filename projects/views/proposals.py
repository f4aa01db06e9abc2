"""The researcher's pages: dashboard, starting a draft, the proposal page, editing and submitting."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.domain import invitations, queries
from projects.domain.introductions import NOT_INTRODUCIBLE
from projects.domain.proposals import (
    create_draft,
    delete_draft,
    save_co_investigators,
    save_draft,
    submit_proposal,
    withdraw_proposal,
)
from projects.domain.stages import proposal_progress
from projects.domain.submission import missing_for_submission
from projects.domain.suggestions import suggestions_for
from projects.enums import AttachmentKind, ProposalStatus
from projects.exceptions import CallNotOpen, SubmissionRefused, TransitionError
from projects.forms import (
    RENDERING_SECONDS,
    AttachmentForm,
    CoInvestigatorFormSet,
    InviteForm,
    ProposalForm,
    StartProposalForm,
    WithdrawForm,
    proposal_version,
    rendering_key,
)
from projects.models import Call, Proposal
from projects.rules import (
    can_delete_draft,
    can_edit_proposal,
    can_manage_team,
    can_start_proposal,
    can_submit_proposal,
    can_withdraw_proposal,
    is_proposal_team,
)

# The message next to a field that must be filled in before submitting (not a validation error).
NEEDED_TO_SUBMIT = "Needed before you can submit."


@login_required
@require_GET
def dashboard(request):
    proposals = queries.dashboard_proposals(request.user)
    return render(
        request,
        "projects/dashboard.html",
        {
            "proposals": proposals,
            "can_start": can_start_proposal(request.user),
            "open_call_count": queries.open_call_count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_start(request):
    if not can_start_proposal(request.user):
        raise Http404("Only researchers start proposals.")
    initial = {}
    if request.method == "GET" and request.GET.get("call"):
        call = Call.objects.not_closed().filter(public_id=_uuid_or_none(request.GET["call"])).first()
        initial["call"] = call
    form = StartProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = create_draft(request.user, call=form.cleaned_data["call"], title=form.cleaned_data["title"])
        except TransitionError as error:
            form.add_error("call", str(error))
        else:
            messages.success(
                request,
                "Your draft is started. Fill in what you know and press “Save draft”; you can come back to it any "
                "time from My proposals.",
            )
            return redirect("projects:proposal_edit", public_id=proposal.public_id)
    return render(request, "projects/proposal_start.html", {"form": form})


def _uuid_or_none(value):
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError):
        return None


# --- A proposal -----------------------------------------------------------------------------------------------


def visible_proposal(request, public_id) -> Proposal:
    """The proposal, if ``request.user`` may see it (404 otherwise), with what its pages show."""
    return get_object_or_404(queries.proposal_page_queryset(request.user), public_id=public_id)


def proposal_for_action(request, public_id) -> Proposal:
    """The proposal, if ``request.user`` may see it (404 otherwise), for a POST that changes it."""
    queryset = Proposal.objects.visible_to(request.user).select_related("call", "owner")
    return get_object_or_404(queryset.prefetch_related("co_investigators"), public_id=public_id)


@login_required
@require_GET
def proposal_detail(request, public_id):
    return render_proposal_page(request, visible_proposal(request, public_id))


def render_proposal_page(request, proposal, withdraw_form=None, status=200):
    user = request.user
    manage_team = can_manage_team(user, proposal)
    co_investigators = list(proposal.co_investigators.all())
    if manage_team:
        now = timezone.now()
        for coi in co_investigators:
            coi.state = invitations.invitation_state(coi, now)
    can_edit = can_edit_proposal(user, proposal)
    history = list(proposal.status_changes.all())
    missing = missing_for_submission(proposal) if can_edit else []
    context = {
        "proposal": proposal,
        "co_investigators": co_investigators,
        "attachments": list(proposal.attachments.all()),
        "history": history,
        "revision_request": _revision_request(proposal, history),
        "can_edit": can_edit,
        "can_submit": can_submit_proposal(user, proposal),
        "can_withdraw": can_withdraw_proposal(user, proposal),
        "can_delete": can_delete_draft(user, proposal),
        "manage_team": manage_team,
        "invite_form": InviteForm(),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "missing": missing,
        "progress": proposal_progress(proposal, history, len(missing), queries.typical_days_in_status()),
        "suggestions": suggestions_for(proposal),
        "introductions": list(proposal.introductions.all()),
    }
    team = is_proposal_team(user, proposal)
    context["can_ask"] = team and proposal.status not in NOT_INTRODUCIBLE
    context["introduction_requests"] = (
        list(proposal.introduction_requests.select_related("requested_by")) if team or user.is_staff else []
    )
    return render(request, "projects/proposal_detail.html", context, status=status)


def edit_context(request, proposal, form=None, formset=None, narrative_form=None, letter_form=None, refusal=None):
    manage_team = can_manage_team(request.user, proposal)
    if formset is None and manage_team:
        formset = CoInvestigatorFormSet(instance=proposal, prefix="coi")
    files = list(proposal.attachments.all())
    form = form or ProposalForm(instance=proposal)
    co_investigators = list(proposal.co_investigators.all())
    invalid = [(field, error) for field, errors in form.errors.items() for error in errors if error != NEEDED_TO_SUBMIT]
    return {
        "proposal": proposal,
        "form": form,
        "form_key": rendering_key(form, co_investigators, manage_team),
        "form_seconds": RENDERING_SECONDS,
        "show_form_errors": bool(invalid) or bool(formset is not None and formset.total_error_count()),
        "formset": formset,
        "manage_team": manage_team,
        "co_investigators": co_investigators,
        "narrative": next((a for a in files if a.kind == AttachmentKind.NARRATIVE), None),
        "letters": [a for a in files if a.kind == AttachmentKind.LETTER],
        "narrative_form": narrative_form or AttachmentForm(prefix="narrative", label="Full narrative (PDF)"),
        "letter_form": letter_form or AttachmentForm(prefix="letter", label="Letter of support (PDF)"),
        "can_submit": can_submit_proposal(request.user, proposal),
        "refusal": refusal,
        "resubmission": proposal.status == ProposalStatus.REVISIONS_REQUESTED,
        "revision_request": _revision_request(proposal, list(proposal.status_changes.all())),
        "max_upload_mb": settings.FILE_UPLOAD_MAX_MB,
    }


def _revision_request(proposal, history):
    """What program staff asked for, while a proposal waits for revisions (the note of that move)."""
    if proposal.status != ProposalStatus.REVISIONS_REQUESTED:
        return None
    requests = [change for change in history if change.to_status == ProposalStatus.REVISIONS_REQUESTED]
    return requests[-1] if requests else None


def editable_or_redirect(request, proposal):
    """None when ``request.user`` may edit ``proposal``; otherwise where to send them instead."""
    if can_edit_proposal(request.user, proposal):
        return None
    if proposal.is_editable:
        messages.info(request, "You have view access to this proposal; ask the principal investigator for edit rights.")
    else:
        messages.info(
            request,
            f"This proposal is {proposal.get_status_display().lower()}: it can be edited only as a draft or when "
            "revisions are requested.",
        )
    return redirect(proposal)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, public_id):
    proposal = visible_proposal(request, public_id)
    elsewhere = editable_or_redirect(request, proposal)
    if elsewhere:
        return elsewhere
    if request.method == "GET":
        return render(request, "projects/proposal_form.html", edit_context(request, proposal))

    form = ProposalForm(request.POST, instance=proposal)
    manage_team = can_manage_team(request.user, proposal)
    formset = CoInvestigatorFormSet(request.POST, instance=proposal, prefix="coi") if manage_team else None
    if not (form.is_valid() and (formset is None or formset.is_valid())):
        messages.error(request, "Nothing was saved yet: correct the problems marked below, then save again.")
        return render(request, "projects/proposal_form.html", edit_context(request, proposal, form, formset))

    if form.saved_elsewhere(proposal):
        return _saved_elsewhere(request, proposal, formset)

    with transaction.atomic():
        changed = save_draft(proposal, form.cleaned_data, request.user)
        team_changed = save_co_investigators(proposal, formset, request.user) if formset is not None else False

    if request.POST.get("action") != "submit":
        messages.success(request, "Draft saved." if changed or team_changed else "No changes to save.")
        return redirect("projects:proposal_edit", public_id=proposal.public_id)

    try:
        submit_proposal(proposal, request.user)
    except SubmissionRefused as refusal:
        # Everything typed is saved. Show the page again with the posted values (they are what was saved, now at
        # the saved version), a fresh co-investigator formset from the saved rows, and what is still missing.
        proposal = visible_proposal(request, public_id)
        form = _rebound(request, proposal)
        if isinstance(refusal, CallNotOpen):
            form.add_error("call", str(refusal))
        for item in refusal.missing:
            if item.field in form.fields and item.field not in form.errors:
                form.add_error(item.field, NEEDED_TO_SUBMIT)
        messages.error(request, str(refusal))
        return render(request, "projects/proposal_form.html", edit_context(request, proposal, form, refusal=refusal))
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect(proposal)
    resubmitted = proposal.submission_count > 1
    messages.success(
        request,
        ("Your proposal was resubmitted." if resubmitted else "Your proposal was submitted.")
        + " Program staff have been told; you will get an e-mail whenever its status changes.",
    )
    return redirect(proposal)


def _rebound(request, proposal) -> ProposalForm:
    """The posted form again, carrying the proposal's current version (validated, so errors can be added)."""
    data = request.POST.copy()
    data["version"] = proposal_version(proposal)
    form = ProposalForm(data, instance=proposal)
    form.is_valid()
    return form


def _saved_elsewhere(request, proposal, formset):
    """Someone saved the proposal after this page was opened: save nothing, keep what this person typed, and say
    who changed it. Saving again (the form now carries the latest version) replaces their changes."""
    latest = proposal.history.select_related("history_user").first()
    who = latest.history_user.display_name if latest and latest.history_user else "Someone"
    form = _rebound(request, proposal)
    messages.warning(
        request,
        f"{who} saved this proposal at {proposal.updated_at:%H:%M} UTC, after you opened this page. Nothing was "
        "saved yet: your version is below. Open the proposal in another tab to compare, then save again to keep "
        "yours.",
    )
    return render(request, "projects/proposal_form.html", edit_context(request, proposal, form, formset), status=409)


@login_required
@require_POST
def proposal_withdraw(request, public_id):
    proposal = proposal_for_action(request, public_id)
    if not can_withdraw_proposal(request.user, proposal):
        raise Http404("Not yours to withdraw.")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was withdrawn yet: shorten the reason, then withdraw again.")
        page = visible_proposal(request, public_id)
        return render_proposal_page(request, page, withdraw_form=form, status=400)
    try:
        withdraw_proposal(proposal, request.user, note=form.cleaned_data["note"])
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Your proposal was withdrawn. Program staff and your team have been told.")
    return redirect(proposal)


@login_required
@require_POST
def proposal_delete(request, public_id):
    proposal = proposal_for_action(request, public_id)
    if not can_delete_draft(request.user, proposal):
        raise Http404("Not a draft you may delete.")
    title = proposal.display_title
    delete_draft(proposal, request.user)
    messages.success(request, f"The draft “{title}” was deleted.")
    return redirect("projects:dashboard")
