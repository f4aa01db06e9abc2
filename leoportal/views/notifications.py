from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leoportal.domain import notifications
from leoportal.enums import Delivery, NotificationKind
from leoportal.models import Notification, NotificationPreference


@login_required
@require_GET
def notification_list(request):
    queryset = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-id")
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    return render(request, "leoportal/notifications.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications.mark_read(request.user, [notification.pk])
    safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
    return redirect(notification.url if notification.url and safe else "notifications")


@login_required
@require_POST
def notification_mark_all_read(request):
    count = notifications.mark_read(request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications")


class PreferencesForm(forms.Form):
    def __init__(self, *args, kinds, current, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.ChoiceField(
                label=NotificationKind(kind).label,
                choices=Delivery.choices,
                initial=current.get(kind, Delivery.IMMEDIATE),
                widget=forms.RadioSelect,
            )


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    kinds = notifications.kinds_for(request.user)
    current = dict(NotificationPreference.objects.filter(user=request.user).values_list("kind", "delivery"))
    form = PreferencesForm(request.POST or None, kinds=kinds, current=current)
    if request.method == "POST" and form.is_valid():
        notifications.set_preferences(request.user, form.cleaned_data)
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification_settings")
    return render(request, "leoportal/notification_settings.html", {"form": form})
