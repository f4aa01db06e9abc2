"""The researcher's pages: starting a draft, the proposal page, editing and submitting."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leoportal.domain import page_cache, public_pages
from leoportal.domain.page_cache import KeptContent
from leoportal.domain.public_pages import minute
from projects.domain import invitations, page_rows, queries
from projects.domain import suggestions as proposal_suggestions
from projects.domain.drafts import (
    StaleDraft,
    autosave,
    changes_since,
    proposal_version,
    saved_by_others_since,
    section_progress,
)
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
from projects.domain.submission import CONCEPT_WORD_LIMIT, missing_for_submission
from projects.enums import AttachmentKind, ProposalStatus
from projects.exceptions import CallNotOpen, SubmissionRefused, TransitionError
from projects.forms import (
    AttachmentForm,
    CoInvestigatorFormSet,
    ConceptForm,
    InviteForm,
    ProposalForm,
    StartProposalForm,
    WithdrawForm,
    section_renderings,
)
from projects.models import Call, Proposal
from projects.rules import (
    can_delete_draft,
    can_edit_proposal,
    can_manage_team,
    can_reopen_proposal,
    can_start_proposal,
    can_submit_proposal,
    can_withdraw_proposal,
    is_proposal_editor,
    is_proposal_team,
)

# The message next to a field that must be filled in before submitting (not a validation error).
NEEDED_TO_SUBMIT = "Needed before you can submit."


@login_required
@require_http_methods(["GET", "POST"])
def proposal_start(request):
    if not can_start_proposal(request.user):
        raise Http404("Only researchers start proposals.")
    initial = {}
    if request.method == "GET" and request.GET.get("call"):
        call = Call.objects.startable().filter(public_id=_uuid_or_none(request.GET["call"])).first()
        initial["call"] = call
    form = StartProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = create_draft(request.user, call=form.cleaned_data["call"], title=form.cleaned_data["title"])
        except TransitionError as error:
            form.add_error("call", str(error))
        else:
            start = "Your concept summary is started." if proposal.is_concept else "Your draft is started."
            messages.success(
                request,
                f"{start} Fill in what you know and press “Save draft”; you can come back to it any time from My "
                "proposals.",
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


def proposal_for_form(request, public_id) -> Proposal:
    """The proposal, if ``request.user`` may see it (404 otherwise), with what its form shows."""
    return get_object_or_404(queries.proposal_form_queryset(request.user), public_id=public_id)


def visible_proposal_row(request, public_id) -> Proposal:
    """The proposal, if ``request.user`` may see it (404 otherwise), with its call and principal investigator: what the
    edit page needs before it looks for its kept content (who may edit it, its title); the rest of what the page
    shows is read only when it is not kept."""
    return get_object_or_404(queries.visible_proposals(request.user), public_id=public_id)


def proposal_for_action(request, public_id) -> Proposal:
    """The proposal, if ``request.user`` may see it (404 otherwise), for a POST that changes it."""
    queryset = queries.visible_proposals(request.user).prefetch_related("co_investigators")
    return get_object_or_404(queryset, public_id=public_id)


@login_required
@require_GET
def proposal_detail(request, public_id):
    # Whether the viewer may see it, and what a kept page needs besides its content: its title.
    found = get_object_or_404(Proposal.objects.visible_to(request.user).only("title"), public_id=public_id)
    content = KeptContent(_kept_page_key(request.user, found))
    if not content.missing:
        return render(request, "projects/proposal_detail.html", {"proposal": found, "content": content})
    proposal = Proposal.objects.select_related("call", "owner").get(pk=found.pk)
    return render_proposal_page(request, proposal, content=content)


def _kept_page_key(user, proposal) -> str | None:
    """The proposal page's content is the same for one viewer while the rows it shows, the catalogue its suggestions
    are drawn from, the typical days in each status and the minute stay the same (None: not kept)."""
    rows = page_rows.proposal_page(proposal.pk)
    typical_days = queries.typical_days_in_status()
    return page_cache.kept_key("proposal-page/1", rows, user, public_pages.matching(), typical_days, minute())


def render_proposal_page(request, proposal, withdraw_form=None, status=200, content=None):
    """The proposal page, its content kept in ``content`` when given (a plain visit), rendered otherwise."""
    content = content or KeptContent(None)
    context = {"proposal": proposal, "content": content}
    if content.missing:
        prefetch_related_objects([proposal], *queries.proposal_page_prefetches())
        context |= _proposal_page_context(request.user, proposal, withdraw_form)
    return render(request, "projects/proposal_detail.html", context, status=status)


def _proposal_page_context(user, proposal, withdraw_form) -> dict:
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
        "co_investigators": co_investigators,
        "attachments": list(proposal.attachments.all()),
        "history": history,
        "revision_request": _revision_request(proposal, history),
        "can_edit": can_edit,
        "can_submit": can_submit_proposal(user, proposal),
        "can_withdraw": can_withdraw_proposal(user, proposal),
        "can_reopen": can_reopen_proposal(user, proposal) and not _deadline_passed(proposal),
        "version_count": proposal.versions.count(),
        "can_delete": can_delete_draft(user, proposal),
        "manage_team": manage_team,
        "invite_form": InviteForm(),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "missing": missing,
        "progress": proposal_progress(proposal, history, len(missing), queries.typical_days_in_status()),
        # Worked out only when the rendered suggestions are not kept under their key.
        "suggestions": SimpleLazyObject(lambda: proposal_suggestions.suggestions_for(proposal)),
        "suggestions_seconds": page_cache.RENDERING_SECONDS,
        "introductions": list(proposal.introductions.all()),
    }
    team = is_proposal_team(user, proposal)
    context["can_ask"] = team and proposal.status not in NOT_INTRODUCIBLE
    context["suggestions_key"] = proposal_suggestions.rendering_key(
        proposal, context["can_ask"], public_pages.matching()
    )
    context["introduction_requests"] = (
        list(proposal.introduction_requests.select_related("requested_by")) if team or user.is_staff else []
    )
    return context


def form_class(proposal):
    """The concept summary form while a proposal is at the concept stage, the full form after."""
    return ConceptForm if proposal.is_concept else ProposalForm


def edit_template(proposal) -> str:
    return "projects/concept_form.html" if proposal.is_concept else "projects/proposal_form.html"


def _deadline_passed(proposal) -> bool:
    return proposal.deadline is not None and timezone.now() >= proposal.deadline


def _kept_form_key(user, proposal) -> str | None:
    """The edit page's content is the same for one viewer while the rows it shows (the proposal's, and the calls it
    may choose), the settings it follows and the minute stay the same (None: not kept)."""
    rows = page_rows.proposal_form(proposal.pk)
    unsolicited = settings.ALLOW_UNSOLICITED_PROPOSALS
    return page_cache.kept_key("proposal-form/1", rows, user, unsolicited, settings.FILE_UPLOAD_MAX_MB, minute())


def _edit_title(proposal) -> dict:
    return {"resubmission": proposal.status == ProposalStatus.REVISIONS_REQUESTED}


def edit_context(
    request,
    proposal,
    form=None,
    formset=None,
    narrative_form=None,
    letter_form=None,
    refusal=None,
    content=None,
):
    """The edit page's context, rendered afresh (its content kept in ``content`` when given)."""
    prefetch_related_objects([proposal], *queries.proposal_form_prefetches())
    manage_team = can_manage_team(request.user, proposal) and not proposal.is_concept
    if formset is None and manage_team:
        formset = CoInvestigatorFormSet(instance=proposal, prefix="coi")
    files = list(proposal.attachments.all())
    form = form or form_class(proposal)(instance=proposal)
    co_investigators = list(proposal.co_investigators.all())
    invalid = [(field, error) for field, errors in form.errors.items() for error in errors if error != NEEDED_TO_SUBMIT]
    sections = section_progress(proposal)
    return {
        "proposal": proposal,
        "content": content or KeptContent(None),
        "form": form,
        "sections": sections,
        "sections_complete": sum(1 for section in sections if not section["missing"]),
        "form_sections": None if proposal.is_concept else section_renderings(form, co_investigators, manage_team),
        "form_seconds": page_cache.RENDERING_SECONDS,
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
        **_edit_title(proposal),
        "invitation": _invitation(proposal, list(proposal.status_changes.all())),
        "concept_word_limit": CONCEPT_WORD_LIMIT,
        "revision_request": _revision_request(proposal, list(proposal.status_changes.all())),
        "max_upload_mb": settings.FILE_UPLOAD_MAX_MB,
    }


