"""Crawl every page a signed-in person reaches and check each one at phone and desktop width.

One browser context per person; each page is loaded once, checked and photographed at 1280 px, then at 390 px
(the viewport is resized, the page is not reloaded), and axe runs once at each width.
"""

import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.urls import Resolver404, resolve

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE
from tests.e2e.helpers import axe_violations, overlapping_controls

WIDTHS = (("desktop", DESKTOP), ("phone", PHONE))

# Links that answer with a file, not a page.
DOWNLOADS = re.compile(r"/(files|download|export)/|/attachments/|\.ics$")  # .ics: calendars, not pages

# One evaluation that measures what a person would see as broken: the page wider than the screen, text squeezed
# into a column too narrow to read, words cut in the middle by the line end, a box that scrolls sideways.
LAYOUT = r"""({allowScrollingBoxes}) => {
    const screen = document.documentElement.clientWidth;
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (typeof el.className === 'string' && el.className.trim() ?
         '.' + el.className.trim().split(/\s+/).slice(0, 3).join('.') : '');
    // Text kept for screen readers only: in a box clipped to a pixel (Bootstrap's visually-hidden, the header
    // row of a table shown as cards).
    const hidden = el => {
        for (let node = el; node && node !== document.body; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.overflow === 'visible' && style.clipPath === 'none' && style.clip === 'auto') continue;
            const box = node.getBoundingClientRect();
            if (box.width <= 2 || box.height <= 2) return true;
        }
        return false;
    };
    const lines = rects => new Set(rects.filter(r => r.width > 0.5 && r.height > 0.5)
                                      .map(r => Math.round(r.top))).size;
    const result = {width: document.documentElement.scrollWidth, screen, squeezed: [], broken: [], scrolling: []};
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    const seen = new Set();
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const text = node.textContent;
        if (!text.trim()) continue;
        const el = node.parentElement;
        if (!el || hidden(el) || el.closest('script, style, noscript, template, option, select, textarea')) continue;
        if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
        range.selectNodeContents(node);
        const textRects = [...range.getClientRects()];
        if (textRects.length === 0) continue;
        // Squeezed: the text needs several lines because its box is narrower than about 44 px.
        const box = el.getBoundingClientRect();
        if (!seen.has(el) && box.width < 44 && text.trim().length > 2 && lines(textRects) > 1) {
            seen.add(el);
            result.squeezed.push(name(el) + ' "' + text.trim().slice(0, 30) + '" ' + Math.round(box.width) + 'px');
        }
        // Broken: a word cut between two lines. Addresses, links and tokens over 24 letters (identifiers, file
        // names) may wrap anywhere: on a phone there is no other way to show them.
        const tokens = /\S+/g;
        let token;
        while ((token = tokens.exec(text)) !== null && result.broken.length < 10) {
            if (token[0].length > 24 || /@|:\/\/|\.\w/.test(token[0])) continue;
            const parts = /[^\-\u2010-\u2014/]+/g;
            let part;
            while ((part = parts.exec(token[0])) !== null) {
                if (part[0].length < 2) continue;
                range.setStart(node, token.index + part.index);
                range.setEnd(node, token.index + part.index + part[0].length);
                if (lines([...range.getClientRects()]) > 1) result.broken.push(name(el) + ' "' + part[0] + '"');
            }
        }
    }
    if (!allowScrollingBoxes) {
        for (const el of document.body.querySelectorAll('*')) {
            const style = getComputedStyle(el);
            if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1 &&
                el.checkVisibility() && !el.closest('pre')) {
                result.scrolling.push(name(el) + ' ' + el.scrollWidth + '>' + el.clientWidth);
            }
        }
    }
    result.squeezed = result.squeezed.slice(0, 10);
    result.broken = result.broken.slice(0, 10);
    result.scrolling = result.scrolling.slice(0, 10);
    return result;
}"""


def layout_problems(page, allow_scrolling_boxes):
    """What is wrong with the page's layout at the current viewport, as a dict (empty when nothing is)."""
    found = page.evaluate(LAYOUT, {"allowScrollingBoxes": allow_scrolling_boxes})
    problems = {}
    if found["width"] > found["screen"]:
        problems["page wider than the screen"] = f"{found['width']} px on a {found['screen']} px screen"
    for key, label in (("squeezed", "text squeezed"), ("broken", "words broken"), ("scrolling", "sideways box")):
        if found[key]:
            problems[label] = found[key]
    overlaps = overlapping_controls(page)
    if overlaps:
        problems["controls drawn over each other"] = overlaps
    return problems


