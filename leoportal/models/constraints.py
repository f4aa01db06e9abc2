"""Building blocks for the CheckConstraints of every app's models (proposals, precedents, listings ...).

Each returns the Q a constraint has always had: a constraint written another way would be a new migration."""

from django.db.models import F, Q


def choice_q(field: str, choices, blank: bool = True) -> Q:
    """The field holds one of ``choices`` (or is blank, when ``blank``)."""
    q = Q(**{f"{field}__in": list(choices)})
    return q | Q(**{field: ""}) if blank else q


def range_q(field: str, low, high) -> Q:
    """The field is null (not stated) or within [low, high]."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


def pair_q(low: str, high: str) -> Q:
    """Both null (not stated), or both set with low <= high."""
    both_null = Q(**{f"{low}__isnull": True, f"{high}__isnull": True})
    both_set = Q(**{f"{low}__isnull": False, f"{high}__isnull": False, f"{low}__lte": F(high)})
    return both_null | both_set
