"""The public API, version 1: ``/api/v1/``, its OpenAPI 3 document at ``/api/v1/openapi.json`` and a docs page
(``/api/v1/docs/``, rendered by the site itself: no scripts from elsewhere). Each app adds its router."""

from django.shortcuts import render
from ninja import NinjaAPI
from ninja.security import HttpBearer

from leoportal.api_tokens import RateLimited, token_for
from partners.api import router as catalogue_router
from projects.api import router as proposals_router


class TokenAuth(HttpBearer):
    """``Authorization: Bearer leo_...``: a live token, within its per-minute limit."""

    def authenticate(self, request, token):
        return token_for(token)


api = NinjaAPI(
    title="LEO Portal API",
    version="1",
    description="Read the public capability catalogue of LEO Portal, and your own proposals with a personal token "
    "(Authorization: Bearer <token>).",
    urls_namespace="api-1",
    docs_url=None,
)
api.add_router("/catalogue/", catalogue_router)
api.add_router("/proposals", proposals_router, auth=TokenAuth())


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
