"""Bulk actions of the proposal desk: move status (with an intermediate page), rescore, export CSV."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from projects.admin.desk_views import csv_response
from projects.admin.forms import BulkStatusForm
from projects.domain.scoring import request_rescoring
from projects.domain.transitions import BulkTransitionRefused, set_status_of_many
from projects.enums import ProposalStatus, Stage
from projects.jobs import start_proposal_export
from projects.models import DecisionEmail

SHOWN_ON_PAGE = 50  # selected proposals listed by name on the status page
NAMED_IN_MESSAGE = 10  # refused moves named one by one in the message


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def refusal_message(refused: BulkTransitionRefused, selected: int) -> str:
    """Which proposals cannot move, from which status, and that nothing changed."""
    named = [
        f"“{proposal.display_title}” ({_status_at_stage(proposal)})"
        for proposal, _reason in refused.refusals[:NAMED_IN_MESSAGE]
    ]
    more = len(refused.refusals) - len(named)
    names = "; ".join(named) + (f"; and {more:,} more" if more else "")
    sources = sorted({_status_at_stage(proposal) for proposal, _reason in refused.refusals})
    return (
        f"Nothing was changed: {len(refused.refusals):,} of the {_plural(selected, 'selected proposal')} cannot "
        f"move to “{refused.new_status.label}” (staff cannot move a proposal there from "
        f"{', '.join(f'“{s}”' for s in sources)}): {names}. Leave them out of the selection, or choose another "
        "status."
    )


def _status_at_stage(proposal) -> str:
    """ "Submitted", or "Concept summary: submitted" (encouraging and declining are for concepts alone)."""
    status = ProposalStatus(proposal.status).label
    return f"{Stage.CONCEPT.label}: {status.lower()}" if proposal.stage == Stage.CONCEPT else status


@admin.action(description="Move the selected proposals to another status…", permissions=["desk"])
def move_status(model_admin, request, queryset):
    selected = queryset.count()
    if selected > settings.DESK_BULK_STATUS_MAX:
        model_admin.message_user(
            request,
            f"Select at most {settings.DESK_BULK_STATUS_MAX:,} proposals for one status move "
            f"({selected:,} are selected): narrow the selection with the filters.",
            messages.ERROR,
        )
        return None
    form = BulkStatusForm(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        new_status = ProposalStatus(form.cleaned_data["new_status"])
        try:
            ids = queryset.values_list("pk", flat=True)
            changes = set_status_of_many(ids, new_status, request.user, form.cleaned_data["note"])
        except BulkTransitionRefused as refused:
            form.add_error(None, refusal_message(refused, selected))
        else:
            drafted = DecisionEmail.objects.filter(status_change__in=changes).count()
            told = (
                f"their e-mails wait in the decision outbox ({reverse('projects:decision_outbox')})"
                if drafted
                else "their teams were notified"
            )
            model_admin.message_user(
                request, f"Moved {_plural(len(changes), 'proposal')} to “{new_status.label}”; {told}.", messages.SUCCESS
            )
            return None
    shown = list(queryset.select_related("owner", "call")[:SHOWN_ON_PAGE])
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Move proposals to another status",
        "form": form,
        "proposals": shown,
        "selected_count": selected,
        "hidden_count": selected - len(shown),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action": "move_status",
    }
    return TemplateResponse(request, "admin/projects/proposal/bulk_status.html", context)


@admin.action(description="Rescore the selected proposals", permissions=["desk"])
def rescore(model_admin, request, queryset):
    ids = list(queryset.values_list("pk", flat=True))
    queued = request_rescoring(ids)
    skipped = len(ids) - len(queued)
    message = f"Rescoring of {_plural(len(queued), 'proposal')} is queued; the figures update within minutes."
    if skipped:
        message += f" {_plural(skipped, 'proposal')} not under consideration (drafts and decided ones) were skipped."
    model_admin.message_user(request, message, messages.SUCCESS if queued else messages.WARNING)


@admin.action(description="Export the selected proposals as CSV", permissions=["desk"])
def export_csv(model_admin, request, queryset):
    ids = list(queryset.values_list("pk", flat=True))
    if len(ids) <= settings.DESK_EXPORT_INLINE_MAX:
        return csv_response(ids)
    job = start_proposal_export(request.user, ids, return_url=request.get_full_path())
    return redirect(job.get_absolute_url())