def _revision_request(proposal, history):
    """What program staff asked for, while a proposal waits for revisions (the note of that move)."""
    if proposal.status != ProposalStatus.REVISIONS_REQUESTED:
        return None
    requests = [change for change in history if change.to_status == ProposalStatus.REVISIONS_REQUESTED]
    return requests[-1] if requests else None


def _invitation(proposal, history):
    """Program staff's invitation to a full proposal (its note), while the invited proposal is being written."""
    if proposal.status != ProposalStatus.INVITED:
        return None
    invitations_ = [change for change in history if change.to_status == ProposalStatus.INVITED]
    return invitations_[-1] if invitations_ else None


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
    if request.method == "GET":
        proposal = visible_proposal_row(request, public_id)
    else:
        proposal = proposal_for_form(request, public_id)
    elsewhere = editable_or_redirect(request, proposal)
    if elsewhere:
        return elsewhere
    template = edit_template(proposal)
    if request.method == "GET":
        content = KeptContent(_kept_form_key(request.user, proposal))
        if content.missing:
            return render(request, template, edit_context(request, proposal, content=content))
        return render(request, template, {"proposal": proposal, "content": content, **_edit_title(proposal)})

    form = form_class(proposal)(request.POST, instance=proposal)
    manage_team = can_manage_team(request.user, proposal) and not proposal.is_concept
    formset = CoInvestigatorFormSet(request.POST, instance=proposal, prefix="coi") if manage_team else None
    if not (form.is_valid() and (formset is None or formset.is_valid())):
        messages.error(request, "Nothing was saved yet: correct the problems marked below, then save again.")
        return render(request, template, edit_context(request, proposal, form, formset))

    if saved_by_others_since(proposal, form.cleaned_data["version"], request.user):
        return _saved_elsewhere(request, proposal, formset, form.cleaned_data["version"])

    with transaction.atomic():
        save_draft(proposal, form.cleaned_data, request.user)
        if formset is not None:
            save_co_investigators(proposal, formset, request.user)

    if request.POST.get("action") != "submit":
        # The same words whether this press or the autosave before it wrote the answers: either way they are saved.
        messages.success(request, "Draft saved.")
        return redirect("projects:proposal_edit", public_id=proposal.public_id)

    try:
        change = submit_proposal(proposal, request.user)
    except SubmissionRefused as refusal:
        # Everything typed is saved. Show the page again with the posted values (they are what was saved, now at
        # the saved version), a fresh co-investigator formset from the saved rows, and what is still missing.
        proposal = proposal_for_form(request, public_id)
        form = _rebound(request, proposal)
        if isinstance(refusal, CallNotOpen):
            form.add_error("call", str(refusal))
        for item in refusal.missing:
            if item.field in form.fields and item.field not in form.errors:
                form.add_error(item.field, NEEDED_TO_SUBMIT)
        messages.error(request, str(refusal))
        return render(request, template, edit_context(request, proposal, form, refusal=refusal))
    except TransitionError as error:
        messages.error(request, str(error))
        return redirect(proposal)
    if proposal.is_concept:
        done = "Your concept summary was submitted: program staff invite promising ones to a full proposal, and"
    elif change.from_status == ProposalStatus.REVISIONS_REQUESTED:
        done = "Your proposal was resubmitted. Program staff have been told;"
    else:
        done = "Your proposal was submitted. Program staff have been told;"
    messages.success(request, f"{done} you will get an e-mail whenever its status changes.")
    return redirect(proposal)


