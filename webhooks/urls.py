from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("provider/organisations/<slug:slug>/webhooks/", views.endpoints, name="endpoints"),
    path("provider/organisations/<slug:slug>/webhooks/<uuid:public_id>/", views.endpoint, name="endpoint"),
    path("provider/organisations/<slug:slug>/webhooks/<uuid:public_id>/test/", views.send_test, name="test"),
    path("provider/organisations/<slug:slug>/webhooks/<uuid:public_id>/rotate/", views.rotate, name="rotate"),
    path("provider/organisations/<slug:slug>/webhooks/<uuid:public_id>/enable/", views.enable, name="enable"),
    path("provider/organisations/<slug:slug>/webhooks/<uuid:public_id>/delete/", views.delete, name="delete"),
]
