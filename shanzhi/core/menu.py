"""The console's left navigation as a registry (DESIGN §11: by task, only what the user may use).

Every app that has console pages registers its entries in ``AppConfig.ready()``; the console renders them. So an app
below the console (grid, data hub, IoT, mediation, …) never imports the console to appear in its menu::

    from shanzhi.core import menu
    menu.register(menu.MenuEntry("grid", _("网格管理"), "grid:index", order=100, visible=permissions.may_manage_grids))

``visible`` takes the user and says whether the entry is shown; the page itself must still check (a menu is not a
permission). ``order`` sorts the menu: the appeal desk uses 10-90, capabilities 100-190, administration 900.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str | Promise
    url_name: str
    order: int
    visible: Callable[[Any], bool]
    query: str = ""


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str | Promise
    url: str


_entries: dict[str, MenuEntry] = {}


def register(entry: MenuEntry) -> MenuEntry:
    """Add (or replace, by key) an entry."""
    _entries[entry.key] = entry
    return entry


def unregister(key: str) -> None:
    _entries.pop(key, None)


def entries() -> list[MenuEntry]:
    return sorted(_entries.values(), key=lambda entry: (entry.order, entry.key))


def items_for(user: Any) -> list[MenuItem]:
    """The entries ``user`` may see, in order, with their URLs (an entry whose URL does not resolve is left out)."""
    items = []
    for entry in entries():
        if not entry.visible(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append(MenuItem(entry.key, entry.label, url + entry.query))
    return items
