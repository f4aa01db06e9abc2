"""The decision outbox (program staff only; anyone else gets a 404): the e-mails staff decisions drafted, each to
read, edit and send, or a selection or all sent at once. Thin: parse, call projects.domain.decisions, say what
happened."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from leoportal.rules import is_program_staff
from projects.domain import decisions
from projects.forms.decisions import DecisionEmailForm
from projects.models import DecisionEmail, Review

RECENTLY_SENT = 20


def _staff_only(request) -> None:
    if not is_program_staff(request.user):
        raise Http404("No such page.")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def outbox(request):
    _staff_only(request)
    if request.method == "POST":
        drafts = decisions.outbox()
        if request.POST.get("intent") != "send_all":
            chosen = [value for value in request.POST.getlist("email") if len(value) == 36]
            drafts = DecisionEmail.objects.select_related("proposal").filter(public_id__in=chosen).order_by("pk")
        sending = decisions.send_decisions(list(drafts), request.user)
        level = messages.SUCCESS if sending.sent else messages.WARNING
        messages.add_message(request, level, sending.message())
        return redirect("projects:decision_outbox")
    context = {
        "drafts": list(decisions.outbox()),
        "sent": list(decisions.outbox(sent=True)[:RECENTLY_SENT]),
        "nav_section": "outbox",
    }
    return render(request, "projects/decision_outbox.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def decision_email(request, public_id):
    _staff_only(request)
    email = get_object_or_404(
        DecisionEmail.objects.select_related("proposal__call", "proposal__owner", "status_change", "sent_by"),
        public_id=public_id,
    )
    form = DecisionEmailForm(initial={"subject": email.subject, "body": email.body})
    status = 200
    if request.method == "POST":
        intent = request.POST.get("intent")
        if intent == "release":
            decisions.release_comments(email.proposal, [v for v in request.POST.getlist("review") if v.isdigit()])
            if decisions.redraft(email):
                messages.success(request, "Comments released as ticked; the draft is filled from the template again.")
            else:
                messages.warning(request, "This e-mail was sent already; it stays as it went.")
            return redirect("projects:decision_email", email.public_id)
        form = DecisionEmailForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if not decisions.edit_draft(email, data["subject"], data["body"], request.user):
                messages.warning(request, "This e-mail was sent already; it was neither changed nor sent again.")
                return redirect("projects:decision_email", email.public_id)
            if intent == "send":
                email.refresh_from_db()
                sending = decisions.send_decisions([email], request.user)
                messages.success(request, sending.message())
                return redirect("projects:decision_outbox")
            messages.success(request, "Draft saved.")
            return redirect("projects:decision_email", email.public_id)
        status = 400
    reviews = list(Review.objects.scored().filter(proposal=email.proposal).order_by("created_at", "id"))
    context = {"email": email, "form": form, "reviews": reviews, "nav_section": "outbox"}
    return render(request, "projects/decision_email.html", context, status=status)
