import subprocess
import sys
from pathlib import Path

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
