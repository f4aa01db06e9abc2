import subprocess
import sys
from pathlib import Path

from tests.utils import manage_output
from tools import check_layout

ROOT = Path(__file__).resolve().parents[2]
SOME_MODULE = ROOT / "projects" / "example.py"


def test_the_tree_passes_the_layout_gates():
    assert check_layout.problems() == []


def test_an_inline_import_with_a_reason_from_the_list_passes():
    text = "def f():\n    from projects import scoring  # noqa: PLC0415 -- leaf\n"
    assert check_layout.reason_problems(SOME_MODULE, text) == []


def test_an_inline_import_without_a_reason_is_reported():
    text = "def f():\n    from projects import scoring  # noqa: PLC0415\n"
    assert len(check_layout.reason_problems(SOME_MODULE, text)) == 1
    assert check_layout.reason_problems(SOME_MODULE, text)[0].startswith("projects/example.py:2: an import inside")


def test_an_inline_import_with_an_unlisted_reason_is_reported():
    text = "def f():\n    from projects import scoring  # noqa: PLC0415 -- it was easier\n"
    assert len(check_layout.reason_problems(SOME_MODULE, text)) == 1


def test_a_module_over_the_size_limit_is_reported():
    text = "x = 1\n" * (check_layout.MAX_LINES + 1)
    assert check_layout.size_problems(SOME_MODULE, text) == [
        f"projects/example.py: {check_layout.MAX_LINES + 1} lines, over the limit of {check_layout.MAX_LINES}: "
        "split it by subject into a package"
    ]
    assert check_layout.size_problems(SOME_MODULE, "x = 1\n" * check_layout.MAX_LINES) == []


def test_ruff_refuses_an_import_inside_a_function_in_production_code():
    source = "def f():\n    from projects import scoring\n\n    return scoring\n"
    result = subprocess.run(
        [Path(sys.executable).parent / "ruff", "check", "--stdin-filename", "projects/example.py", "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert "PLC0415" in result.stdout


def test_a_domain_module_may_import_models_and_tasks_at_the_top():
    text = "from projects.models import Proposal\nfrom projects.tasks import score_proposal_task\n"
    assert check_layout.import_problems("projects.domain.scoring.requests", text) == []


def test_a_lower_layer_importing_a_higher_one_is_reported():
    assert check_layout.import_problems("projects.models.proposals", "from projects.domain import scoring\n") == [
        "projects.models.proposals line 1 imports projects.domain: layer 1 may not import layer 2 "
        f"({check_layout.LAYERS[2]})"
    ]
    assert len(check_layout.import_problems("partners.domain.listings", "from partners.forms import X\n")) == 1
    assert len(check_layout.import_problems("projects.forms.team", "from projects.views import team\n")) == 1


def test_an_import_inside_a_function_or_for_annotations_is_not_a_layer_problem():
    text = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from projects.domain.submission import Missing\n"
        "def f():\n    from projects.domain import scoring  # noqa: PLC0415 -- leaf\n"
    )
    assert check_layout.import_problems("projects.exceptions", text) == []


def test_a_task_module_importing_its_domain_at_the_top_is_reported():
    problems = check_layout.import_problems("projects.tasks", "from projects.domain import scoring\n")
    assert problems == [
        f"projects.tasks line 1 imports projects.domain: layer 0 may not import layer 2 ({check_layout.LAYERS[2]})"
    ]
    assert check_layout.import_problems("projects.tasks", "from leoportal.dispatch import dispatch\n") == []


def test_the_engine_importing_django_or_the_apps_is_reported():
    assert len(check_layout.import_problems("projects.matching.ranking", "from django.conf import settings\n")) == 1
    assert len(check_layout.import_problems("projects.matching.ranking", "from projects.models import Match\n")) == 1
    assert check_layout.import_problems("projects.matching.ranking", "from projects.matching import inputs\n") == []


def test_production_code_importing_tests_tools_or_demo_seeding_is_reported():
    assert len(check_layout.import_problems("projects.domain.scoring.runs", "from tests.utils import wait_for\n")) == 1
    assert len(check_layout.import_problems("projects.domain.flights", "import devtools.volume\n")) == 1
    assert len(check_layout.import_problems("projects.views.calls", "from projects.demo import proposals\n")) == 1
    text = "from projects.demo import proposals\n"
    assert check_layout.import_problems("leoportal.management.commands.seed_demo", text) == []


def test_a_process_starts_without_the_libraries_imported_late():
    """The imports marked ``slow import`` stay out of start-up: a process that loads every app and the URLs (as the
    site, a worker or a command does) has not loaded scikit-learn until the engine fits a text index."""
    probe = (
        "import sys\n"
        "from django.urls import resolve\n"
        "resolve('/')\n"
        "before = 'sklearn' in sys.modules\n"
        "from projects.matching.text import TextIndex\n"
        "TextIndex(['a centrifuge for cell cultures'])\n"
        "print(before, 'sklearn' in sys.modules)\n"
    )
    assert manage_output("shell", "-c", probe, DEBUG="true").splitlines()[-1] == "False True"
