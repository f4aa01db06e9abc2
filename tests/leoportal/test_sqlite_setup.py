"""`make run` without DATABASE_URL or REDIS_URL: SQLite and in-process tasks. The suite runs on PostgreSQL, so this
checks the SQLite path end to end in a separate process: migrations, the demo seed (with its matching) and the
pages that filter JSON lists, which take another route on SQLite."""

import json
import re

import pytest

from tests.utils import manage_output, run_manage

PROBE = """
import json
from django.test import Client
from projects.models import Match, Proposal
client = Client(HTTP_HOST="localhost")
client.login(email="researcher@example.org", password="leoportal-demo")
catalogue = client.get("/catalogue/?category=3d_bioprinter").content.decode()
searched = client.get("/catalogue/?q=Meniscus").content.decode()
proposal = Proposal.objects.filter(owner__email="researcher@example.org", status="submitted").first()
print(json.dumps({
    "printers": [name for name in ("3D BioFabrication Facility", "Auxilium", "MELFI") if name in catalogue],
    "searched": [name for name in ("3D BioFabrication Facility", "MELFI", "Auxilium") if name in searched],
    "proposal_page": client.get(proposal.get_absolute_url()).status_code,
    "matched": Proposal.objects.filter(matched_at__isnull=False).count(),
    "matches": Match.objects.count() > 0,
}))
"""


@pytest.mark.slow(seconds=35)
def test_the_demo_runs_on_sqlite_with_in_process_tasks(migrated_sqlite, tmp_path):
    # E-mails go to the console, as in `make run`: seeding must not print the demo's, nor warn about a broker.
    env = {
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{migrated_sqlite}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    seeded = run_manage("seed_demo", **env)
    assert (seeded.returncode, seeded.stderr) == (0, "")
    ready, kept_back = seeded.stdout.splitlines()
    assert re.fullmatch(
        r"Demo data ready \(staff@example\.org signs in with a second factor: add the secret [A-Z0-9]+ to an "
        r"authenticator app, or run `manage\.py demo_totp` for the current code\): \d+ created, \d+ updated\.",
        ready,
    )
    assert re.fullmatch(
        r"The demo's \d+ notification e-mails were not sent: read them on each account's Notifications page\.",
        kept_back,
    )
    assert "created" not in manage_output("seed_demo", **env)
    facts = json.loads(manage_output("shell", "-c", PROBE, **env).strip().splitlines()[-1])

    assert facts["printers"] == ["3D BioFabrication Facility", "Auxilium"]
    assert facts["searched"] == ["3D BioFabrication Facility"]  # the plain text search of SQLite
    assert facts["proposal_page"] == 200
    assert facts["matched"] > 0
    assert facts["matches"] is True
