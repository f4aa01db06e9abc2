"""Public pages: the list of open and upcoming calls, and each call."""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from leoportal.domain import public_pages
from leoportal.domain.page_cache import for_visitors
from projects.domain import queries
from projects.models import Call
from projects.rules import can_start_proposal


@require_GET
@for_visitors(public_pages.calls_now)
def call_list(request):
    open_calls, upcoming = queries.calls_for_listing()
    return render(
        request,
        "projects/call_list.html",
        {
            "open_calls": open_calls,
            "upcoming_calls": upcoming,
            "allow_unsolicited": settings.ALLOW_UNSOLICITED_PROPOSALS,
            "can_start": can_start_proposal(request.user),
        },
    )


@require_GET
@for_visitors(lambda public_id: public_pages.calls_now())
def call_detail(request, public_id):
    call = get_object_or_404(Call, public_id=public_id)
    return render(
        request,
        "projects/call_detail.html",
        {
            "call": call,
            "state": call.state(),
            "takes_new_drafts": call.takes_new_drafts(),
            "can_start": can_start_proposal(request.user),
        },
    )
