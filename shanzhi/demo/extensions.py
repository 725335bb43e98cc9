"""Each app's own demo data, gathered by ``shanzhi demo``.

An app that has demo data of its own (the grid's workers and patrols, the data hub's people, IoT devices, …) puts a
module ``demo.py`` in its package with one function::

    def demo_load(*, seed: int, now: datetime.datetime, scale: str) -> list[str]:
        '''Create (idempotently) this app's demo data; return lines for the command's output.'''

``scale`` is ``"demo"`` (a few of everything, seconds) or ``"district"`` (the model district's design volumes).
The loader calls them after the district, staff and appeals exist, in the order of ``INSTALLED_APPS`` (an app
comes after the apps it builds on), so no app below the composition layer ever imports the demo loader.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterator
from typing import Protocol

from django.apps import apps

SCALES = ("demo", "district")


class AppDemo(Protocol):
    def __call__(self, *, seed: int, now: dt.datetime, scale: str) -> list[str]: ...


def app_demos() -> Iterator[tuple[str, AppDemo]]:
    """(app label, its ``demo_load``) for every installed Shanzhi app that has a ``demo`` module."""
    for config in apps.get_app_configs():
        if not config.name.startswith("shanzhi.") or config.name == "shanzhi.demo":
            continue
        module_name = f"{config.name}.demo"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name == module_name:
                continue
            raise
        load: Callable[..., list[str]] | None = getattr(module, "demo_load", None)
        if load is not None:
            yield config.label, load


def app_demos_load(*, seed: int, now: dt.datetime, scale: str = "demo") -> list[str]:
    if scale not in SCALES:
        raise ValueError(f"unknown demo scale {scale!r}")
    lines: list[str] = []
    for _label, load in app_demos():
        lines.extend(load(seed=seed, now=now, scale=scale))
    return lines
