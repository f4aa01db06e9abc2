"""What every API router shares: the Bearer token check, who a token speaks for, refusals and paged answers.

A token reaches what its holder could reach on the site, narrowed by its kind: a personal token the holder's own
proposals, an organisation's token that organisation's listings and introductions. Anything outside that is a
404, as on the site. A read token that asks to change something is refused with 403 and a sentence.
"""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from ninja import Schema
from ninja.security import HttpBearer

from leoportal.domain.api_tokens import token_for
from leoportal.enums import TokenScope


class TokenAuth(HttpBearer):
    """``Authorization: Bearer leo_...``: a live token, within its per-minute limit."""

    def authenticate(self, request, token):
        found = token_for(token)
        if found is not None:
            request.user = found.user  # what the request changes is recorded as its holder's (the history's user)
        return found


class Refused(Exception):
    """An API request refused with ``status`` and a sentence (and, for 422, every problem)."""

    def __init__(self, status: int, detail: str, problems: list[dict] | None = None):
        self.status = status
        self.detail = detail
        self.problems = problems
        super().__init__(detail)

    def body(self) -> dict:
        return {"detail": self.detail} if self.problems is None else {"detail": self.detail, "problems": self.problems}


class Detail(Schema):
    detail: str


class FieldProblem(Schema):
    field: str
    message: str


class FieldProblems(Schema):
    detail: str
    problems: list[FieldProblem]


class PathProblem(Schema):
    path: str
    message: str


class PathProblems(Schema):
    detail: str
    problems: list[PathProblem]


def organisation_of(request):
    """The organisation the request's token speaks for, or None for a personal token."""
    return request.auth.organisation if request.auth is not None else None


def require_write(request) -> None:
    if request.auth.scope != TokenScope.WRITE:
        raise Refused(403, "This token only reads: make a token with the write scope to change anything.")


def require_organisation(request):
    """The token's organisation; a personal token is told which kind of token it needs."""
    organisation = organisation_of(request)
    if organisation is None:
        raise Refused(403, "This needs a token of the organisation (made on its page), not a personal token.")
    return organisation


def require_personal(request):
    if organisation_of(request) is not None:
        raise Refused(403, "This needs a personal token (made on your account's API tokens page).")
    return request.auth.user


def not_found(what: str):
    return Http404(f"No such {what}.")


def page_of(request, queryset, page: int, size: int, serialise) -> dict:
    """One page of ``queryset`` as ``{count, page, pages, next, previous, results}``, the links absolute and
    keeping the request's other parameters. A page outside the range is refused (422) with the range."""
    paginator = Paginator(queryset, size)
    last = max(paginator.num_pages, 1)
    if page < 1 or page > last:
        raise Refused(422, "No such page.", [{"field": "page", "message": f"Pages run from 1 to {last}."}])
    current = paginator.page(page)

    def link(number):
        params = request.GET.copy()
        params["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{urlencode(list(params.lists()), doseq=True)}")

    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "next": link(current.number + 1) if current.has_next() else None,
        "previous": link(current.number - 1) if current.has_previous() else None,
        "results": [serialise(item) for item in current.object_list],
    }
