"""What one visit of a page of the built book measures, for the browser tests (test_browser.py, test_reading.py).

Opening a page in chromium costs far more than measuring it, and several tests need facts of the same page at
the same size: so a visit opens the page once per (path, viewport, colour scheme), measures everything those
tests need and closes it, and :class:`Visits` keeps the facts -- plain data -- for the session. Each test
still asserts its own facts, and fails on its own.

axe-core runs on the desktop visits only: every rule of its default set in light mode, and in dark mode only
the rules whose result depends on computed colours (:data:`COLOUR_RULES`); the others (structure, ARIA,
names, landmarks) read nothing that the colour scheme changes. test_reading.py checks that COLOUR_RULES are
exactly the rules tagged ``cat.color`` that the light run ran, so a new colour rule in axe-core fails there.
"""
from __future__ import annotations

from browser_fixtures import DESKTOP, PHONE, open_page

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

# axe-core 4.12's rules tagged cat.color that run by default (color-contrast-enhanced is off by default).
COLOUR_RULES = ("color-contrast", "link-in-text-block")

# (viewport, scheme) -> the axe rules run there: None for axe's default set; no entry, no axe run.
AXE_RULES = {("desktop", "light"): None, ("desktop", "dark"): COLOUR_RULES}

IMAGES_JS = """() => [...document.images].map(i => ({
    src: i.getAttribute('src'), complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}))"""

LINKS_JS = "() => [...document.querySelectorAll('a[href]')].map(a => [a.getAttribute('href'), a.href])"

FIGURES_JS = """() => [...document.querySelectorAll('figure img')].map(img => ({
    src: img.getAttribute('src'), shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
    background: getComputedStyle(img).backgroundColor,
    link: img.closest('a') ? img.closest('a').getAttribute('href') : null,
    madeBy: (img.closest('figure').querySelector('.figure-made-by') || {}).innerText || ''}))"""

TABLES_JS = """() => [...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect().width > 0)
  .map(t => { const box = t.closest('.pst-scrollable-table-container') || t.parentElement;
    const cue = box.previousElementSibling;
    return {id: t.id, boxWidth: box.clientWidth, tableWidth: box.scrollWidth,
            scrolls: box.classList.contains('scrolls'),
            cue: !!(cue && cue.classList.contains('scroll-cue') && cue.getBoundingClientRect().height > 0),
            captionInBox: !!box.querySelector('caption, .table-caption'),
            caption: !!document.getElementById('caption-' + t.id)}; })"""

SEARCH_CONTROLS = ".search-button-field:visible, .search-button:visible, form.bd-search:visible"

OVERFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
    const scroller = el => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            const o = getComputedStyle(a).overflowX;
            if (o === 'auto' || o === 'scroll') return a;
        }
        return null;
    };
    const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    const out = [];
    for (const el of document.querySelectorAll('table, figure, figure img')) {
        if (!visible(el)) continue;
        let box = el, how = '';
        if (el.tagName === 'TABLE') {
            const s = scroller(el);
            if (s) { box = s; how = ' (its scrollable container ' + describe(s) + ')'; }
        }
        const r = box.getBoundingClientRect();
        if (r.right > width + 1 || r.left < -1)
            out.push(describe(el) + how + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) +
                     ' px of a ' + width + ' px wide page');
    }
    // The page itself must not scroll sideways: name the innermost elements that stick out (outside any
    // scrollable container), e.g. a long unbreakable word.
    if (document.documentElement.scrollWidth > width + 1) {
        const sticksOut = (el, right) => right > width + 1 && !scroller(el) &&
                                         getComputedStyle(el).position !== 'fixed';
        const culprits = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let t = walker.nextNode(); t; t = walker.nextNode()) {
            if (!t.textContent.trim() || !t.parentElement) continue;
            const range = document.createRange();
            range.selectNodeContents(t);
            const right = range.getBoundingClientRect().right;
            if (sticksOut(t.parentElement, right)) culprits.push([t.parentElement, right, t.textContent]);
        }
        for (const el of document.body.querySelectorAll('*')) {
            if (!visible(el)) continue;
            const right = el.getBoundingClientRect().right;
            if (sticksOut(el, right) && ![...el.children].some(c => visible(c) && c.getBoundingClientRect().right > width + 1))
                culprits.push([el, right, el.textContent]);
        }
        for (const [el, right, text] of culprits.slice(0, 5))
            out.push('the page scrolls sideways (' + document.documentElement.scrollWidth + ' px wide): ' +
                     describe(el) + ' reaches ' + Math.round(right) + ' px: "' + text.trim().slice(0, 60) + '"');
        if (!culprits.length) out.push('the page scrolls sideways (' + document.documentElement.scrollWidth + ' px wide)');
    }
    return out;
}"""


def run_axe(page, rules: tuple[str, ...] | None) -> dict:
    """axe-core on the open page (the copy axe-playwright-python ships): its default rule set, or only
    ``rules`` (axe's ``runOnly``). Returns the rules it ran (id -> tags) and its violations, each with its id,
    impact, help, number of elements and the targets of the first three."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"]}
    if rules is not None:
        options["runOnly"] = {"type": "rule", "values": list(rules)}
    response = Axe().run(page, options=options).response
    ran = {r["id"]: r["tags"] for kind in ("violations", "passes", "incomplete", "inapplicable")
           for r in response[kind]}
    violations = [{"id": v["id"], "impact": v["impact"], "help": v["help"], "count": len(v["nodes"]),
                   "targets": [n["target"] for n in v["nodes"][:3]]} for v in response["violations"]]
    return {"ran": ran, "violations": violations}


def measure(browser, site: str, path: str, viewport: str, scheme: str) -> dict:
    """Open ``path`` at ``viewport`` ("desktop" or "phone") in colour ``scheme``, measure it, close it. axe
    runs last (it injects its script), after the page's own problems are copied."""
    page, watch = open_page(browser, site, path, VIEWPORTS[viewport],
                            before=lambda p: p.emulate_media(color_scheme=scheme))
    try:
        facts = {
            "url": page.url,
            "theme": page.evaluate("() => document.documentElement.dataset.theme"),
            "images": page.evaluate(IMAGES_JS),
            "links": page.evaluate(LINKS_JS),
            "figures": page.evaluate(FIGURES_JS),
            "tables": page.evaluate(TABLES_JS),
            "search_controls": page.locator(SEARCH_CONTROLS).count(),
            "overflow": page.evaluate(OVERFLOW_JS),
            "problems": list(watch.problems),  # the page's own, not axe's requests
        }
        if (viewport, scheme) in AXE_RULES:
            facts["axe"] = run_axe(page, AXE_RULES[viewport, scheme])
        return facts
    finally:
        page.close()


class Visits:
    """The facts of every page visited in the session, keyed by (path, viewport, scheme): each page is opened
    once per key, by whichever test first asks."""

    def __init__(self, site: str):
        self.site = site
        self._facts: dict[tuple[str, str, str], dict] = {}

    def facts(self, browser, path: str, viewport: str = "desktop", scheme: str = "light") -> dict:
        key = (path, viewport, scheme)
        if key not in self._facts:
            self._facts[key] = measure(browser, self.site, path, viewport, scheme)
        return self._facts[key]
