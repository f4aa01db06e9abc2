"""The projects app in the admin: calls, the proposal review desk, reviews, review panels, matches, flight
precedents and what hangs off proposals.

One module per subject; importing this package registers them all.
"""

from projects.admin import (
    calls,
    decisions,
    introduction_requests,
    introductions,
    matches,
    panels,
    precedents,
    proposals,
    reviews,
    team,
)

__all__ = [
    "calls",
    "decisions",
    "introduction_requests",
    "introductions",
    "matches",
    "panels",
    "precedents",
    "proposals",
    "reviews",
    "team",
]
