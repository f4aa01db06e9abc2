"""The public API, version 1: ``/api/v1/``, its OpenAPI 3 document at ``/api/v1/openapi.json`` and a docs page
(``/api/v1/docs/``, rendered by the site itself: no scripts from elsewhere). Each app adds its router."""

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import ValidationError

from leoportal.api.access import Refused, TokenAuth
from leoportal.domain.api_tokens import RateLimited
from partners.api.catalogue import router as catalogue_router
from partners.api.listings import router as listings_router
from projects.api.introductions import router as introductions_router
from projects.api.proposals import router as proposals_router

api = NinjaAPI(
    title="LEO Portal API",
    version="1",
    description="The public capability catalogue of LEO Portal (no token); with a token (Authorization: Bearer "
    "<token>), a researcher's own proposals and their matches (personal token), an organisation's listings and the "
    "introductions program staff sent it (organisation token). Read tokens read; write tokens also change.",
    urls_namespace="api-1",
    docs_url=None,
)
api.add_router("/catalogue/", catalogue_router)
api.add_router("/proposals", proposals_router, auth=TokenAuth())
api.add_router("/organisation/", listings_router, auth=TokenAuth())
api.add_router("/introductions", introductions_router, auth=TokenAuth())


@api.exception_handler(Refused)
def refused(request, error):
    return api.create_response(request, error.body(), status=error.status)


def _where(location) -> str:
    """Where a malformed request went wrong: a query parameter's name, or the body's JSON path."""
    parts = list(location)
    if parts and parts[0] == "body":
        path = "$"
        for part in parts[2:]:  # after "body" and the parameter's own name
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        return path
    return str(parts[-1]) if parts else "request"


@api.exception_handler(ValidationError)
def malformed(request, error):
    """Requests the endpoint's declared types refuse, said in the same shape as every other refusal."""
    problems = [
        {"field": _where(item.get("loc", ())), "message": item.get("msg", "not valid")} for item in error.errors
    ]
    detail = "The request could not be read: fix what is below."
    return api.create_response(request, {"detail": detail, "problems": problems}, status=422)


@api.exception_handler(RateLimited)
def too_many_requests(request, error):
    response = api.create_response(
        request, {"detail": f"Too many requests with this token: try again in {error.retry_after} s."}, status=429
    )
    response["Retry-After"] = str(error.retry_after)
    return response


def docs(request):
    """Every endpoint of the OpenAPI document, with its parameters, as a plain page."""
    schema = api.get_openapi_schema()
    endpoints = [
        {
            "method": method.upper(),
            "path": f"/api/v1{path}" if not path.startswith("/api/v1") else path,
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "parameters": [p["name"] for p in operation.get("parameters", [])],
        }
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]
    return render(request, "leoportal/api_docs.html", {"endpoints": endpoints, "title": schema["info"]["title"]})
