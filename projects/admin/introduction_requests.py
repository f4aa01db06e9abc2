"""Researchers' requests for introductions on the desk: waiting ones first; one page turns a request into an
introduction or declines it with a note (``decide_view``), through projects/introduction_requests.py."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from projects.domain import introduction_requests
from projects.domain.introductions import IntroductionError
from projects.enums import RequestState
from projects.forms.introductions import RequestDecisionForm
from projects.models import IntroductionRequest


@admin.register(IntroductionRequest)
class IntroductionRequestAdmin(admin.ModelAdmin):
    list_display = ["proposal_title", "facility_name", "organisation", "requested_by", "created_at", "state"]
    list_filter = ["state", "created_at"]
    search_fields = ["proposal__title", "organisation__name", "facility_name", "message", "=public_id"]
    list_select_related = ["proposal", "organisation", "requested_by"]
    fields = [
        "proposal_link",
        "organisation",
        "facility_name",
        "requested_by",
        "created_at",
        "message",
        "state",
        "decide_link",
        "decided_by",
        "decided_at",
        "staff_note",
        "introduction",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        waiting_first = Case(
            When(state=RequestState.WAITING, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return (
            super()
            .get_queryset(request)
            .annotate(waiting_first=waiting_first)
            .order_by("waiting_first", "-created_at", "-id")
        )

    def has_add_permission(self, request):
        return False  # researchers ask from a listing or a match

    def has_delete_permission(self, request, obj=None):
        return False  # the record of who asked what stays

    @admin.display(description="proposal", ordering="proposal__title")
    def proposal_title(self, ask):
        return ask.proposal.display_title

    @admin.display(description="proposal")
    def proposal_link(self, ask):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:projects_proposal_change", args=[ask.proposal_id]), ask.proposal
        )

    @admin.display(description="act")
    def decide_link(self, ask):
        if ask.state != RequestState.WAITING:
            return "Handled."
        url = reverse("admin:projects_introductionrequest_decide", args=[ask.pk])
        return format_html('<a class="button" href="{}" data-decide>Introduce or decline</a>', url)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="projects_introductionrequest_decide",
            ),
            *super().get_urls(),
        ]

    @method_decorator(require_http_methods(["GET", "POST"]))
    def decide_view(self, request, object_id):
        """Turn the request into an introduction in one step, or decline it with a note for the researcher."""
        ask = self.get_object(request, unquote(object_id))
        if ask is None or not self.has_change_permission(request, ask):
            raise Http404("No such request.")
        form = RequestDecisionForm(request.POST or None, initial={"decision": "introduce"})
        status = 200
        if request.method == "POST":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    if data["decision"] == "introduce":
                        introduction_requests.grant_request(ask, request.user, data["note"], data["contact_email"])
                        done = f"Introduced to {ask.organisation.name}; the research team is told."
                    else:
                        introduction_requests.decline_request(ask, request.user, data["note"])
                        done = "Declined; the research team has your note. The provider never heard of it."
                except IntroductionError as error:
                    form.add_error(None, error.message)
                else:
                    self.message_user(request, done)
                    return redirect(reverse("admin:projects_introductionrequest_change", args=[ask.pk]))
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Introduce or decline",
            "ask": ask,
            "form": form,
            "change_url": reverse("admin:projects_introductionrequest_change", args=[ask.pk]),
        }
        return TemplateResponse(request, "admin/projects/introductionrequest/decide.html", context, status=status)
