"""An in-process snapshot of what routing reads on every intake: the category tree, the active catalogue lines and
the units. These change a few times a year and are read thousands of times a day, so each process keeps a copy,
dropped at once when this process edits them (signals) and reloaded every ``SHANZHI["ROUTING_CACHE_SECONDS"]``
(default 30 s) so that edits made by other processes are seen within that time (three small queries).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from shanzhi.orgs.models import Unit
from shanzhi.routing.models import Category, DispatchRule
from shanzhi.routing.rules import split_words


@dataclass(frozen=True)
class RuleLine:
    rule_id: int
    category_id: int
    area_code: str | None
    area_depth: int | None
    lead_unit_id: int | None
    territorial_level: str
    priority: int
    assisting_ids: tuple[int, ...]
    keywords: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    weekdays: str = ""
    start_time: dt.time | None = None
    end_time: dt.time | None = None


@dataclass
class Catalogue:
    categories: dict[int, Category] = field(default_factory=dict)
    categories_by_code: dict[str, Category] = field(default_factory=dict)
    categories_by_path: dict[str, Category] = field(default_factory=dict)
    rules_by_category: dict[int, list[RuleLine]] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    units_by_code: dict[str, Unit] = field(default_factory=dict)

    def lineage(self, category_id: int) -> list[int]:
        """The category and its ancestors, nearest first."""
        ids: list[int] = []
        node = self.categories.get(category_id)
        while node is not None:
            ids.append(node.pk)
            node = self.categories.get(node.parent_id) if node.parent_id else None
        return ids

    def chain(self, unit: Unit) -> list[Unit]:
        """The unit and its ancestors, nearest first."""
        codes = [c for c in unit.path.strip("/").split("/") if c]
        return [self.units_by_code[c] for c in reversed(codes) if c in self.units_by_code]


_lock = Lock()
_state: dict[str, Any] = {"catalogue": None, "checked": 0.0}


def _load() -> Catalogue:
    cat = Catalogue()
    for c in Category.objects.all():
        cat.categories[c.pk] = c
        cat.categories_by_code[c.code] = c
        cat.categories_by_path[c.path] = c
    for u in Unit.objects.all():
        cat.units[u.pk] = u
        cat.units_by_code[u.code] = u
    assisting: dict[int, list[int]] = {}
    for rule_id, unit_id in DispatchRule.assisting_units.through.objects.values_list("dispatchrule_id", "unit_id"):
        assisting.setdefault(rule_id, []).append(unit_id)
    for r in DispatchRule.objects.filter(is_active=True):
        area = cat.units.get(r.area_id) if r.area_id else None
        line = RuleLine(
            rule_id=r.pk,
            category_id=r.category_id,
            area_code=area.code if area else None,
            area_depth=area.depth if area else None,
            lead_unit_id=r.lead_unit_id,
            territorial_level=r.territorial_level,
            priority=r.priority,
            assisting_ids=tuple(sorted(assisting.get(r.pk, []))),
            keywords=split_words(r.keywords),
            channels=split_words(r.channels),
            weekdays=r.weekdays.strip(),
            start_time=r.start_time,
            end_time=r.end_time,
        )
        cat.rules_by_category.setdefault(r.category_id, []).append(line)
    return cat


def _ttl() -> float:
    return float(getattr(settings, "SHANZHI", {}).get("ROUTING_CACHE_SECONDS", 30))


def catalogue() -> Catalogue:
    current: Catalogue | None = _state["catalogue"]
    if current is not None and time.monotonic() - _state["checked"] < _ttl():
        return current
    with _lock:
        current = _load()
        _state["catalogue"] = current
        _state["checked"] = time.monotonic()
        return current


def invalidate() -> None:
    with _lock:
        _state["catalogue"] = None
        _state["checked"] = 0.0


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(post_save, sender=DispatchRule)
@receiver(post_delete, sender=DispatchRule)
@receiver(post_save, sender=Unit)
@receiver(post_delete, sender=Unit)
@receiver(m2m_changed, sender=DispatchRule.assisting_units.through)
def _invalidate_on_edit(sender: type[models.Model], **kwargs: Any) -> None:
    transaction.on_commit(invalidate)
    invalidate()
