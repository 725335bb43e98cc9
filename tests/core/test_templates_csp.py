"""Every served template keeps to the Content-Security-Policy (``script-src 'self'; style-src 'self'``): no inline
script or style, no ``style=""`` or ``on…=""`` attribute, no ``javascript:`` address. A template rendered only into
a PDF by WeasyPrint says so with the marker below and may style itself inline. The browser test
(tests/e2e/test_content_security_policy.py) checks what runs; this one checks every template, new apps' included."""

from __future__ import annotations

import re
from pathlib import Path

import shanzhi

PRINT_ONLY = "{# print-only"
ROOT = Path(shanzhi.__file__).parent
RULES = {
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "inline <style>": re.compile(r"<style[\s>]", re.I),
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
}


COMMENTS = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}|<!--.*?-->", re.S)


def _code(path: Path) -> str:
    """The template without its comments (kept as blank lines, so line numbers hold)."""
    return COMMENTS.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))


def _served_templates() -> list[Path]:
    found = []
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        if "/admin/" in path.as_posix():  # Django admin overrides: the admin's own templates
            continue
        if PRINT_ONLY in path.read_text(encoding="utf-8"):
            continue
        found.append(path)
    return found


def test_served_templates_have_no_inline_script_or_style():
    templates = _served_templates()
    assert len(templates) > 50  # positive control: the walk finds the apps' templates
    offences = [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}: {name}"
        for path in templates
        for text in [_code(path)]
        for name, rule in RULES.items()
        for m in rule.finditer(text)
    ]
    assert offences == []


def test_the_rules_catch_what_they_mean():
    assert RULES["style attribute"].search('<div style="height:1px">')
    assert RULES["inline <script>"].search("<script>alert(1)</script>")
    assert not RULES["inline <script>"].search('<script src="/static/x.js"></script>')
    assert not RULES["inline <script>"].search('<script type="application/json" id="d">{}</script>')
    assert RULES["event handler attribute"].search('<a onclick="x()">')
