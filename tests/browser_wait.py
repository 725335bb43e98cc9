"""Waiting on the page's state in browser tests under the Content-Security-Policy.

Playwright's ``page.wait_for_function`` compiles its predicate with ``eval`` inside the page, which the site's
policy (``script-src 'self'``, no ``unsafe-eval``) refuses — as it should. ``wait_js`` polls ``page.evaluate``
instead, which runs through the DevTools protocol and is not subject to the page's policy. Prefer Playwright's
``expect(locator)`` assertions where a locator says it; use this for the page's own JavaScript state.
"""

from __future__ import annotations

import time
from typing import Any


def wait_js(page: Any, expression: str, *, arg: Any = None, timeout: float = 15_000, interval: float = 0.05) -> Any:
    """Evaluate ``expression`` (optionally a function of ``arg``) until it is truthy; its value. ``timeout`` in ms."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression, arg) if arg is not None else page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"the page never satisfied: {expression}")
        time.sleep(interval)
