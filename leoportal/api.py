"""The public API, version 1: ``/api/v1/``, its OpenAPI 3 document at ``/api/v1/openapi.json`` and a docs page
(``/api/v1/docs/``, rendered by the site itself: no scripts from elsewhere). Each app adds its router."""

from django.shortcuts import render
from ninja import NinjaAPI

from partners.api import router as catalogue_router

api = NinjaAPI(
    title="LEO Portal API",
    version="1",
    description="Read the public capability catalogue of LEO Portal.",
    urls_namespace="api-1",
    docs_url=None,
)
api.add_router("/catalogue/", catalogue_router)


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
