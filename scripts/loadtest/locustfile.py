"""The load test's simulated researchers (locust). Started by scripts/loadtest.sh; see README, "Load test".

Each simulated user signs in with its own account from the plan (`manage.py loadtest prepare`), through allauth's
form with its CSRF token, then in a loop, with a pause between actions: browses the catalogue (filters, search,
pages), opens listings found there, opens its dashboards and its own proposals, saves its scratch draft (opens the
form, posts it, follows the redirect) and submits its complete drafts to the open call (opens the form, posts
"Submit", follows the redirect to the proposal page).

The site runs with DEBUG off, as in production behind a TLS-terminating proxy: the generator sends
X-Forwarded-Proto: https and X-Forwarded-For with an address of its own for each user (a loopback one), sends a
same-origin Referer on posts (as browsers do on HTTPS), and returns the secure cookies over the loopback connection.

Every request is recorded with its kind, start, time and outcome; on exit the samples go to $LOADTEST_SAMPLES and
the public ids of the accepted submissions to $LOADTEST_SUBMITTED, and the moment the last user started to
$LOADTEST_SAMPLES.steady.
"""

import json
import os
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).parent))
from figures import Sample, write_samples

PLAN = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text(encoding="utf-8"))
ACCOUNTS = list(PLAN["accounts"])
WAIT = tuple(float(x) for x in os.environ.get("LOADTEST_WAIT", "1,3").split(","))

SAMPLES: list[Sample] = []
SUBMITTED: list[str] = []
STEADY_FROM: list[float] = []  # when every user had started (and signed in, or begun to)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="([^"]*)"')
LISTING = re.compile(r'href="(/catalogue/listings/[0-9a-f-]{36}/)"')

SEARCHES = ["bioprinter", "organoid", "crystal", "freezer", "bioreactor", "imaging", "centrifuge", "protein", "cells"]
CATEGORIES = ["cell_culture_bioreactor", "3d_bioprinter", "protein_crystallization", "cold_stowage_freezer"]
AREAS = ["stem_cells", "organoids", "tissue_engineering", "biofabrication", "protein_crystallization"]
FILTERS = [
    {},
    {"category": CATEGORIES},
    {"research_area": AREAS},
    {"q": SEARCHES},
    {"q": SEARCHES, "category": CATEGORIES},
    {"sample_return": ["yes"], "crew_time": ["low", "medium"]},
    {"holds_c": ["37", "-80", "4"], "unstated": ["on"]},
    {"min_days": ["14", "30", "90"], "category": CATEGORIES},
    {"centrifuge": ["on"]},
    {"status": ["operational"], "research_area": AREAS},
]


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, start_time=None, **kwargs):
    SAMPLES.append(Sample(name, start_time or 0.0, response_time, exception is None, _describe(exception)))


def _describe(exception) -> str:
    if exception is None:
        return ""
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", str(exception))[:200]


@events.spawning_complete.add_listener
def _all_started(user_count, **kwargs):
    STEADY_FROM.append(time.time())


@events.quitting.add_listener
def _write(environment, **kwargs):
    samples = os.environ.get("LOADTEST_SAMPLES", "samples.csv")
    write_samples(SAMPLES, samples)
    Path(f"{samples}.steady").write_text(f"{STEADY_FROM[0] if STEADY_FROM else 0:.6f}\n", encoding="utf-8")
    Path(os.environ.get("LOADTEST_SUBMITTED", "submitted.txt")).write_text(
        "".join(f"{public_id}\n" for public_id in SUBMITTED), encoding="utf-8"
    )


