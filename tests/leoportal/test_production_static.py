"""Static files in production (DEBUG=false): collected under hashed names and served by whitenoise, compressed and
cached for good. The suite runs with Django's plain storage, so this checks the production set-up in a separate
process."""

import json
import re

import pytest

from tests.utils import manage_output

PROBE = """
import json
from django.templatetags.static import static
from django.test import Client
client = Client(HTTP_HOST="localhost")
found = {}
for name in (
    "css/site.css",
    "js/site.js",
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/chart.js/chart.umd.min.js",
):
    url = static(name)
    response = client.get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip, br")
    found[name] = {
        "url": url,
        "status": response.status_code,
        "encoding": response.headers.get("Content-Encoding"),
        "cache": response.headers.get("Cache-Control"),
    }
found["unhashed"] = client.get("/static/css/site.css", secure=True).status_code
print(json.dumps(found))
"""


@pytest.mark.slow(seconds=8)
def test_static_files_are_served_hashed_compressed_and_cached_in_production(tmp_path):
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "static-files-check-" + "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "EMAIL_URL": "dummymail://",
    }

    manage_output("collectstatic", "--noinput", "-v0", **env)
    vendor = sorted(  # without the hash in each name
        re.sub(r"\.[0-9a-f]{12}\.", ".", path.relative_to(tmp_path / "static" / "vendor").as_posix())
        for path in (tmp_path / "static" / "vendor").rglob("*")
        if path.is_file() and path.suffix not in (".gz", ".br")
    )
    found = json.loads(manage_output("shell", "-c", PROBE, **env).strip().splitlines()[-1])

    unhashed = found.pop("unhashed")
    for name, answer in found.items():
        stem, suffix = name.rsplit(".", 1)
        assert answer["url"].startswith(f"/static/{stem}.") and answer["url"].endswith(f".{suffix}"), answer
        assert answer["url"] != f"/static/{name}", answer
        assert (answer["status"], answer["encoding"]) == (200, "br"), answer
        assert "immutable" in answer["cache"] and "max-age=315360000" in answer["cache"], answer
    # Of the front-end packages, only the builds the pages use (and their source maps) are collected.
    assert vendor == [
        "bootstrap-icons/bootstrap-icons.min.css",
        "bootstrap-icons/fonts/bootstrap-icons.woff",
        "bootstrap-icons/fonts/bootstrap-icons.woff2",
        "bootstrap/css/bootstrap.min.css",
        "bootstrap/css/bootstrap.min.css.map",
        "bootstrap/js/bootstrap.bundle.min.js",
        "bootstrap/js/bootstrap.bundle.min.js.map",
        "chart.js/chart.umd.min.js",
        "chart.js/chart.umd.min.js.map",
    ]
    assert unhashed == 404  # only hashed names are kept, so a stale page cannot mix old and new files