def save_typed_answers(request, proposal):
    """Save the answers posted with an upload, as "Save draft" does (the upload buttons post the whole form, so
    nothing typed is lost, with or without JavaScript). None when saved, or when no answers came with the request;
    otherwise (form, formset, status) to show again with what was typed: invalid answers (400) or a save based on a
    version someone else has saved over since (409, with who changed what)."""
    if "version" not in request.POST:
        return None
    form = form_class(proposal)(request.POST, instance=proposal)
    manage_team = can_manage_team(request.user, proposal) and not proposal.is_concept
    formset = CoInvestigatorFormSet(request.POST, instance=proposal, prefix="coi") if manage_team else None
    if not (form.is_valid() and (formset is None or formset.is_valid())):
        return form, formset, 400
    if saved_by_others_since(proposal, form.cleaned_data["version"], request.user):
        messages.warning(
            request, str(StaleDraft(changes_since(proposal, form.cleaned_data["version"]), proposal_version(proposal)))
        )
        return _rebound(request, proposal), formset, 409
    with transaction.atomic():
        save_draft(proposal, form.cleaned_data, request.user)
        if formset is not None:
            save_co_investigators(proposal, formset, request.user)
    return None


def _rebound(request, proposal) -> ProposalForm:
    """The posted form again, carrying the proposal's current version (validated, so errors can be added)."""
    data = request.POST.copy()
    data["version"] = proposal_version(proposal)
    form = form_class(proposal)(data, instance=proposal)
    form.is_valid()
    return form