class Researcher(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        number = len(PLAN["accounts"]) - len(ACCOUNTS)
        self.account = ACCOUNTS.pop(0)
        self.drafts = list(self.account["drafts"])
        self.listings: list[str] = []
        self.saves = 0
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.client.headers["X-Forwarded-For"] = f"127.0.{1 + number // 250}.{1 + number % 250}"
        self.sign_in()

    # --- helpers ---

    def loopback_cookies(self):
        """The generator stands in for the TLS-terminating proxy: secure cookies travel over the loopback too."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def get(self, path, kind, expect=200):
        self.loopback_cookies()
        with self.client.get(path, name=kind, allow_redirects=False, catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"GET answered {response.status_code}, expected {expect}")
            return response

    def post(self, path, kind, data, redirect_to=None):
        """POST like a browser on HTTPS; succeeds only on a redirect to ``redirect_to`` (a path prefix)."""
        self.loopback_cookies()
        headers = {"Referer": f"https://{self.host.split('://', 1)[1]}{path}"}
        with self.client.post(
            path, data=data, headers=headers, name=kind, allow_redirects=False, catch_response=True
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or (redirect_to and not location.startswith(redirect_to)):
                response.failure(f"POST answered {response.status_code} (Location {location or 'none'})")
                return None
            return location

    def form_page(self, path, kind):
        response = self.get(path, kind)
        csrf, version = CSRF.search(response.text), VERSION.search(response.text)
        if response.status_code != 200 or not csrf:
            return None
        return {"csrfmiddlewaretoken": csrf.group(1), "version": version.group(1) if version else ""}

    def sign_in(self):
        hidden = self.form_page("/accounts/login/", "sign-in page")
        if hidden is None:
            return
        data = {"csrfmiddlewaretoken": hidden["csrfmiddlewaretoken"]}
        data.update(login=self.account["email"], password=self.account["password"])
        if self.post("/accounts/login/", "sign in", data, redirect_to="/dashboard/"):
            self.get("/dashboard/", "dashboard redirect", expect=302)
            self.get("/proposals/", "my proposals")

    def proposal_form(self, hidden, **values):
        data = dict(PLAN["form"], **hidden, **values)
        data.update({"coi-TOTAL_FORMS": "0", "coi-INITIAL_FORMS": "0", "coi-MIN_NUM_FORMS": "0"})
        data["coi-MAX_NUM_FORMS"] = "30"
        return data

    # --- what researchers do ---

    @task(6)
    def browse_catalogue(self):
        params = {name: random.choice(values) for name, values in random.choice(FILTERS).items()}
        if random.random() < 0.3:
            params["page"] = str(random.randint(2, 4))
        if params:
            response = self.get(f"/catalogue/?{urlencode(params)}", "catalogue filtered")
        else:
            response = self.get("/catalogue/", "catalogue")
        found = LISTING.findall(response.text)
        if found:
            self.listings = found

    @task(4)
    def open_listing(self):
        if not self.listings:
            return self.browse_catalogue()
        self.get(random.choice(self.listings), "listing")

    @task(3)
    def my_proposals(self):
        self.get("/proposals/", "my proposals")

    @task(4)
    def open_own_proposal(self):
        self.get(f"/proposals/{random.choice(self.account['proposals'])}/", "proposal page")

    @task(2)
    def save_draft(self):
        path = f"/proposals/{self.account['scratch']}/edit/"
        hidden = self.form_page(path, "proposal form")
        if hidden is None:
            return
        self.saves += 1
        data = self.proposal_form(
            hidden,
            action="save",
            title=f"Scratch draft, sitting {self.saves}",
            summary=f"Notes from sitting {self.saves}: {random.choice(SEARCHES)} work planned.",
        )
        if self.post(path, "save draft", data, redirect_to=path):
            self.get(path, "proposal form")

    @task(1)
    def submit(self):
        if not self.drafts:
            return self.save_draft()
        public_id = self.drafts.pop(0)
        path = f"/proposals/{public_id}/edit/"
        hidden = self.form_page(path, "proposal form")
        if hidden is None:
            return
        data = self.proposal_form(hidden, action="submit", title=f"Load test submission {public_id[:8]}")
        if self.post(path, "submit", data, redirect_to=f"/proposals/{public_id}/"):
            SUBMITTED.append(public_id)
            self.get(f"/proposals/{public_id}/", "proposal page")