# Query parameters that change the order, the page or the way back, not what kind of page it is.
PRESENTATION_PARAMETERS = {"o", "p", "page", "_facets", "_changelist_filters", "next"}
# Pages that are the same whoever asks, but for the navigation (checked on every page anyway): the first person
# to reach them checks them for everyone (the account pages are allauth's forms, alike for every role).
PUBLIC_ROUTES = ("/calls/", "/catalogue/", "/accounts/")
# Django's generic admin pages look alike from one model to the next: one page of each kind, no filtered lists,
# except for the review desk's own pages (the proposals).
GENERIC_ADMIN = re.compile(r"^/admin/(?!projects/proposal/)")


def normalise(url):
    """The URL without its fragment and without the parameters in PRESENTATION_PARAMETERS."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = urlencode([(key, value) for key, value in query if key not in PRESENTATION_PARAMETERS])
    return parts._replace(query=kept, fragment="").geturl()


def page_kind(url):
    """The route a URL answers to, and whether it carries a query: ``/catalogue/listings/<uuid>/`` for every
    listing, ``/admin/projects/proposal/`` with a query for every filter of the proposal list."""
    parts = urlsplit(url)
    try:
        route = "/" + resolve(parts.path).route
    except Resolver404:
        route = parts.path
    return route, bool(parts.query)


def allowed_samples(kind, samples) -> int:
    """How many pages of ``kind`` to check: ``samples``, one of a kind with a query; in Django's generic admin
    pages one, and none with a query."""
    route, has_query = kind
    if GENERIC_ADMIN.match(route):
        return 0 if has_query else 1
    return 1 if has_query else samples


@dataclass
class CrawlReport:
    person: str
    pages: list = field(default_factory=list)
    problems: dict = field(default_factory=dict)
    seconds: float = 0.0
    spent: Counter = field(default_factory=Counter)  # seconds per step: load, layout, axe, screenshot


def same_site_links(page, base_url):
    return page.evaluate(
        """(base) => [...document.querySelectorAll('a[href]')]
            .filter(a => !a.hasAttribute('download'))
            .map(a => a.href.split('#')[0])
            .filter(href => href.startsWith(base + '/'))""",
        base_url,
    )


def crawl(page, person, base_url, start, depth=2, samples=2, public_kinds=None):
    """Visit ``start`` (paths) and the pages linked from them, ``depth`` links deep, checking each page.

    Pages of one kind (see ``page_kind``) differ only in their rows: the first few of each kind reached are checked
    (``allowed_samples``). ``public_kinds`` counts the kinds of PUBLIC_ROUTES across people. Returns a CrawlReport:
    the pages checked and, per page, what is wrong with it."""
    report = CrawlReport(person)
    began = time.monotonic()
    queue = deque((normalise(base_url + path), 0) for path in start)
    queued = {url for url, _level in queue}
    kinds = Counter()
    public_kinds = Counter() if public_kinds is None else public_kinds
    folder = ARTIFACTS / "crawl" / person
    folder.mkdir(parents=True, exist_ok=True)
    while queue:
        url, level = queue.popleft()
        step = time.monotonic()
        response = page.goto(url)
        report.spent["load"] += time.monotonic() - step
        path = normalise(page.url).removeprefix(base_url)  # after redirects
        if path in report.pages or path in report.problems:
            continue
        problems = {}
        if response is None or response.status != 200:
            problems["status"] = response.status if response else "no response"
        elif "text/html" not in (response.header_value("content-type") or ""):
            continue
        else:
            report.pages.append(path)
            slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:120] or "home"
            in_admin = urlsplit(page.url).path.startswith("/admin/")
            for label, viewport in WIDTHS:
                step = time.monotonic()
                page.set_viewport_size(viewport)
                page.evaluate("() => new Promise(resolve => requestAnimationFrame(() => resolve()))")
                for problem, detail in layout_problems(page, allow_scrolling_boxes=in_admin).items():
                    problems[f"{label}: {problem}"] = detail
                report.spent["layout"] += time.monotonic() - step
                if label == "desktop":  # every element shown (the navigation is not folded away)
                    step = time.monotonic()
                    violations = axe_violations(page)
                    if violations:
                        problems["accessibility"] = violations
                    report.spent["axe"] += time.monotonic() - step
                step = time.monotonic()
                page.screenshot(path=str(folder / f"{slug}-{label}.jpeg"), full_page=True, type="jpeg", quality=70)
                report.spent["screenshot"] += time.monotonic() - step
            if level < depth:
                for found in same_site_links(page, base_url):
                    link = normalise(found)
                    if link in queued or DOWNLOADS.search(urlsplit(link).path):
                        continue
                    queued.add(link)
                    kind = page_kind(link)
                    counter = public_kinds if kind[0].startswith(PUBLIC_ROUTES) else kinds
                    if counter[kind] < allowed_samples(kind, samples):
                        counter[kind] += 1
                        queue.append((link, level + 1))
        if problems:
            report.problems[path] = problems
    report.seconds = round(time.monotonic() - began, 1)
    return report
