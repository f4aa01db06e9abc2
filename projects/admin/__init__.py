"""The projects app in the admin: calls, the proposal review desk, reviews, matches, flight precedents and what hangs
off proposals.

One module per subject; importing this package registers them all.
"""

from projects.admin import calls, introduction_requests, introductions, matches, precedents, proposals, reviews, team

__all__ = [
    "calls",
    "introduction_requests",
    "introductions",
    "matches",
    "precedents",
    "proposals",
    "reviews",
    "team",
]
