"""Near-duplicate appeals (重复件): same caller, same place, similar text within a window.

The rule is pure (:func:`duplicate_score` over two :class:`AppealFacts`); :func:`duplicates_find` narrows the
candidates with one indexed query (time window and: same phone, or same community, or within a bounding box around
the point) and scores them in Python. A pair is a duplicate when the texts are similar enough **and** the caller or
the place is the same — or, for the same caller at the same place, when the category is the same and the texts share
something. Each match carries its reasons: "同一来电人；同一网格；文本相似度 0.82；间隔 3 小时".

The place is also the address as the operator typed it (同一地址: the same words once normalised, or nearly): a
hotline call often has no map point and no grid, and two callers about one broken lamp give the same address. And a
call that repeats another nearly word for word within ``recent_minutes`` is a duplicate even without a caller or a
place in common (the second call about the same matter from another phone, minutes later).

Settings (``SHANZHI["DUPLICATES"]``, all optional): ``window_days`` (7), ``distance_m`` (200), ``min_text`` (0.35),
``min_text_same_matter`` (0.2), ``min_score`` (0.5), ``limit`` (300 candidates read at most), ``recent_minutes``
(30), ``min_text_recent`` (0.6), ``min_address`` (0.8).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from shanzhi.appeals.models import Appeal, AppealState

# Words every citizen message has; they say nothing about the matter.
BOILERPLATE = (
    "市民来电反映",
    "来电人反映",
    "市民来电",
    "来电反映",
    "市民反映",
    "来电称",
    "来电",
    "反映",
    "诉求人",
    "您好",
    "你好",
    "请求",
    "希望",
    "相关部门",
    "有关部门",
    "尽快",
    "处理",
    "解决",
    "一下",
    "谢谢",
)
_NOISE = re.compile(r"[^\w]|_", re.UNICODE)
MERGEABLE_STATES = (AppealState.RECEIVED, AppealState.ACCEPTED, AppealState.DISPATCHED)
EXCLUDED_STATES = (AppealState.CLOSED, AppealState.REJECTED, AppealState.ANSWERED, AppealState.MERGED)


@dataclass(frozen=True)
class DuplicateSettings:
    window: dt.timedelta = dt.timedelta(days=7)
    distance_m: float = 200.0
    min_text: float = 0.35
    min_text_same_matter: float = 0.2
    min_score: float = 0.5
    limit: int = 300
    recent: dt.timedelta = dt.timedelta(minutes=30)
    min_text_recent: float = 0.6
    min_address: float = 0.8

    @classmethod
    def from_settings(cls) -> DuplicateSettings:
        conf: dict[str, Any] = getattr(settings, "SHANZHI", {}).get("DUPLICATES", {})
        return cls(
            window=dt.timedelta(days=float(conf.get("window_days", 7))),
            distance_m=float(conf.get("distance_m", 200)),
            min_text=float(conf.get("min_text", 0.35)),
            min_text_same_matter=float(conf.get("min_text_same_matter", 0.2)),
            min_score=float(conf.get("min_score", 0.5)),
            limit=int(conf.get("limit", 300)),
            recent=dt.timedelta(minutes=float(conf.get("recent_minutes", 30))),
            min_text_recent=float(conf.get("min_text_recent", 0.6)),
            min_address=float(conf.get("min_address", 0.8)),
        )


# --- text -----------------------------------------------------------------------------------------------------


def text_key(text: str) -> str:
    """Half-width, lower-case, without punctuation, spaces and boilerplate words."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    for word in BOILERPLATE:
        text = text.replace(word, " ")
    return _NOISE.sub(" ", text)


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of :func:`text_key` (a one-character text gives that character)."""
    out: set[str] = set()
    for run in text_key(text).split():
        if len(run) == 1:
            out.add(run)
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def cosine(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine of the binary bigram vectors (Ochiai): kinder than Jaccard to a short text inside a long one."""
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def text_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return round(cosine(a, b), 2)


# --- place ----------------------------------------------------------------------------------------------------


