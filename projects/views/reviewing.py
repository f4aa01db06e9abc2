"""The reviewer's pages on the site: the invitation to a panel, the list of assigned proposals, each proposal with
the review form beside it, its PDFs. A proposal not assigned to the reviewer (or no longer) is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from projects.domain import panels, reviews
from projects.domain.versions import latest_changes
from projects.forms.reviews import ConflictForm, DraftReviewForm, ExpertiseForm, ReviewForm
from projects.models import Attachment, Proposal, Review, ReviewAssignment
from projects.views.attachments import file_response


def _proposal_for_review(request, public_id) -> Proposal:
    queryset = panels.proposals_for_review(request.user).select_related("owner", "call")
    return get_object_or_404(queryset, public_id=public_id)


@login_required
@require_GET
def review_list(request):
    assignments = list(
        ReviewAssignment.objects.filter(reviewer=request.user)
        .select_related("proposal__call", "round")
        .prefetch_related(Prefetch("proposal__reviews", queryset=Review.objects.filter(reviewer=request.user)))
        .order_by("proposal__call__code", "assigned_at", "pk")
    )
    now = timezone.now()
    for assignment in assignments:
        mine = next(iter(assignment.proposal.reviews.all()), None)
        assignment.done = bool(mine and mine.submitted_at)
        assignment.draft = bool(mine and mine.is_draft)
        assignment.due = assignment.due_at
        assignment.opens = assignment.round.opens_at if assignment.round and now < assignment.round.opens_at else None
        assignment.overdue = bool(assignment.due and assignment.due < now and not assignment.done)
    to_do = sum(not assignment.done for assignment in assignments)
    context = {"assignments": assignments, "to_do": to_do, "nav_section": "reviews"}
    return render(request, "projects/review_list.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def review_proposal(request, public_id):
    proposal = _proposal_for_review(request, public_id)
    mine = reviews.own_review(proposal, request.user)
    review_form = ReviewForm(instance=mine if mine and not mine.conflict_of_interest else None)
    if request.method == "POST":
        intent = request.POST.get("intent", "submit")
        form_class = DraftReviewForm if intent == "draft" else ReviewForm
        review_form = form_class(request.POST, instance=review_form.instance)
        if review_form.is_valid():
            data = {name: review_form.cleaned_data[name] for name in review_form.Meta.fields}
            try:
                if intent == "draft":
                    reviews.save_draft(proposal, request.user, **data)
                else:
                    reviews.submit_review(proposal, request.user, **data)
            except reviews.RoundNotOpen as too_early:
                # Not yet: what they typed is kept as their draft (the form below keeps it too).
                mine = reviews.save_draft(proposal, request.user, **data)
                messages.error(request, str(too_early))
            except reviews.ReviewRefused as refused:
                messages.error(request, str(refused))
            else:
                if intent == "draft":
                    messages.success(request, "Draft saved: submit it once every score is in.")
                    return redirect("projects:review_proposal", proposal.public_id)
                messages.success(request, f"Your review of “{proposal.display_title}” is submitted.")
                following = _next_to_review(request.user, proposal) if intent == "submit_next" else None
                if following is not None:
                    return redirect("projects:review_proposal", following.public_id)
                return redirect("projects:review_list")
        else:
            messages.error(request, "The review was not submitted: see the messages beside the scores.")
    files = list(proposal.attachments.all())
    for attachment in files:
        attachment.review_url = reverse("projects:review_attachment", args=[proposal.public_id, attachment.public_id])
    context = {
        "proposal": proposal,
        "co_investigators": list(proposal.co_investigators.all()),
        "attachments": files,
        "review_form": review_form,
        "conflict_form": ConflictForm(),
        "refusal": reviews.review_refusal(proposal, request.user),
        "round_not_open": reviews.round_not_open(proposal, request.user),
        "my_review": mine,
        "latest": latest_changes(proposal),
        "nav_section": "reviews",
    }
    status = 400 if review_form.is_bound else 200
    return render(request, "projects/review_proposal.html", context, status=status)


def _next_to_review(user, current: Proposal) -> Proposal | None:
    """The next assigned proposal (in the list's order) whose review is not submitted yet."""
    waiting = (
        ReviewAssignment.objects.filter(reviewer=user)
        .exclude(proposal=current)
        .exclude(proposal__reviews__reviewer=user, proposal__reviews__submitted_at__isnull=False)
        .select_related("proposal")
        .order_by("proposal__call__code", "assigned_at", "pk")
    )
    assignment = waiting.first()
    return assignment.proposal if assignment else None


@login_required
@require_POST
def review_conflict(request, public_id):
    proposal = _proposal_for_review(request, public_id)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep the reason under 2,000 characters.")
        return redirect("projects:review_proposal", public_id)
    reviews.declare_conflict(proposal, request.user, form.cleaned_data["note"])
    messages.success(
        request,
        f"Your conflict of interest with “{proposal.display_title}” is recorded; it is no longer assigned to you.",
    )
    return redirect("projects:review_list")


@never_cache
@login_required
@require_GET
def review_attachment(request, public_id, attachment_id):
    proposal = _proposal_for_review(request, public_id)
    attachment = get_object_or_404(Attachment.objects.filter(proposal=proposal), public_id=attachment_id)
    # ?view=1 opens it in the browser's PDF viewer (a new tab beside the review form) rather than downloading it.
    return file_response(attachment, inline=request.GET.get("view") == "1")


@never_cache
@require_http_methods(["GET", "POST"])
def reviewer_invitation(request, token):
    found = panels.find_reviewer_invitation(token)
    if found is None:
        raise Http404("No such invitation.")
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    problem = panels.reviewer_invitation_problem(found, request.user)
    form = None
    if request.user.is_authenticated and problem is None:
        profile = getattr(request.user, "reviewer_profile", None)
        initial = {"organisation": request.user.organisation}
        if profile is not None:
            initial.update(research_areas=profile.research_areas, keywords=profile.keywords, bio=profile.bio)
        form = ExpertiseForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                panels.accept_reviewer_invitation(found, request.user, panels.Expertise(**form.cleaned_data))
            except panels.PanelError as error:
                problem = str(error)
            else:
                messages.success(
                    request,
                    f"You joined the {found.call.code} review panel. Proposals assigned to you will appear here.",
                )
                return redirect("projects:review_list")
    status = 200 if problem is None else (403 if found.is_pending else 410)
    if form is not None and form.is_bound and not form.is_valid():
        status = 400
    context = {"invitation": found, "call": found.call, "problem": problem, "form": form}
    return render(request, "projects/reviewer_invitation.html", context, status=status)
