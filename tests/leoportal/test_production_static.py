"""Static files in production (DEBUG=false): collected under hashed names and served by whitenoise, compressed and
cached for good. The suite runs with Django's plain storage, so this checks the production set-up in a separate
process."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.templatetags.static import static
from django.test import Client
client = Client(HTTP_HOST="localhost")
found = {}
for name in ("css/site.css", "vendor/bootstrap/css/bootstrap.min.css", "js/site.js"):
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


def test_static_files_are_served_hashed_compressed_and_cached_in_production(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "false",
        "SECRET_KEY": "static-files-check-" + "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "EMAIL_URL": "dummymail://",
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("collectstatic", "--noinput", "-v0")
    found = json.loads(manage("shell", "-c", PROBE).strip().splitlines()[-1])

    unhashed = found.pop("unhashed")
    for name, answer in found.items():
        stem, suffix = name.rsplit(".", 1)
        assert answer["url"].startswith(f"/static/{stem}.") and answer["url"].endswith(f".{suffix}"), answer
        assert answer["url"] != f"/static/{name}", answer
        assert (answer["status"], answer["encoding"]) == (200, "br"), answer
        assert "immutable" in answer["cache"] and "max-age=315360000" in answer["cache"], answer
    assert unhashed == 404  # only hashed names are kept, so a stale page cannot mix old and new files
