"""Text that people type and the site repeats elsewhere: names and titles stay on one line.

A name, a title or an organisation reaches e-mail subjects and headers and the first lines of e-mail bodies. A line
break in one would end the header early (Django refuses to send it: ``BadHeaderError``) or start a line of its own
in a message ("Subject: ..." inside staff's e-mail). Such fields therefore refuse control characters with
``validate_single_line``, and everything that builds an e-mail passes them through ``single_line`` as well, so text
stored before the rule (or arriving by another way) never breaks a message.
"""

import re

from django.core.exceptions import ValidationError

# C0 and C1 control characters (line breaks, tabs, NUL, escape...), DEL, the Unicode line and paragraph separators,
# and the bidirectional overrides that can make a name read differently from what it says.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SINGLE_LINE_MESSAGE = (
    "Write this on one line: remove line breaks, tabs and other invisible control characters (pasted text can "
    "bring them along)."
)


def validate_single_line(value: str) -> None:
    if value and CONTROL_CHARACTERS.search(value):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="control_characters")


def single_line(value) -> str:
    """``value`` as one line: every run of control characters and spaces becomes one space."""
    text = CONTROL_CHARACTERS.sub(" ", str(value or ""))
    return " ".join(text.split())