def _saved_elsewhere(request, proposal, formset, opened):
    """Someone saved the proposal after this page was opened: save nothing, keep what this person typed, and say
    who changed which answers. Saving again (the form now carries the latest version) replaces their changes."""
    form = _rebound(request, proposal)
    messages.warning(request, str(StaleDraft(changes_since(proposal, opened), proposal_version(proposal))))
    return render(request, edit_template(proposal), edit_context(request, proposal, form, formset), status=409)


@login_required
@require_POST
def proposal_autosave(request, public_id):
    """Save the form as the person types (static/js/proposal-autosave.js): a form in, JSON out.

    Saved: the new version, the time and what each section still needs. Not saved (``saved`` false, with a
    message): someone else saved since the form was opened (``conflict``, the message says who changed what), or
    an answer is invalid (``errors``). Both are answers the page expects, so they come with status 200."""
    proposal = proposal_for_form(request, public_id)
    if is_proposal_editor(request.user, proposal) and not can_edit_proposal(request.user, proposal):
        # Submitted (or moved on) since the form was opened: from this page, when leaving a field for Submit started
        # a save that arrives after it, or from another. An answer the page expects, like a conflict.
        message = (
            f"Not saved: this proposal is “{proposal.get_status_display()}” now and is no longer edited here. "
            "Reload the page to see it."
        )
        return JsonResponse({"saved": False, "closed": True, "message": message})
    if not can_edit_proposal(request.user, proposal):
        return JsonResponse({"message": "This proposal cannot be edited now: reload the page."}, status=403)
    form = form_class(proposal)(request.POST, instance=proposal)
    if not form.is_valid():
        errors = {name: [str(error) for error in errors] for name, errors in form.errors.items()}
        first = next(iter(form.errors.items()))
        label = form.fields[first[0]].label if first[0] in form.fields else "The form"
        return JsonResponse({"saved": False, "message": f"Not saved yet: {label}: {first[1][0]}", "errors": errors})
    try:
        autosave(proposal, form.cleaned_data, request.user, form.cleaned_data["version"])
    except StaleDraft as stale:
        return JsonResponse({"saved": False, "conflict": True, "message": str(stale), "version": stale.version})
    except TransitionError as refused:
        return JsonResponse({"message": str(refused)}, status=403)
    return JsonResponse(
        {
            "saved": True,
            "version": proposal_version(proposal),
            "saved_at": format_date(timezone.localtime(proposal.updated_at), "H:i"),
            "sections": section_progress(proposal),
        }
    )


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
