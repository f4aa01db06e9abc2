"""Checks a browser test runs on each key page: screenshots at two widths, overflow, accessibility."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.factories import PASSWORD, STAFF_TOTP_SECRET
from tests.utils import totp_code

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
            // Inside a box that clips or scrolls (a table's header kept for screen readers, a scrolling table),
            // an element cannot widen the page.
            const clipped = el => {
                for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
                    if (getComputedStyle(node).overflowX !== 'visible') return true;
                }
                return false;
            };
            for (const el of document.body.querySelectorAll('*')) {
                const rect = el.getBoundingClientRect();
                if (rect.width > 0 && rect.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
                    if (!el.closest('.table-responsive, .overflow-auto, pre') && !clipped(el)) {
                        offenders.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                                       (el.className && typeof el.className === 'string' ?
                                        '.' + el.className.trim().split(/\\s+/).join('.') : ''));
                    }
                }
            }
            return offenders.slice(0, 10);
        }"""
    )


def overlapping_controls(page):
    """Pairs of visible controls (links, buttons, fields) drawn over each other, by selector."""
    return page.evaluate(
        """() => {
            const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '') +
                (el.tagName === 'A' ? '[href=' + el.getAttribute('href') + ']' : '');
            // A sticky or fixed bar (the form's Save / Submit bar) rides over the page by design.
            const floating = el => {
                for (let node = el; node; node = node.parentElement) {
                    if (['fixed', 'sticky'].includes(getComputedStyle(node).position)) return true;
                }
                return false;
            };
            // The part of a box its scrolling or clipping ancestors show (a wide table scrolled in its own box
            // hides its far columns; they are not drawn over what sits beside the box).
            const shown = (el, r) => {
                let box = {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
                for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
                    const style = getComputedStyle(node);
                    if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
                    const clip = node.getBoundingClientRect();
                    box = {left: Math.max(box.left, clip.left), right: Math.min(box.right, clip.right),
                           top: Math.max(box.top, clip.top), bottom: Math.min(box.bottom, clip.bottom)};
                }
                return box;
            };
            const selector = 'a[href], button, input:not([type=hidden]), select, textarea';
            const controls = [...document.body.querySelectorAll(selector)]
                .filter(el => el.checkVisibility({opacityProperty: true, visibilityProperty: true}))
                // A link that wraps has a box per line: compare those, not the rectangle around both lines.
                .map(el => ({el, boxes: [...el.getClientRects()].map(r => shown(el, r))
                                          .filter(r => r.right - r.left > 1 && r.bottom - r.top > 1),
                             floating: floating(el)}))
                .filter(({boxes}) => boxes.length > 0);
            const cross = (r, q) => Math.min(r.right, q.right) - Math.max(r.left, q.left) > 2 &&
                Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top) > 2;
            const pairs = [];
            for (let i = 0; i < controls.length; i++) {
                for (let j = i + 1; j < controls.length; j++) {
                    const a = controls[i], b = controls[j];
                    if (a.el.contains(b.el) || b.el.contains(a.el) || a.floating !== b.floating) continue;
                    if (a.boxes.some(r => b.boxes.some(q => cross(r, q)))) pairs.push(name(a.el) + ' / ' + name(b.el));
                }
            }
            return pairs.slice(0, 10);
        }"""
    )


def check_page(page, name):
    """Screenshot ``page`` at desktop and phone width; assert nothing overflows or overlaps and no serious
    accessibility issue."""
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
        overlap = overlapping_controls(page)
        if overlap:
            problems[f"{label} overlap"] = overlap
    violations = axe_violations(page)
    if violations:
        problems["accessibility"] = violations
    page.set_viewport_size(original)
    assert problems == {}, f"{name}: {problems}"


def sign_in(page, email, landing="**/proposals/"):
    """Sign in through the site's login form and wait for the page the role lands on."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(landing)


def sign_out(page):
    page.get_by_role("navigation", name="Main").locator(".dropdown-toggle").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")


_codes_used: dict[str, set[str]] = {}


def authenticator_code(email) -> str:
    """What the staff member's authenticator app shows (StaffFactory's secret). A code works once, so a second
    sign-in within the same 30 seconds uses the next step's code, which the site also accepts."""
    used = _codes_used.setdefault(email, set())
    code = next(code for code in (totp_code(STAFF_TOTP_SECRET, step) for step in (0, 1)) if code not in used)
    used.add(code)
    return code


def forget_used_codes() -> None:
    _codes_used.clear()


def sign_in_to_admin(page, email):
    """Sign in as program staff: the admin sends to the site's sign-in, which asks for the password and then for
    the code of the authenticator app."""
    page.goto("/admin/")
    page.wait_for_url("**/accounts/login/?next=/admin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(authenticator_code(email))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")


def answer_interested(page, introduction, message):
    """As a provider member on the introduction's page: answer interested with ``message``."""
    page.get_by_label("Interested", exact=True).check()
    page.get_by_label("Message (optional)").fill(message)
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_url(f"**/introductions/{introduction.public_id}/")


def open_section(page, name):
    """The proposal form shows one section at a time: open ``name`` from its section menu, with the keyboard.

    Playwright checks a pointer click's target at the press alone, so a click whose release lands elsewhere is lost
    while the call succeeds; once, on a loaded run, the section then stayed hidden. Enter on the focused link always
    clicks it, and focusing the link leaves the field as the pointer does (so the autosave runs)."""
    link = page.locator("[data-section-link]", has_text=name)
    link.focus()
    link.press("Enter")
    expect(link).to_have_attribute("aria-current", "step")  # the menu took it: a hidden section after this is a bug
    page.locator(f"#{link.get_attribute('data-section-link')}").wait_for()
