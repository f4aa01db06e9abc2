"""Checks a browser test runs on each key page: screenshots at two widths, overflow, accessibility."""

import re
from pathlib import Path

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE

AXE_SOURCE = (Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js").read_text()


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page (evaluated through DevTools, so the page's CSP stays strict)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    # No preload: axe re-reads @import-ed stylesheets (the admin's forms.css imports widgets.css) by injecting <style>
    # elements, which the strict Content-Security-Policy blocks with console errors. Only the css-orientation-lock
    # rule needs the preloaded stylesheets.
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations'], preload: false})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def overflowing_elements(page):
    """Elements wider than the viewport (the page would scroll sideways), by selector."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const offenders = [];
            for (const el of document.body.querySelectorAll('*')) {
                const rect = el.getBoundingClientRect();
                if (rect.width > 0 && rect.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
                    if (!el.closest('.table-responsive, .overflow-auto, pre')) {
                        offenders.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                                       (el.className && typeof el.className === 'string' ?
                                        '.' + el.className.trim().split(/\\s+/).join('.') : ''));
                    }
                }
            }
            return offenders.slice(0, 10);
        }"""
    )


def check_page(page, name):
    """Screenshot ``page`` at desktop and phone width; assert no overflow and no serious accessibility issue."""
    folder = ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    original = page.viewport_size
    problems = {}
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(50)
        page.screenshot(path=str(folder / f"{slug}-{label}.png"), full_page=True)
        overflow = overflowing_elements(page)
        if overflow:
            problems[f"{label} overflow"] = overflow
    violations = axe_violations(page)
    if violations:
        problems["accessibility"] = violations
    page.set_viewport_size(original)
    assert problems == {}, f"{name}: {problems}"
