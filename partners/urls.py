from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    # Public
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/compare/", views.compare, name="compare"),
    path("catalogue/listings/<uuid:public_id>/", views.capability, name="capability"),
    path("catalogue/providers/<slug:slug>/", views.provider, name="provider"),
    # The provider's own pages
    path("provider/", views.dashboard, name="dashboard"),
    path("provider/organisations/new/", views.organisation_create, name="organisation_create"),
    path("provider/organisations/<slug:slug>/", views.organisation, name="organisation"),
    path("provider/organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("provider/organisations/<slug:slug>/leave/", views.leave, name="leave"),
    path("provider/organisations/<slug:slug>/invitations/", views.invite, name="invite"),
    path(
        "provider/organisations/<slug:slug>/invitations/<uuid:public_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("provider/organisations/<slug:slug>/members/<uuid:public_id>/role/", views.member_role, name="member_role"),
    path(
        "provider/organisations/<slug:slug>/members/<uuid:public_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("provider/organisations/<slug:slug>/listings/new/", views.listing_create, name="listing_create"),
    path("provider/organisations/<slug:slug>/import/", views.import_upload, name="import_upload"),
    path("provider/organisations/<slug:slug>/import/<uuid:public_id>/", views.import_preview, name="import_preview"),
    path(
        "provider/organisations/<slug:slug>/import/<uuid:public_id>/confirm/",
        views.import_confirm,
        name="import_confirm",
    ),
    path(
        "provider/organisations/<slug:slug>/import/jobs/<uuid:public_id>/",
        views.import_job,
        name="import_job",
    ),
    path("provider/organisations/<slug:slug>/export/", views.export, name="export"),
    path("provider/listings/<uuid:public_id>/", views.listing, name="listing"),
    path("provider/listings/<uuid:public_id>/edit/", views.listing_edit, name="listing_edit"),
    path("provider/listings/<uuid:public_id>/publish/", views.listing_publish, name="listing_publish"),
    path("provider/listings/<uuid:public_id>/unpublish/", views.listing_unpublish, name="listing_unpublish"),
    path("provider/listings/<uuid:public_id>/confirm/", views.listing_confirm, name="listing_confirm"),
    path("provider/listings/<uuid:public_id>/delete/", views.listing_delete, name="listing_delete"),
    path("provider/invitations/for-you/<uuid:public_id>/", views.invitation_for_you, name="invitation_for_you"),
    path("provider/invitations/<str:token>/", views.invitation, name="invitation"),
]
