"""Helpers for tests."""

import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone


def wait_for(condition, timeout=30.0, interval=0.2):
    """Poll ``condition`` until it returns something truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def nav_links(response, nav="primary"):
    """The link texts of one navigation list of a page, in order."""
    return [link.get_text(strip=True) for link in soup(response).select(f'[data-nav="{nav}"] a')]


def form_data(response, selector="form") -> dict[str, list[str]]:
    """What a browser would send for the form ``selector`` of a page, as it stands (no button pressed)."""
    form = soup(response).select_one(selector)
    data: dict[str, list[str]] = {}
    for element in form.select("input[name], textarea[name], select[name]"):
        name = element["name"]
        if element.name == "textarea":
            data.setdefault(name, []).append(element.get_text())
        elif element.name == "select":
            chosen = element.select("option[selected]") or element.select("option")[:1]
            if element.has_attr("multiple"):
                chosen = element.select("option[selected]")
            data.setdefault(name, []).extend(option.get("value", option.get_text()) for option in chosen)
        elif element.get("type") in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data.setdefault(name, []).append(element.get("value", "on"))
        elif element.get("type") not in ("submit", "button", "file", "image", "reset"):
            data.setdefault(name, []).append(element.get("value", ""))
    return data


BASE_DIR = Path(__file__).resolve().parents[1]


def run_manage(*args, timeout=300, **variables) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process whose environment holds only ``variables`` (plus PATH and HOME): the settings
    are read from them as at start-up."""
    environment = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **variables}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def manage_output(*args, **variables) -> str:
    """``run_manage`` for a command that must succeed: its standard output."""
    result = run_manage(*args, **variables)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def totp_code(secret: str, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now for ``secret`` (or ``steps_ahead`` 30-second steps later)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    now = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, now + steps_ahead))


def later(minutes: int = 10) -> str:
    """A moment past every outbox's grace period, as ``leoportal.sweep_outboxes`` takes it (ISO 8601): rows written
    just now are overdue then."""
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def shown_without_tokens(client, url: str, part: str | None = "main") -> str:
    """The markup of ``part`` of the page at ``url`` (the whole page for None), which must answer 200, with each
    form's CSRF token blanked: a kept page and the same page rendered afresh differ only in those, each visit's own."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    page = soup(response)
    shown = page if part is None else page.select_one(part)
    for token in shown.select("input[name=csrfmiddlewaretoken]"):
        token["value"] = ""
    return str(shown)


def tables_in(sql: str) -> set[str]:
    """The tables a query reads (its FROM and JOIN clauses)."""
    return set(re.findall(r'(?:FROM|JOIN) "(\w+)"', sql))


def tables_read(captured_queries) -> set[str]:
    return set().union(*(tables_in(query["sql"]) for query in captured_queries))
