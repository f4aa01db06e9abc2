"""The checks every key page goes through find what they look for (so a clean result means something)."""

import pytest

from tests.e2e.helpers import overflowing_elements, overlapping_controls

pytestmark = pytest.mark.e2e

PAGE = """
<main>
  <div style="position: relative">
    <a href="/one" id="one">First link</a>
    <button id="over" style="position: absolute; left: 0; top: 0">Drawn over the link</button>
  </div>
  <p style="width: 3000px" id="wide">Wider than any screen</p>
  <p style="width: 12rem"><a href="/long" id="wrapping">a link long enough to wrap over two lines here</a>
     <a href="/next" id="next">next</a></p>
  <div style="position: sticky; bottom: 0"><button id="bar">Save</button></div>
</main>
"""


def test_the_overlap_and_overflow_checks_find_what_they_look_for(page):
    page.set_content(PAGE)

    overlaps = overlapping_controls(page)
    overflow = overflowing_elements(page)

    assert overlaps == ["a#one[href=/one] / button#over"]
    assert overflow == ["p#wide"]
