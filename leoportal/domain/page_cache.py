"""Whole public pages kept for visitors who are not signed in.

A public page (the home page, the calls, the catalogue, a listing) shows the same to everyone who is not signed in
and has nothing waiting for them. For such a visitor the rendered page is kept in the cache under its address and a
fingerprint of what it shows, which the view gives (listings' and calls' last changes, say; domain.public_pages):
a change shows at the next visit, and a visit costs a cache read instead of the page's queries and templates.

Rendered afresh, never kept or served from here: a visitor with a session or a message waiting (their pages say who
they are and what just happened), a page that used a CSRF token (a form's token belongs to one visitor, unless the
view says its tokens are filled in at each visit), set a cookie or wrote to the session, and anything but a 200.
Every answer says ``Vary: Cookie``, so a shared cache in front of the site never gives a kept page to a signed-in
user.
"""

import hashlib
import re
import weakref
from collections.abc import Callable, Hashable
from functools import cache as once
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import engines
from django.template.response import SimpleTemplateResponse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property

# A safety net: a fingerprint cannot see a change made around the models (a queryset update, the database's shell).
PAGE_CACHE_SECONDS = 300
# How long a fingerprint read from the database is remembered: a change saved through the models forgets it at once;
# one made around them shows after this long.
FINGERPRINT_SECONDS = 10
MESSAGES_COOKIE = "messages"  # django.contrib.messages' cookie storage


