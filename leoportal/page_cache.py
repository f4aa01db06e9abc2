"""Whole public pages kept for visitors who are not signed in.

A public page (the home page, the calls, the catalogue, a listing) shows the same to everyone who is not signed in
and has nothing waiting for them. For such a visitor the rendered page is kept in the cache under its address and a
fingerprint of what it shows, which the view gives (listings' and calls' last changes, say): a change shows at the
next visit, and a visit costs one small query and a cache read instead of the page's queries and templates.

Rendered afresh, never kept or served from here: a visitor with a session or a message waiting (their pages say who
they are and what just happened), a page that used a CSRF token or set a cookie (a form's token belongs to one
visitor), and anything but a 200. Every answer says ``Vary: Cookie``, so a shared cache in front of the site never
gives a kept page to a signed-in user.
"""

import hashlib
from collections.abc import Callable, Hashable
from functools import cache as once
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.utils.cache import patch_vary_headers

# A safety net: a fingerprint cannot see a change made around the models (a queryset update, the database's shell).
PAGE_CACHE_SECONDS = 300
# How long a fingerprint read from the database is remembered: a change saved through the models forgets it at once;
# one made around them shows after this long.
FINGERPRINT_SECONDS = 10
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage


def for_visitors(fingerprint: Callable[..., Hashable]):
    """Keep the view's page for visitors who are not signed in, under ``fingerprint(*args, **kwargs)`` (the view's
    URL arguments): it must change whenever what the page shows changes."""

    def decorator(view):
        @wraps(view)
        def kept(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _anonymous(request):
                return _vary(view(request, *args, **kwargs))
            key = page_key(request, fingerprint(*args, **kwargs))
            stored = cache.get(key)
            if stored is not None:
                status, headers, content = stored
                return _vary(HttpResponse(content, status=status, headers=headers))
            response = view(request, *args, **kwargs)
            if _keepable(request, response):
                cache.set(key, (response.status_code, dict(response.headers), response.content), PAGE_CACHE_SECONDS)
            return _vary(response)

        return kept

    return decorator


class Remembered:
    """A fingerprint read from the database (an aggregate query), remembered in the cache for FINGERPRINT_SECONDS
    and forgotten as soon as one of ``changed_by`` is saved or deleted, and again when that transaction commits (a
    visit in between would remember what was there before). ``connect`` ties it to those models' signals."""

    def __init__(self, name: str, compute: Callable[[], Hashable], changed_by: tuple[type[Model], ...]):
        self.key = f"page-fingerprint:{name}"
        self.compute = compute
        self.changed_by = changed_by

    def __call__(self) -> Hashable:
        value = cache.get(self.key)
        if value is None:
            value = self.compute()
            cache.set(self.key, value, FINGERPRINT_SECONDS)
        return value

    def forget(self, **_signal) -> None:
        cache.delete(self.key)
        transaction.on_commit(lambda: cache.delete(self.key))

    def connect(self) -> None:
        for model in self.changed_by:
            for signal in (post_save, post_delete):
                signal.connect(self.forget, sender=model, weak=False, dispatch_uid=f"{self.key}:{model.__name__}")


def page_key(request: HttpRequest, fingerprint: Hashable) -> str:
    parts = (release(), request.scheme, request.get_host(), request.get_full_path(), fingerprint)
    return "visitor-page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _anonymous(request: HttpRequest) -> bool:
    return request.method == "GET" and not (set(request.COOKIES) & {settings.SESSION_COOKIE_NAME, MESSAGES_COOKIE})


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not len(messages.get_messages(request))
    )


def _vary(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ["Cookie"])
    return response


@once
def release() -> str:
    """The templates this process renders and the static files it names (the collected files' manifest, or the
    site's own folder in development), by name, size and time: a deployment that changes them starts with no kept
    pages, so none names a stylesheet that is gone."""
    files = [file for folder in engines["django"].template_dirs for file in sorted(Path(folder).rglob("*.html"))]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    files += [manifest] if manifest.is_file() else sorted((Path(settings.BASE_DIR) / "static").rglob("*"))
    digest = hashlib.sha256()
    for file in files:
        if file.is_file():
            status = file.stat()
            digest.update(f"{file}:{status.st_size}:{status.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
