"""Readers the PDF check's child opens a file with in tests (projects.domain.attachments.READER). The child comes
from the fork server, which imports this module by name: standard library and pypdf only, never Django."""

import threading
import time

from pypdf import PdfReader


def waits_then_reads(*args, **kwargs):
    """A busy server: the child waits past the limit by the clock, with next to no processor time, then reads."""
    time.sleep(1.5)
    return PdfReader(*args, **kwargs)


def never_answers(*args, **kwargs):
    time.sleep(60)


# A lock another thread of the web worker holds while a file is checked (a live server's, a driver's, a logger's).
HELD_ELSEWHERE = threading.Lock()


def reads_under_the_lock(*args, **kwargs):
    """Takes HELD_ELSEWHERE before reading: a child forked from the web worker itself would inherit it held."""
    with HELD_ELSEWHERE:
        return PdfReader(*args, **kwargs)