def for_visitors(fingerprint: Callable[..., Hashable], *, form_tokens: bool = False):
    """Keep the view's page for visitors who are not signed in, under ``fingerprint(*args, **kwargs)`` (the view's
    URL arguments): it must change whenever what the page shows changes.

    ``form_tokens``: the page's forms carry CSRF tokens, each as the hidden input of ``{% csrf_token %}`` and nowhere
    else. They are kept as blanks and filled with a token of each visitor's own at every visit (which also gives
    the visitor their CSRF cookie), as rendering would."""

    def decorator(view):
        @wraps(view)
        def kept(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _anonymous(request):
                return _vary(view(request, *args, **kwargs))
            key = page_key(request, fingerprint(*args, **kwargs))
            stored = cache.get(key)
            if stored is not None:
                status, headers, content = stored
                if form_tokens:
                    content = fill_tokens(request, content)
                return _vary(HttpResponse(content, status=status, headers=headers))
            response = view(request, *args, **kwargs)

            def keep(rendered: HttpResponse) -> None:
                if _keepable(request, rendered, form_tokens):
                    content = blank_tokens(rendered.content) if form_tokens else rendered.content
                    cache.set(key, (rendered.status_code, dict(rendered.headers), content), PAGE_CACHE_SECONDS)

            _when_rendered(response, keep)
            return _vary(response)

        return kept

    return decorator


TOKEN_INPUT = re.compile(rb'<input type="hidden" name="csrfmiddlewaretoken" value="[A-Za-z0-9]+">')
TOKEN_BLANK = b'<input type="hidden" name="csrfmiddlewaretoken" value="{form-token}">'


def blank_tokens(content: bytes) -> bytes:
    """``content`` with each form's CSRF token (the hidden input of ``{% csrf_token %}``) left blank, to keep."""
    return TOKEN_INPUT.sub(lambda _token: TOKEN_BLANK, content)


def fill_tokens(request: HttpRequest, content: bytes) -> bytes:
    """Kept ``content`` with each blank token filled with a token of this visitor's own, freshly masked for this
    answer (which also gives the visitor their CSRF cookie). One masked token serves every form of the answer:
    masking (against BREACH) needs a new mask for each answer, and masking one for each form cost a kept page with
    seven forms about a millisecond."""
    if TOKEN_BLANK not in content:
        return content
    return content.replace(TOKEN_BLANK, TOKEN_BLANK.replace(b"{form-token}", get_token(request).encode()))


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
        forget_now_and_on_commit(self.key)

    def connect(self) -> None:
        for model in self.changed_by:
            for signal in (post_save, post_delete):
                signal.connect(self.forget, sender=model, weak=False, dispatch_uid=f"{self.key}:{model.__name__}")


def forget_now_and_on_commit(key: str) -> None:
    """Drop a kept value at once, and again when the transaction that changed what it was made from commits: a
    visit in between, reading what was there before the commit, would keep the old value again."""
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


# How long a kept piece of a signed-in page lives (the menu, a proposal's suggestions, the proposal form, My
# proposals' rows, the desk's matches, an introduction's answer form); its key changes whenever what it shows changes.
RENDERING_SECONDS = 600


def markup_key(*parts: object) -> str:
    """The key of markup kept under everything it shows (``parts``, by their repr) and under the templates and static
    files deployed (``release``), so that a deployment starts every kept rendering afresh."""
    return hashlib.sha256(repr((release(), *parts)).encode()).hexdigest()


class KeptContent:
    """The main content of a signed-in page, kept rendered under ``key`` (a ``markup_key`` of everything it shows,
    the viewer included) with its forms' CSRF tokens blank, filled with a fresh token of the viewer's own at each
    visit. Read when made: a view that finds it ``missing`` works out the page's context; one that finds it kept
    reads nothing more. The template wraps its content in ``{% keep content %}`` (leoportal.templatetags.site_tags),
    which shows the kept markup or renders and keeps it. ``key=None`` keeps nothing (the page is rendered each time).
    """

    def __init__(self, key: str | None, seconds: int = RENDERING_SECONDS):
        self.key = None if key is None else f"kept-content:{key}"
        self.seconds = seconds
        self.markup: bytes | None = None if self.key is None else cache.get(self.key)

    @property
    def missing(self) -> bool:
        return self.markup is None

    def keep(self, rendered: str) -> None:
        self.markup = blank_tokens(rendered.encode())
        if self.key is not None:
            cache.set(self.key, self.markup, self.seconds)

    def filled(self, request: HttpRequest) -> str:
        assert self.markup is not None  # keep() or the cache gave it
        return fill_tokens(request, self.markup).decode()


def kept_key(page: str, rows: str | None, viewer, *parts: object) -> str | None:
    """The key of a signed-in page kept whole: its name, the viewer (their account, role and rights), ``rows`` (the
    digest of the rows it shows, RowsDigest) and whatever else it depends on (``parts``: the minute, say). None when
    there is no digest (a database other than PostgreSQL): the page is then not kept."""
    if rows is None:
        return None
    return markup_key(page, (viewer.pk, viewer.role, viewer.is_staff, viewer.is_superuser), rows, *parts)


def kept_response(request: HttpRequest, key: str | None, respond: Callable[[], HttpResponse]) -> HttpResponse:
    """A signed-in page kept whole for its viewer under ``key`` (a ``markup_key`` of everything it shows, the viewer
    and the address included), for pages whose every part is the view's (the admin's, say, where the menu and the
    messages are in the page's own templates). ``respond()`` renders it afresh.

    Its forms' CSRF tokens are kept blank and filled with a fresh token of the viewer's own at each visit. Rendered
    afresh, never served from here nor kept: a page with a message waiting (the page shows it), one that set a cookie
    or wrote to the session, and anything but a 200. ``key=None`` keeps nothing."""
    if key is None or request.method != "GET" or len(messages.get_messages(request)):
        return respond()
    key = f"kept-page:{key}"
    stored = cache.get(key)
    if stored is not None:
        content_type, content = stored
        return HttpResponse(fill_tokens(request, content), content_type=content_type)
    response = respond()

    def keep(rendered: HttpResponse) -> None:
        if _keepable(request, rendered, form_tokens=True):
            cache.set(key, (rendered["Content-Type"], blank_tokens(rendered.content)), RENDERING_SECONDS)

    _when_rendered(response, keep)
    return response


# Stands for the object's id in a RowsDigest's queries while they are compiled, and is replaced by it when they run.
OBJECT_ID = -7_406_311
# A %s placeholder, or a % written as %%, in the ORM's SQL.
PLACEHOLDER = re.compile(r"%%|%s")
# The statements prepared on each open database connection, by name.
PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class RowsDigest:
    """A digest of every row a page shows, computed by PostgreSQL in one query: each row whole, as text, so it
    changes whenever any column of any of those rows changes, or a row comes or goes, however the change was made
    (a save, a queryset update, the database's shell).

    ``sources`` are functions of the object's id (a proposal's, say) giving the querysets of the rows shown; they
    are compiled once per process. The query is a prepared statement of each database connection, the object's id
    its one parameter: PostgreSQL then plans it once per connection, not at each visit (planning a dozen joined
    subqueries cost it about a millisecond, three times what running them costs). On another database than
    PostgreSQL the digest is None and the page is rendered each time."""

    def __init__(self, *sources: Callable[[int], QuerySet]):
        self.sources = sources

    @cached_property
    def sql(self) -> tuple[str, tuple]:
        parts: list[str] = []
        params: list[object] = []
        for source in self.sources:
            sql, source_params = source(OBJECT_ID).order_by().query.sql_with_params()
            # The ORM's own SQL, its values passed as parameters.
            rows = f"SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM ({sql}) AS r"  # noqa: S608
            parts.append(f"({rows})")
            params += source_params
        return f"SELECT md5({' || '.join(parts)})", tuple(params)

    @cached_property
    def statement(self) -> tuple[str, str]:
        """The prepared statement's name and text: ``sql`` with its values written in, and the object's id as $1."""
        sql, params = self.sql
        values = iter(params)
        with connection.cursor() as cursor:

            def written(placeholder: re.Match) -> str:
                if placeholder.group() == "%%":
                    return "%"
                value = next(values)
                return "$1" if value == OBJECT_ID else cursor.mogrify("%s", [value])

            text = PLACEHOLDER.sub(written, sql)
        return f"rows_{hashlib.sha256(text.encode()).hexdigest()[:20]}", text

    def __call__(self, object_id: int) -> str | None:
        if connection.vendor != "postgresql":
            return None
        name, text = self.statement
        with connection.cursor() as cursor:
            # Prepared statements belong to the connection (a transaction rolled back keeps them). The first use on a
            # connection prepares and runs the statement in one round trip, so a digest is always one query.
            prepared = PREPARED.setdefault(connection.connection, set())
            if name in prepared:
                cursor.execute(f"EXECUTE {name}(%s)", [object_id])
            else:
                cursor.execute(f"PREPARE {name}(bigint) AS {text}; EXECUTE {name}({int(object_id)})")
                cursor.nextset()  # the EXECUTE's rows follow the PREPARE's empty result
                prepared.add(name)
            return cursor.fetchone()[0]


def rows_version() -> str | None:
    """The stamp PostgreSQL changes whenever a row of the tables the desk's list shows changes, however made (the
    table rows_version and its triggers, projects/migrations/0020_rows_version_triggers.py): a key for pages that
    show more rows than a digest can read at each visit. None on another database, or before the stamp is first
    written: the page is then rendered each time."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM rows_version WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def page_key(request: HttpRequest, fingerprint: Hashable) -> str:
    return "visitor-page:" + markup_key(request.scheme, request.get_host(), request.get_full_path(), fingerprint)


def _anonymous(request: HttpRequest) -> bool:
    return request.method == "GET" and not (set(request.COOKIES) & {settings.SESSION_COOKIE_NAME, MESSAGES_COOKIE})


def _when_rendered(response: HttpResponse, keep: Callable[[HttpResponse], None]) -> None:
    """Call ``keep`` with ``response`` once it is rendered: at once, or after its template is (what the template uses,
    a CSRF token, say, is known only then)."""
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.add_post_render_callback(keep)
    else:
        keep(response)


def _keepable(request: HttpRequest, response: HttpResponse, form_tokens: bool) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        # A page whose form tokens are filled at each visit sets the CSRF cookie again then, as rendering would.
        and not (set(response.cookies) - ({settings.CSRF_COOKIE_NAME} if form_tokens else set()))
        and (form_tokens or not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        and not (session is not None and session.modified)
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
