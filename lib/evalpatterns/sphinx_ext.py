"""A Sphinx extension for the book: drop script entries that a page would load twice.

Sphinx 7.4 writes the inline thebe configuration script into every page twice (the extension adds it
once and the page context again), so the browser reports "Identifier 'THEBE_JS_URL' has already been
declared" on every page. Keeping the first of each identical entry removes the error.
"""
from __future__ import annotations


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        # the duplicate differs only in having filename '' where the first has None
        attributes = getattr(script, "attributes", {}) or {}
        key = (getattr(script, "filename", None) or "", attributes.get("body", ""), attributes.get("src", ""))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
