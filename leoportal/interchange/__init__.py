"""The LEO Portal interchange format (leoportal.capabilities/1, leoportal.proposals/1, leoportal.rankings/1,
leoportal.precedents/1).

The JSON Schemas beside this module are the contract. ``parse_document`` reads a document and returns it only
when it is valid; otherwise it raises ``InterchangeError`` carrying every problem with its JSON path, so an
import can refuse the whole document and tell the user everything to fix at once.
"""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
CAPABILITIES = "leoportal.capabilities/1"
PROPOSALS = "leoportal.proposals/1"
RANKINGS = "leoportal.rankings/1"
PRECEDENTS = "leoportal.precedents/1"
SCHEMA_FILES = {
    CAPABILITIES: "capabilities.schema.json",
    PROPOSALS: "proposals.schema.json",
    RANKINGS: "rankings.schema.json",
    PRECEDENTS: "precedents.schema.json",
}
LIST_KEYS = {
    CAPABILITIES: "capabilities",
    PROPOSALS: "proposals",
    RANKINGS: "rankings",
    PRECEDENTS: "precedents",
}
# The deepest nesting of lists and objects a document may have. The formats need five levels; a document nested a
# few hundred deep parses, but its validation would recurse past Python's limit.
MAX_DEPTH = 32


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


class InterchangeError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@cache
def validator(document_format: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / SCHEMA_FILES[document_format]).read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


def json_path(parts) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _reject_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def loads(text: str | bytes):
    """Parse JSON strictly: NaN and Infinity are refused (they are not JSON and no field accepts them)."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise InterchangeError([Problem("$", "the file is not UTF-8 text")]) from None
    except RecursionError:
        raise InterchangeError([Problem("$", "the document is nested too deeply")]) from None
    except ValueError as error:
        raise InterchangeError([Problem("$", f"not valid JSON: {error}")]) from None


def parse_document(source, document_format: str) -> dict:
    """Validate ``source`` (JSON text, bytes or an already parsed object) as a ``document_format`` document."""
    data = loads(source) if isinstance(source, str | bytes) else source
    if not isinstance(data, dict):
        raise InterchangeError([Problem("$", "the document must be a JSON object with a 'format' key")])
    too_deep = _first_too_deep(data)
    if too_deep is not None:
        # Reported against the top-level key, not the entry: nothing else in the document was checked.
        where = json_path(too_deep[:3])
        raise InterchangeError(
            [
                Problem(
                    json_path(too_deep[:1]),
                    f"the document is nested too deeply (more than {MAX_DEPTH} levels, from {where})",
                )
            ]
        )
    if data.get("format") != document_format:
        found = data.get("format")
        raise InterchangeError(
            [
                Problem(
                    "$.format",
                    f"expected {document_format!r}, found {found!r}; is this the right kind of file?",
                )
            ]
        )
    problems = [
        Problem(json_path(error.absolute_path), _describe(error))
        for error in sorted(_leaf_errors(validator(document_format).iter_errors(data)), key=_error_order)
    ]
    problems += _unstorable_values(data)
    if problems:
        raise InterchangeError(problems)
    return data


def _first_too_deep(data) -> list | None:
    """The path of the first list or object nested deeper than MAX_DEPTH, found without recursion."""
    stack = [(data, [])]
    while stack:
        value, parts = stack.pop()
        if isinstance(value, dict):
            children = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        else:
            continue
        if len(parts) >= MAX_DEPTH:
            return parts
        stack.extend((child, [*parts, key]) for key, child in children)
    return None


def _error_order(error):
    return [str(part) for part in error.absolute_path], error.message


def _leaf_errors(errors):
    """Replace an anyOf failure by the errors inside the branch the value was evidently meant for.

    ``{"min": "x", "max": 3}`` fails ``anyOf [range object, null]``; the useful message is about ``min``.
    """
    for error in errors:
        if error.validator == "anyOf" and error.context:
            branch_errors = [e for e in error.context if e.validator != "type" or e.relative_path]
            if branch_errors:
                yield from _leaf_errors(branch_errors)
                continue
        yield error


def _describe(error) -> str:
    if error.validator == "anyOf" and isinstance(error.instance, bool | int | float | str | list | dict):
        # anyOf [thing, null]: name what the field accepts instead of dumping the sub-schemas.
        kinds = []
        for option in error.validator_value:
            if "enum" in option:
                kinds.append("one of " + ", ".join(map(str, option["enum"])))
            elif "type" in option:
                kinds.append("null (not stated)" if option["type"] == "null" else _article(option["type"]))
        return f"{error.instance!r} is not valid here; expected " + " or ".join(kinds)
    return error.message


def _unstorable_values(data, parts=()) -> list[Problem]:
    """Values JSON allows but no field can hold: NaN and infinities (given as objects), NUL characters (PostgreSQL
    text cannot hold them) and unpaired surrogates (not Unicode text), in keys or values."""
    if isinstance(data, float) and not math.isfinite(data):
        return [Problem(json_path(parts), "numbers must be finite")]
    if isinstance(data, str):
        return [Problem(json_path(parts), problem)] if (problem := _text_problem(data)) else []
    problems = []
    if isinstance(data, dict):
        for key, value in data.items():
            if problem := _text_problem(key):
                problems.append(Problem(json_path((*parts, key)), f"the key {problem}"))
            problems += _unstorable_values(value, (*parts, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            problems += _unstorable_values(value, (*parts, index))
    return problems


def _text_problem(text: str) -> str:
    if "\x00" in text:
        return "contains a NUL character (\\u0000); remove it"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate (an escape like \\ud800 that is not a character); remove it"
    return ""


def dumps(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"