def address_key(address: str) -> str:
    """Half-width, lower-case, without punctuation and spaces: '和平路 12号（幸福小区）' → '和平路12号幸福小区'."""
    return "".join(_NOISE.sub(" ", unicodedata.normalize("NFKC", address or "").lower()).split())


def address_bigrams(address: str) -> frozenset[str]:
    key = address_key(address)
    return frozenset(key[i : i + 2] for i in range(len(key) - 1)) if len(key) >= 4 else frozenset()


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def bbox(lon: float, lat: float, metres: float) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a square of half-side ``metres`` around a point."""
    dlat = metres / 111_320.0
    dlon = metres / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


@dataclass(frozen=True)
class AppealFacts:
    """What the duplicate rule looks at, read from an appeal (or built directly in tests)."""

    id: int
    tracking_no: str
    created_at: dt.datetime
    text: frozenset[str]
    phone: str = ""
    area_code: str = ""
    area_kind: str = ""
    area_path: str = ""
    community_path: str = ""  # '' when the appeal is not placed down to a community
    longitude: float | None = None
    latitude: float | None = None
    category_id: int | None = None
    category_parent_id: int | None = None
    address: frozenset[str] = frozenset()  # bigrams of the typed address (:func:`address_key`)

    @classmethod
    def of(cls, appeal: Appeal) -> AppealFacts:
        area = appeal.area
        community_path = ""
        if area is not None:
            if area.kind == "community":
                community_path = area.path
            elif area.kind == "grid" and area.parent_id:
                community_path = area.path.rsplit("/", 2)[0] + "/"
        category = appeal.category
        return cls(
            id=appeal.pk,
            tracking_no=appeal.tracking_no,
            created_at=appeal.created_at,
            text=bigrams(f"{appeal.title} {appeal.content}"),
            phone=appeal.citizen_phone,
            area_code=area.code if area else "",
            area_kind=area.kind if area else "",
            area_path=appeal.area_path,
            community_path=community_path,
            longitude=appeal.longitude,
            latitude=appeal.latitude,
            category_id=appeal.category_id,
            category_parent_id=category.parent_id if category else None,
            address=address_bigrams(appeal.address),
        )


@dataclass(frozen=True)
class DuplicateMatch:
    appeal_id: int  # the appeal looked at
    master_id: int  # the earlier appeal it repeats
    master_tracking_no: str
    score: float
    text_similarity: float
    reasons: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return "；".join(self.reasons)


def interval_text(delta: dt.timedelta) -> str:
    minutes = abs(delta.total_seconds()) / 60
    if minutes < 60:
        return f"间隔 {int(minutes)} 分钟"
    if minutes < 48 * 60:
        return f"间隔 {int(minutes // 60)} 小时"
    return f"间隔 {int(minutes // (24 * 60))} 天"


def _place_relation(a: AppealFacts, b: AppealFacts, conf: DuplicateSettings) -> tuple[float, str]:
    if a.area_kind == "grid" and a.area_code and a.area_code == b.area_code:
        return 1.0, "同一网格"
    if None not in (a.longitude, a.latitude, b.longitude, b.latitude):
        metres = distance_m(a.longitude, a.latitude, b.longitude, b.latitude)  # type: ignore[arg-type]
        if metres <= conf.distance_m:
            return 1.0, f"相距 {int(metres)} 米"
    if a.community_path and b.area_path.startswith(a.community_path):
        return 0.6, "同一社区"
    if b.community_path and a.area_path.startswith(b.community_path):
        return 0.6, "同一社区"
    if a.address and b.address and cosine(a.address, b.address) >= conf.min_address:
        return 1.0, "同一地址"
    if a.area_code and a.area_code == b.area_code:
        return 0.3, "同一区域"  # the same town (or community without a path): not enough alone, see ``repeated``
    return 0.0, ""


def _placed(facts: AppealFacts) -> bool:
    return bool(facts.area_code) or facts.longitude is not None or bool(facts.address)


def duplicate_score(a: AppealFacts, b: AppealFacts, conf: DuplicateSettings) -> DuplicateMatch | None:
    """Whether ``a`` repeats ``b`` (or the other way round), with a score in [0, 1] and the reasons; None if not."""
    if a.id == b.id or abs(a.created_at - b.created_at) > conf.window:
        return None
    text = text_similarity(a.text, b.text)
    same_caller = bool(a.phone) and a.phone == b.phone
    place, place_reason = _place_relation(a, b, conf)
    if a.category_id is not None and a.category_id == b.category_id:
        category, category_reason = 1.0, "同一分类"
    elif a.category_parent_id is not None and a.category_parent_id == b.category_parent_id:
        category, category_reason = 0.5, "同一二级分类"
    else:
        category, category_reason = 0.0, ""
    similar = text >= conf.min_text and (same_caller or place >= 0.6)
    same_matter = same_caller and place >= 0.6 and category == 1.0 and text >= conf.min_text_same_matter
    # Nearly the same words minutes apart: the same matter called in twice, whoever called and wherever it was put.
    # Not when both are placed and the places differ: the same complaint about two different lamps.
    repeated = (
        text >= conf.min_text_recent
        and abs(a.created_at - b.created_at) <= conf.recent
        and (place > 0 or not (_placed(a) and _placed(b)))
    )
    if not (similar or same_matter or repeated):
        return None
    score = round(0.5 * text + 0.2 * same_caller + 0.2 * place + 0.1 * category, 2)
    if repeated and not (similar or same_matter):
        score = max(score, round(text, 2))
    if score < conf.min_score:
        return None
    reasons = [r for r in ("同一来电人" if same_caller else "", place_reason, category_reason) if r]
    if repeated and not similar and not same_matter:
        reasons.append("短时间内内容几乎相同")
    reasons.append(f"文本相似度 {text:.2f}")
    reasons.append(interval_text(a.created_at - b.created_at))
    first, second = (a, b) if a.created_at >= b.created_at else (b, a)
    return DuplicateMatch(
        appeal_id=first.id,
        master_id=second.id,
        master_tracking_no=second.tracking_no,
        score=score,
        text_similarity=text,
        reasons=tuple(reasons),
    )


def rank(subject: AppealFacts, others: Iterable[AppealFacts], conf: DuplicateSettings) -> list[DuplicateMatch]:
    matches = [m for other in others if (m := duplicate_score(subject, other, conf)) is not None]
    return sorted(matches, key=lambda m: (-m.score, m.master_id))


# --- the query ------------------------------------------------------------------------------------------------


def candidates_query(appeal: Appeal, facts: AppealFacts, conf: DuplicateSettings) -> Any:
    """Earlier live appeals in the window that share the phone, the community, the neighbourhood or the address, and
    every live appeal of the last ``recent`` minutes (their text decides)."""
    near = Q(created_at__gte=facts.created_at - conf.recent)
    if appeal.address.strip():
        near |= Q(address=appeal.address)
    if facts.phone:
        near |= Q(citizen_phone=facts.phone)
    if facts.community_path:
        near |= Q(area_path__startswith=facts.community_path)
    if facts.longitude is not None and facts.latitude is not None:
        lon0, lat0, lon1, lat1 = bbox(facts.longitude, facts.latitude, conf.distance_m)
        near |= Q(longitude__range=(lon0, lon1), latitude__range=(lat0, lat1))
    return (
        Appeal.objects.filter(near, created_at__gte=facts.created_at - conf.window, created_at__lte=facts.created_at)
        .exclude(pk=appeal.pk)
        .exclude(state__in=EXCLUDED_STATES)
        .filter(master__isnull=True)
        .select_related("area", "category")
        .order_by("-created_at")
    )


def duplicates_find(appeal: Appeal, *, conf: DuplicateSettings | None = None) -> list[DuplicateMatch]:
    """Earlier live appeals that ``appeal`` probably repeats, best first (empty for a final or merged appeal)."""
    conf = conf or DuplicateSettings.from_settings()
    if appeal.state in EXCLUDED_STATES or appeal.master_id:
        return []
    facts = AppealFacts.of(appeal)
    others = [AppealFacts.of(other) for other in candidates_query(appeal, facts, conf)[: conf.limit]]
    return [m for m in rank(facts, others, conf) if m.appeal_id == appeal.pk]
