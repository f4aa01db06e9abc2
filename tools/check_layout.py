"""The layout gates ``make lint`` runs beside ruff: imports run one way through the layers, every import inside a
function gives a reason from a fixed list, and no production module grows past the size at which it should be split.

    python tools/check_layout.py            # prints each problem and exits 1, or prints nothing and exits 0
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = ("leoportal", "projects", "partners", "webhooks", "devtools", "manage.py")

# Why an import may sit inside a function (ruff's PLC0415 allows it only with ``
REASONS = {
    "leaf": "a Celery task imports the domain module it calls, so the domain can import its tasks at the top",
    "app ready": "runs once Django's apps are loaded (AppConfig.ready, a signal connected before they are)",
    "start-up": "manage.py sets the settings module before importing Django",
    "slow import": "a library that takes most of a second to load, needed only once the code runs: every process "
    "(the site, each manage.py command, a worker) starts without it",
}
NOQA = re.compile(r"#\s*noqa:[^#]*\bPLC0415\b(?P<rest>.*)$")

# A module past this many lines holds more than one subject: split it into a package (see the README).
MAX_LINES = 500
# Modules already past it, each with the size it may not grow beyond until it is split (ratchet: lower only).
OVERSIZED = {
    "projects/models/proposals.py": 547,
}


APPS = ("leoportal", "projects", "partners", "webhooks")
TOOLING = ("tests", "devtools", "tools")

# The layers, from the bottom; a module's top-level imports may reach its own layer and the ones below, never above
# (an import inside a function is a declared exception, see REASONS). Named by the module's first part in its app.
LAYERS = {
    0: "enums, exceptions, signals, tasks and the project's small plumbing (dispatch, text, celery)",
    1: "models, model fields and the permission rules (which read the models)",
    2: "domain: the business actions and queries (<app>/domain/, and leoportal's notifications, jobs, e-mails ...)",
    3: "forms and filters",
    4: "views, admin, URLs, template tags and management commands",
}
LAYER_OF = {
    **dict.fromkeys(("enums", "exceptions", "signals", "tasks", "dispatch", "text", "celery"), 0),
    **dict.fromkeys(("models", "fields", "rules"), 1),
    **dict.fromkeys(("forms", "filters"), 3),
    **dict.fromkeys(
        (
            "views",
            "admin",
            "api",
            "urls",
            "templatetags",
            "management",
            "admin_site",
        ),
        4,
    ),
    **dict.fromkeys(("context_processors",), 4),
}
OUTSIDE_LAYERS = ("settings", "wsgi", "asgi", "apps", "migrations", "matching", "demo")
ENGINE = "projects.matching"  # the pure engine: imports nothing from Django or the apps


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] not in APPS or len(parts) < 2 or parts[1] in OUTSIDE_LAYERS:
        return None
    return LAYER_OF.get(parts[1], 2)


def top_level_imports(tree: ast.Module):
    """(line, module) of each import run when the module loads (not those inside functions or TYPE_CHECKING)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody + [n for h in node.handlers for n in h.body]


def import_problems(module: str, text: str) -> list[str]:
    problems = []
    mine = layer_of(module)
    for line, target in top_level_imports(ast.parse(text)):
        where, top = f"{module} line {line} imports {target}", target.split(".")[0]
        theirs = layer_of(target)
        if top in TOOLING:
            problems.append(f"{where}: production code may not import tests or measurement tools")
        elif module.startswith(ENGINE):
            if top == "django" or (top in APPS and not target.startswith(ENGINE)):
                problems.append(f"{where}: the matching engine imports nothing from Django or the apps")
        elif ".demo." in f".{target}." and ".management." not in f".{module}." and ".demo." not in f".{module}.":
            problems.append(f"{where}: only management commands may import demo seeding")
        elif mine is not None and theirs is not None and theirs > mine:
            problems.append(f"{where}: layer {mine} may not import layer {theirs} ({LAYERS[theirs]})")
        elif module.endswith(".tasks") and top in APPS and target != "leoportal.dispatch":
            problems.append(f"{where}: a task module imports its domain inside each task (# noqa: PLC0415 -- leaf)")
    return problems


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
        if path.name != "manage.py" and path.parts[len(ROOT.parts)] in APPS:
            found += import_problems(module_name(path), text)
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
