"""The gazetteer: an in-process index of the district's place names, built from the units and an aliases file.

:func:`address_resolve` turns an address text into the grid, community or town it names (see
:mod:`shanzhi.places.addresses` for how). The index is cached per process and rebuilt when a unit is saved or
deleted in this process, or — for edits made by another process — when the units' count or newest id has changed
at the next check (at most every ``SHANZHI["GAZETTEER_CACHE_SECONDS"]`` seconds, default 60).
"""

from __future__ import annotations

import csv
import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shanzhi.orgs.models import Unit, UnitKind
from shanzhi.places.addresses import AddressResolution, Place, PlaceIndex, match_address, normalize

logger = logging.getLogger(__name__)

DEFAULT_ALIASES = Path(__file__).resolve().parent / "data" / "place-aliases.csv"
_KINDS = (UnitKind.DISTRICT, UnitKind.TOWN, UnitKind.COMMUNITY, UnitKind.GRID)
_GRID_NUMBER = re.compile(r"第?(\d+)网格$")


@dataclass(frozen=True)
class Alias:
    alias: str
    kind: str  # "alias" or "compound"
    unit_code: str
    is_demo: bool = False


def aliases_read(path: Path | str | None = None) -> list[Alias]:
    """The rows of an aliases CSV (``alias,kind,unit_code,is_demo,note``); a missing file gives no aliases."""
    path = Path(path or _setting("PLACE_ALIASES_CSV", "") or DEFAULT_ALIASES)
    if not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            Alias(
                alias=row["alias"].strip(),
                kind=(row.get("kind") or "alias").strip(),
                unit_code=row["unit_code"].strip(),
                is_demo=(row.get("is_demo") or "").strip().lower() in {"1", "true", "yes"},
            )
            for row in csv.DictReader(handle)
            if (row.get("alias") or "").strip() and (row.get("unit_code") or "").strip()
        ]


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, "SHANZHI", {}).get(name, default)


def _grid_number(unit: Unit) -> int | None:
    found = _GRID_NUMBER.search(normalize(unit.name))
    if found:
        return int(found.group(1))
    tail = unit.code[12:]
    return int(tail) if tail.isdigit() else None


def places_build(aliases: list[Alias] | None = None) -> list[Place]:
    """The district's active, non-virtual territorial units (and the aliases) as :class:`Place` records."""
    district_code = settings.SHANZHI["DISTRICT_CODE"]
    units = list(
        Unit.objects.filter(kind__in=_KINDS, is_active=True, is_virtual=False)
        .filter(Q(code=district_code) | Q(path__contains=f"/{district_code}/"))
        .select_related("parent")
        .order_by("depth", "code")
    )
    by_code = {u.code: u for u in units}
    extra: dict[str, list[str]] = {}
    compounds: list[Alias] = []
    for alias in aliases if aliases is not None else aliases_read():
        if alias.unit_code not in by_code:
            continue
        if alias.kind == "compound":
            compounds.append(alias)
        else:
            extra.setdefault(alias.unit_code, []).append(alias.alias)

    def town_of(unit: Unit) -> str:
        node: Unit | None = unit
        while node is not None and node.kind != UnitKind.TOWN:
            node = by_code.get(node.parent.code) if node.parent_id and node.parent else None
        return node.code if node is not None else ""

    places: list[Place] = []
    for unit in units:
        community = ""
        if unit.kind == UnitKind.COMMUNITY:
            community = unit.code
        elif unit.kind == UnitKind.GRID and unit.parent is not None:
            community = unit.parent.code
        places.append(
            Place(
                key=f"unit:{unit.code}",
                kind=str(unit.kind),
                name=unit.name,
                unit_code=unit.code,
                town_code=town_of(unit) if unit.kind != UnitKind.TOWN else "",
                community_code=community,
                aliases=tuple(extra.get(unit.code, ())),
                grid_number=_grid_number(unit) if unit.kind == UnitKind.GRID else None,
            )
        )
    for alias in compounds:
        community_unit = by_code[alias.unit_code]
        places.append(
            Place(
                key=f"compound:{alias.alias}:{alias.unit_code}",
                kind="compound",
                name=alias.alias,
                unit_code=alias.unit_code,
                town_code=town_of(community_unit),
                community_code=alias.unit_code,
                aliases=(alias.alias,),
                is_demo=alias.is_demo,
            )
        )
    return places


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: PlaceIndex | None = None
        self.stamp: tuple[Any, ...] | None = None
        self.checked = 0.0


_cache = _Cache()


def _stamp() -> tuple[Any, ...]:
    agg = Unit.objects.filter(kind__in=_KINDS).aggregate(n=Count("pk"), last=Max("pk"))
    return (agg["n"], agg["last"], _setting("PLACE_ALIASES_CSV", ""))


def gazetteer() -> PlaceIndex:
    """The cached place index of this process."""
    index = _cache.index
    ttl = float(_setting("GAZETTEER_CACHE_SECONDS", 60))
    if index is not None and time.monotonic() - _cache.checked < ttl:
        return index
    with _cache.lock:
        stamp = _stamp()
        if _cache.index is None or _cache.stamp != stamp:
            _cache.index = PlaceIndex(places_build())
            _cache.stamp = stamp
            logger.info("gazetteer rebuilt: %d places", len(_cache.index))
        _cache.checked = time.monotonic()
        return _cache.index


def invalidate() -> None:
    """Forget the cached index (after editing units or aliases)."""
    with _cache.lock:
        _cache.index = None
        _cache.stamp = None
        _cache.checked = 0.0


def address_resolve(text: str) -> AddressResolution:
    """The grid, community or town an address names, with a score and an explanation (best may be None)."""
    return match_address(text or "", gazetteer())


@receiver(post_save, sender=Unit)
@receiver(post_delete, sender=Unit)
def _invalidate_on_unit_change(sender: type[Unit], **kwargs: Any) -> None:
    invalidate()
    transaction.on_commit(invalidate)
