"""Deadlines for calendars: the public feed of calls, one call's deadlines, and each person's own feed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from projects.domain import calendars
from projects.models import CalendarFeed, Call

ICS = "text/calendar; charset=utf-8"


@require_GET
def calls_feed(request):
    return HttpResponse(calendars.calls_calendar(), content_type=ICS)


@require_GET
def call_feed(request, public_id):
    call = get_object_or_404(Call, public_id=public_id)
    response = HttpResponse(calendars.call_calendar(call), content_type=ICS)
    response["Content-Disposition"] = f'attachment; filename="{call.code.replace(" ", "-")}-deadlines.ics"'
    return response


@require_GET
def personal_feed(request, token):
    """The address is the secret: calendar apps fetch it without signing in."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404("No such calendar.")
    return HttpResponse(calendars.personal_calendar(feed.user), content_type=ICS)


@never_cache
@login_required
@require_GET
def personal_feed_page(request):
    """The account's calendar page: the secret address if one was made (showing it writes nothing)."""
    return render(request, "projects/calendar.html", {"calendar": calendars.feed_of(request.user)})


@login_required
@require_POST
def personal_feed_reset(request):
    first = calendars.feed_of(request.user) is None
    calendars.reset_feed(request.user)
    if first:
        messages.success(request, "Your calendar address is below: subscribe to it in your calendar app.")
    else:
        messages.success(
            request, "Your calendar has a new address: the old one no longer works. Subscribe to the new one."
        )
    return redirect("projects:calendar")
