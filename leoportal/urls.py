from allauth.account import views as account_views
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from leoportal.api.v1 import api
from leoportal.api.v1 import docs as api_docs
from leoportal.domain.page_cache import for_visitors
from leoportal.views import health, jobs, notifications, site, tokens

urlpatterns = [
    path("", site.home, name="home"),
    path("dashboard/", site.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", notifications.notification_open, name="notification_open"),
    path("notifications/read-all/", notifications.notification_mark_all_read, name="notifications_read_all"),
    path("notifications/settings/", notifications.notification_settings, name="notification_settings"),
    path("jobs/<uuid:public_id>/", jobs.job_detail, name="job_detail"),
    path("jobs/<uuid:public_id>/status/", jobs.job_status, name="job_status"),
    path("jobs/<uuid:public_id>/download/", jobs.job_download, name="job_download"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's); answer with the site's icon.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("img/favicon.svg"), permanent=True)),
    path("api/v1/docs/", api_docs, name="api_docs"),
    path("account/api-tokens/", tokens.api_tokens, name="api_tokens"),
    path("account/api-tokens/<uuid:public_id>/revoke/", tokens.api_token_revoke, name="api_token_revoke"),
    path(
        "provider/organisations/<slug:slug>/api-tokens/",
        tokens.organisation_api_tokens,
        name="organisation_api_tokens",
    ),
    path(
        "provider/organisations/<slug:slug>/api-tokens/<uuid:public_id>/revoke/",
        tokens.organisation_api_token_revoke,
        name="organisation_api_token_revoke",
    ),
    path("api/v1/", api.urls),
    # The sign-in page is the same for every visitor but its form's token: kept whole, a token filled in per visitor.
    path(
        "accounts/login/",
        for_visitors(lambda: "sign-in", form_tokens=True)(account_views.login),
        name="account_login",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("projects.urls")),
    path("", include("partners.urls")),
    path("", include("webhooks.urls")),
]

handler403 = "leoportal.views.site.error_403"
handler404 = "leoportal.views.site.error_404"
handler500 = "leoportal.views.site.error_500"
