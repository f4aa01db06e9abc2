"""The page benchmark's yardstick: a Django site of one view answering "ok" through the default middleware.

``bench_pages`` serves it with the same gunicorn settings as the portal, so each page is measured as a share of
the cheapest request Django can serve on this machine at that moment. It is a settings module and a URL conf in
one (``DJANGO_SETTINGS_MODULE=devtools.trivial_site``), served as ``django.core.wsgi:get_wsgi_application()``;
it imports nothing from the portal and uses no database.
"""

import os

from django.http import HttpResponse
from django.urls import path

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "trivial-site-for-measuring-only")
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = __name__
USE_TZ = True
DATABASES = {}
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
# Django's own default (the middleware of `django-admin startproject`).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("", ok)]
