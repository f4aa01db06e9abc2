"""The projects app in the admin: calls, the proposal review desk, reviews, matches, flight precedents and what hangs
off proposals.

One module per subject; importing this package registers them all.
"""

from projects import introduction_admin
from projects.admin import calls, introduction_requests, matches, precedents, proposals, reviews, team

__all__ = [
    "calls",
    "introduction_admin",
    "introduction_requests",
    "matches",
    "precedents",
    "proposals",
    "reviews",
    "team",
]
