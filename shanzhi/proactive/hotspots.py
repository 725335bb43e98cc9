"""Hotspots (热点): many similar appeals in one community (or grid) within 24 hours or 7 days.

Pure clustering over :class:`HotspotFacts`: appeals are grouped by community, then by their level-2 category (a leaf
counts by its level-2 ancestor); appeals without one are grouped by text similarity (character-bigram cosine, a
leader clustering in time order). A group is a hotspot when it has at least ``threshold`` distinct callers in the
window — one citizen calling six times is a persistent caller, not a hotspot (appeals without a phone count once
each). :func:`hotspot_facts` reads the appeals of a window with one query.

Settings (``SHANZHI["HOTSPOTS"]``, optional): ``windows`` — ``{"24h": {"hours": 24, "threshold": 5},
"7d": {"hours": 168, "threshold": 10}}``; ``min_text`` (0.4) for text clusters.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from shanzhi.appeals.models import Appeal, AppealState
from shanzhi.proactive.duplicates import bigrams, cosine

DEFAULT_WINDOWS: dict[str, dict[str, float]] = {
    "24h": {"hours": 24, "threshold": 5},
    "7d": {"hours": 168, "threshold": 10},
}
# Rejected appeals were never ours; merged ones repeat their master, which counts already.
NOT_COUNTED = (AppealState.REJECTED, AppealState.MERGED)


@dataclass(frozen=True)
class Window:
    name: str
    length: dt.timedelta
    threshold: int


def windows_configured() -> list[Window]:
    conf: dict[str, Any] = getattr(settings, "SHANZHI", {}).get("HOTSPOTS", {})
    spec = conf.get("windows", DEFAULT_WINDOWS)
    return [
        Window(name, dt.timedelta(hours=float(v["hours"])), int(v["threshold"]))
        for name, v in sorted(spec.items(), key=lambda item: item[1]["hours"])
    ]


def min_text_configured() -> float:
    return float(getattr(settings, "SHANZHI", {}).get("HOTSPOTS", {}).get("min_text", 0.4))


@dataclass(frozen=True)
class HotspotFacts:
    id: int
    created_at: dt.datetime
    community_code: str
    grid_code: str
    category_l2_id: int | None
    text: frozenset[str]
    caller: str  # the phone, or "#<id>" when there is none


@dataclass
class Cluster:
    community_code: str
    window: str
    key: str  # "cat:<level-2 category id>" or "text"
    category_l2_id: int | None
    members: list[HotspotFacts] = field(default_factory=list)

    @property
    def member_ids(self) -> list[int]:
        return [m.id for m in self.members]

    @property
    def callers(self) -> int:
        return len({m.caller for m in self.members})

    @property
    def first_at(self) -> dt.datetime:
        return min(m.created_at for m in self.members)

    @property
    def last_at(self) -> dt.datetime:
        return max(m.created_at for m in self.members)

    @property
    def area_code(self) -> str:
        """The grid when every member lies in the same grid, else the community."""
        grids = {m.grid_code for m in self.members}
        return grids.pop() if len(grids) == 1 and "" not in grids else self.community_code


def _text_clusters(items: list[HotspotFacts], min_text: float) -> list[list[HotspotFacts]]:
    groups: list[list[HotspotFacts]] = []
    for item in sorted(items, key=lambda f: (f.created_at, f.id)):
        for group in groups:
            if cosine(item.text, group[0].text) >= min_text:
                group.append(item)
                break
        else:
            groups.append([item])
    return groups


def clusters_find(
    facts: Iterable[HotspotFacts], *, window: Window, now: dt.datetime, min_text: float = 0.4
) -> list[Cluster]:
    """The groups of ``facts`` created within ``window`` before ``now`` that reach the window's threshold."""
    start = now - window.length
    by_community: dict[str, list[HotspotFacts]] = defaultdict(list)
    for f in facts:
        if f.community_code and start <= f.created_at <= now:
            by_community[f.community_code].append(f)
    found: list[Cluster] = []
    for community, items in sorted(by_community.items()):
        by_category: dict[int, list[HotspotFacts]] = defaultdict(list)
        loose: list[HotspotFacts] = []
        for item in items:
            if item.category_l2_id is None:
                loose.append(item)
            else:
                by_category[item.category_l2_id].append(item)
        groups = [Cluster(community, window.name, f"cat:{cid}", cid, ms) for cid, ms in sorted(by_category.items())]
        groups += [Cluster(community, window.name, "text", None, ms) for ms in _text_clusters(loose, min_text)]
        found.extend(g for g in groups if g.callers >= window.threshold)
    return found


def _level2(appeal: Appeal) -> int | None:
    category = appeal.category
    if category is None or category.level < 2:
        return None
    return category.pk if category.level == 2 else category.parent_id


def facts_of(appeal: Appeal) -> HotspotFacts | None:
    """None when the appeal is not placed down to a community."""
    area = appeal.area
    if area is None or area.kind not in ("community", "grid"):
        return None
    community = area.code if area.kind == "community" else (area.parent.code if area.parent else "")
    return HotspotFacts(
        id=appeal.pk,
        created_at=appeal.created_at,
        community_code=community,
        grid_code=area.code if area.kind == "grid" else "",
        category_l2_id=_level2(appeal),
        text=bigrams(f"{appeal.title} {appeal.content}"),
        caller=appeal.citizen_phone or f"#{appeal.pk}",
    )


def hotspot_facts(*, since: dt.datetime, until: dt.datetime) -> list[HotspotFacts]:
    """The counted appeals created in [since, until], placed down to a community."""
    rows = (
        Appeal.objects.filter(created_at__gte=since, created_at__lte=until, area__kind__in=["community", "grid"])
        .exclude(state__in=NOT_COUNTED)
        .select_related("area__parent", "category")
        .only(
            "id",
            "created_at",
            "title",
            "content",
            "citizen_phone",
            "area",
            "category",
            "area__parent",
            "area__code",
            "area__kind",
            "area__parent__code",
            "category__level",
            "category__parent_id",
        )
    )
    return [f for appeal in rows.iterator(chunk_size=2000) if (f := facts_of(appeal)) is not None]
