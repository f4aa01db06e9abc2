"""My proposals: the proposals a researcher works on, drafts first."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from leoportal.domain import page_cache
from leoportal.domain.page_cache import KeptContent
from leoportal.domain.public_pages import minute
from projects.domain import page_rows, queries
from projects.domain.calendars import has_feed
from projects.rules import can_start_proposal


@login_required
@require_GET
def dashboard(request):
    content = KeptContent(_kept_dashboard_key(request.user))
    context: dict = {"content": content}
    if content.missing:
        proposals = queries.dashboard_proposals(request.user)
        context |= {
            "proposals": proposals,
            # The rows' markup is kept under this key (projects.domain.queries.dashboard_rendering_key).
            "rows_key": queries.dashboard_rendering_key(proposals),
            "rows_seconds": page_cache.RENDERING_SECONDS,
            "can_start": can_start_proposal(request.user),
            # Counted only when the page shows it (with no proposals yet): the template calls it.
            "open_call_count": queries.open_call_count,
            "has_calendar": has_feed(request.user),
        }
    return render(request, "projects/dashboard.html", context)


def _kept_dashboard_key(user) -> str | None:
    """My proposals is the same while the rows it shows and the minute stay the same (None: not kept)."""
    return page_cache.kept_key("my-proposals/1", page_rows.my_proposals(user.pk), user, minute())
