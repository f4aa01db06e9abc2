from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls.ics", views.calls_feed, name="calls_calendar"),
    path("calls/<uuid:public_id>/", views.call_detail, name="call_detail"),
    path("calls/<uuid:public_id>/calendar.ics", views.call_feed, name="call_calendar"),
    path("calendar/<str:token>.ics", views.personal_feed, name="personal_calendar"),
    path("calendar/reset/", views.personal_feed_reset, name="personal_calendar_reset"),
    path("account/calendar/", views.personal_feed_page, name="calendar"),
    path("proposals/", views.dashboard, name="dashboard"),
    path("proposals/new/", views.proposal_start, name="proposal_start"),
    path("proposals/<uuid:public_id>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<uuid:public_id>/edit/", views.proposal_edit, name="proposal_edit"),
    path("proposals/<uuid:public_id>/autosave/", views.proposal_autosave, name="proposal_autosave"),
    path("proposals/<uuid:public_id>/reopen/", views.proposal_reopen, name="proposal_reopen"),
    path("proposals/<uuid:public_id>/versions/", views.proposal_versions, name="proposal_versions"),
    path(
        "proposals/<uuid:public_id>/versions/<int:number>/files/<int:index>/",
        views.version_file,
        name="version_file",
    ),
    path("proposals/<uuid:public_id>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<uuid:public_id>/delete/", views.proposal_delete, name="proposal_delete"),
    path(
        "proposals/<uuid:public_id>/attachments/<str:kind>/upload/",
        views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "proposals/<uuid:public_id>/files/<uuid:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "proposals/<uuid:public_id>/files/<uuid:attachment_id>/delete/",
        views.attachment_delete,
        name="attachment_delete",
    ),
    path(
        "proposals/<uuid:public_id>/team/<uuid:member_id>/invite/",
        views.co_investigator_invite,
        name="co_investigator_invite",
    ),
    path(
        "proposals/<uuid:public_id>/team/<uuid:member_id>/access/",
        views.co_investigator_change_access,
        name="co_investigator_change_access",
    ),
    path(
        "proposals/<uuid:public_id>/team/<uuid:member_id>/remove-access/",
        views.co_investigator_remove_access,
        name="co_investigator_remove_access",
    ),
    path("proposals/<uuid:public_id>/introduce/", views.introduce, name="introduce"),
    path("catalogue/listings/<uuid:public_id>/ask/", views.ask, name="ask"),
    path("introductions/", views.introduction_list, name="introduction_list"),
    path("introductions/<uuid:public_id>/", views.introduction_detail, name="introduction"),
    path("introductions/<uuid:public_id>/answer/", views.introduction_answer, name="introduction_answer"),
    path(
        "introductions/<uuid:public_id>/files/<uuid:attachment_id>/",
        views.introduction_attachment,
        name="introduction_attachment",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<uuid:public_id>/", views.review_proposal, name="review_proposal"),
    path("reviews/<uuid:public_id>/conflict/", views.review_conflict, name="review_conflict"),
    path("reviews/<uuid:public_id>/files/<uuid:attachment_id>/", views.review_attachment, name="review_attachment"),
    path("decisions/outbox/", views.outbox, name="decision_outbox"),
    path("decisions/<uuid:public_id>/", views.decision_email, name="decision_email"),
    path("panels/invitations/<str:token>/", views.reviewer_invitation, name="reviewer_invitation"),
]
