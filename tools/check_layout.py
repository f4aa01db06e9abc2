"""The layout gates ``make lint`` runs beside ruff: every import inside a function gives a reason from a fixed list,
and no production module grows past the size at which it should be split.

    python tools/check_layout.py            # prints each problem and exits 1, or prints nothing and exits 0
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = ("leoportal", "projects", "partners", "devtools", "manage.py")

# Why an import may sit inside a function (ruff's PLC0415 allows it only with ``
REASONS = {
    "leaf": "a Celery task imports the domain module it calls, so the domain can import its tasks at the top",
    "app ready": "runs once Django's apps are loaded (AppConfig.ready, a signal connected before they are)",
    "start-up": "manage.py sets the settings module before importing Django",
}
NOQA = re.compile(r"#\s*noqa:[^#]*\bPLC0415\b(?P<rest>.*)$")

# A module past this many lines holds more than one subject: split it into a package (see the README).
MAX_LINES = 500
# Modules already past it, each with the size it may not grow beyond until it is split (ratchet: lower only).
OVERSIZED = {
    "projects/models/proposals.py": 547,
    "projects/domain/scoring.py": 535,
}


def production_files():
    for name in PRODUCTION:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        yield from (file for file in files if "migrations" not in file.parts)


def reason_problems(path: Path, text: str) -> list[str]:
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        match = NOQA.search(line)
        if not match:
            continue
        reason = match.group("rest").partition("--")[2].strip().split(":")[0].strip()
        if reason not in REASONS:
            problems.append(
                f"{path.relative_to(ROOT)}:{number}: an import inside a function needs a reason: end the line with "
                f"'# noqa: PLC0415 -- <reason>', the reason one of: {', '.join(REASONS)}"
            )
    return problems


def size_problems(path: Path, text: str) -> list[str]:
    name = path.relative_to(ROOT).as_posix()
    limit = OVERSIZED.get(name, MAX_LINES)
    lines = text.count("\n")
    if lines > limit:
        return [f"{name}: {lines} lines, over the limit of {limit}: split it by subject into a package"]
    return []


def problems() -> list[str]:
    found = []
    for path in production_files():
        text = path.read_text()
        found += reason_problems(path, text) + size_problems(path, text)
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
