"""Display filters for proposals (projects/templatetags/proposal_tags.py)."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from projects.templatetags.proposal_tags import fit_label, usd


def render(source: str, **context) -> str:
    return Template("{% load proposal_tags %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("fit", "label"), [("fits", "Fits"), ("to_confirm", "To confirm"), ("does_not_fit", "Does not fit"), ("", "")]
)
def test_fit_label_names_the_fit_and_nothing_for_a_blank_one(fit, label):
    assert fit_label(fit) == label


def test_fit_label_in_a_template_reads_lower_case_in_a_sentence():
    assert render("({{ fit|fit_label|lower }})", fit="to_confirm") == "(to confirm)"


@pytest.mark.parametrize(("amount", "text"), [(Decimal("250000"), "$250,000"), (Decimal("1234.5"), "$1,234.50")])
def test_usd_writes_whole_dollars_without_cents(amount, text):
    assert usd(amount) == text
