"""Chinese address text: normalisation, parsing into parts, and fuzzy matching against known places. No ORM here.

``normalize("海勃湾区新华街道清泉社区三号楼２单元５０１")`` → ``"海勃湾区新华街道清泉社区3号楼2单元501室"``:
full-width characters become half-width, spaces and punctuation go, Chinese numerals before a building marker
become digits (三号楼 → 3号楼), building markers are unified (栋/幢/座/# → 号楼), "3-2-501" becomes
"3号楼2单元501室" and the long forms of administrative names are shortened (社区居委会 → 社区, 街道办事处 → 街道,
村委会 → 村).

:func:`match_address` finds the known places (:class:`Place`) a text names — exactly, by a name's core (和平 for
和平社区居委会), by an alias (a 小区 known to lie in a community) or fuzzily (凤凰玲 → 凤凰岭, by character
similarity) — checks them against each other (a community under the 街道 the text names scores higher) and returns
the most specific confident match with a score and an explanation in Chinese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

HAN = r"\u4e00-\u9fff"
CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零〇○一二两三四五六七八九十百千"
# Markers that make a preceding Chinese numeral a number in an address (not part of a name like 四季花园).
_NUM_MARKERS = "号楼|号院|栋|幢|座|单元|层|楼|室|号|网格|组|排|期|巷|户"

# Long official forms → the short form people use (order matters: longest first).
ADMIN_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("居民委员会", "社区"),
    ("居委会", "社区"),
    ("村民委员会", "村"),
    ("嘎查村委会", "嘎查"),
    ("村委会", "村"),
    ("街道办事处", "街道"),
    ("街道办", "街道"),
    ("镇人民政府", "镇"),
    ("镇政府", "镇"),
)
# Suffixes stripped to get a place name's core (和平社区 → 和平), by kind of place.
KIND_SUFFIXES: dict[str, tuple[str, ...]] = {
    "district": ("区", "县", "旗"),
    "town": ("街道", "镇", "乡", "苏木"),
    "community": ("社区", "嘎查", "村"),
    "compound": ("小区", "花园", "家园", "公寓", "大厦", "家属院", "家属楼", "名苑", "苑", "园"),
}
KIND_RANK = {"district": 1, "town": 2, "community": 3, "compound": 3, "grid": 4}
KIND_LABEL = {"district": "区", "town": "街道(镇)", "community": "社区(村)", "grid": "网格", "compound": "小区"}

_PUNCT_KEEP = {"-", "#"}


def cn_number(text: str) -> int | None:
    """二十三 → 23, 二〇一 → 201, 十二 → 12, 两 → 2; None when ``text`` is not a Chinese numeral."""
    if not text or any(ch not in CN_DIGITS and ch not in CN_UNITS for ch in text):
        return None
    if not any(ch in CN_UNITS for ch in text):
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


def _replace_cn_numbers(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        value = cn_number(match.group(2))
        return match.group(0) if value is None else f"{match.group(1)}{value}{match.group(3)}"

    # A numeral directly before a marker (三号楼, 第一网格, 二〇一室); not inside a longer run of Han characters
    # that merely ends in a digit-like character (the guard is the optional 第 or a non-numeral before it).
    return re.sub(rf"(第?)([{_CN_NUM}]+)({_NUM_MARKERS})", repl, text)


def clean(text: str) -> str:
    """Half-width, upper-case Latin letters, no spaces or punctuation (but keeps '-' and '#' for numbers)."""
    text = unicodedata.normalize("NFKC", text or "")
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in _PUNCT_KEEP or not (
            cat.startswith("P") or cat.startswith("Z") or cat.startswith("C") or ch in "~^`|+=<>"
        ):
            out.append(ch.upper() if "a" <= ch <= "z" else ch)
    return "".join(out)


def normalize(text: str) -> str:
    """The canonical form of an address (see the module docstring)."""
    text = clean(text)
    for long, short in ADMIN_SUFFIXES:
        text = text.replace(long, short)
    text = _replace_cn_numbers(text)
    # 3-2-501 → 3号楼2单元501室 (building-entrance-room), only as a whole number group.
    text = re.sub(r"(?<![\d-])(\d{1,3})-(\d{1,2})-(\d{3,4})(?![\d-])", r"\1号楼\2单元\3室", text)
    text = re.sub(r"(\d+)#楼?", r"\1号楼", text)
    text = re.sub(r"([A-Z\d]+)(?:栋|幢|座|号楼)", r"\1号楼", text)
    text = re.sub(r"(\d+)楼(?=\d+单元)", r"\1号楼", text)  # 3楼2单元: here 楼 is the building
    text = re.sub(r"号楼(\d{1,2})-(\d{3,4})(?![\d-])", r"号楼\1单元\2室", text)  # 12号楼3-201
    text = re.sub(r"(\d+)单元(\d{3,4})(?:号房|房间|房|户|室)?(?![\d层])", r"\1单元\2室", text)
    text = re.sub(r"(\d+)(?:号房|房间|房)(?!\d)", r"\1室", text)
    text = re.sub(r"(\d+)(?:楼层)", r"\1层", text)
    text = re.sub(r"(?<!\d)-|-(?!\d)", "", text)  # a dash stays only between digits
    return text.replace("#", "")


# --- parsing ------------------------------------------------------------------------------------------------

_LEVELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("province", re.compile(rf"内蒙古自治区|内蒙古|[{HAN}]{{2,3}}省|[{HAN}]{{2,4}}?自治区")),
    ("city", re.compile(rf"[{HAN}]{{2,4}}?市")),
    ("district", re.compile(rf"[{HAN}]{{2,4}}?(?<![社小园校景城])(?:区|县|旗)")),
    ("town", re.compile(rf"[{HAN}]{{2,6}}?(?:街道|镇|乡|苏木)")),
    ("community", re.compile(rf"[{HAN}]{{2,8}}?(?:社区|嘎查|村)(?!委|民)")),
    ("grid", re.compile(r"第?\d+网格")),
    ("road", re.compile(rf"[{HAN}]{{1,8}}?(?:大街|大道|路|街|巷)(?:\d+号(?!楼))?")),
    (
        "compound",
        re.compile(
            rf"[{HAN}A-Z\d]{{2,10}}?(?:小区|花园|家园|公寓|大厦|家属院|家属楼|名苑|华庭|苑|园)(?=[A-Z\d]|[东西南北]区|$)"
        ),
    ),
    ("building", re.compile(r"[A-Z\d]+号楼")),
    ("entrance", re.compile(r"\d+单元")),
    ("floor", re.compile(r"\d+层")),
    ("room", re.compile(r"\d+室?")),
)


@dataclass(frozen=True)
class AddressParts:
    normalized: str
    parts: dict[str, str]
    rest: str

    def get(self, level: str) -> str:
        return self.parts.get(level, "")

    @property
    def standard(self) -> str:
        """The parts in their standard order (what was not understood stays at the end)."""
        return "".join(self.parts.get(level, "") for level, _ in _LEVELS) + self.rest


def parse(text: str) -> AddressParts:
    """Split a normalised address into province … room, left to right; each level is optional."""
    normalized = normalize(text)
    parts: dict[str, str] = {}
    pos = 0
    for level, pattern in _LEVELS:
        match = pattern.match(normalized, pos)
        if match and match.end() > pos:
            value = match.group(0)
            if level == "room" and not value.endswith("室"):
                if "entrance" not in parts and "building" not in parts:
                    continue  # a bare number is a room only after a building or an entrance
                value += "室"
            if level == "province" and value == "内蒙古":
                value = "内蒙古自治区"
            parts[level] = value
            pos = match.end()
    return AddressParts(normalized=normalized, parts=parts, rest=normalized[pos:])


# --- place names --------------------------------------------------------------------------------------------


def short_name(name: str) -> str:
    """和平社区居委会 → 和平社区; 凤凰岭街道办事处 → 凤凰岭街道 (the everyday form of an official name)."""
    name = clean(name)
    for long, short in ADMIN_SUFFIXES:
        if name.endswith(long):
            return name[: -len(long)] + short
    return name


def core_name(name: str, kind: str) -> str:
    """和平社区居委会 → 和平; 凤凰岭街道 → 凤凰岭; 海勃湾区 → 海勃湾. Never shorter than two characters."""
    short = _replace_cn_numbers(short_name(name))
    for suffix in KIND_SUFFIXES.get(kind, ()):
        if short.endswith(suffix) and len(short) - len(suffix) >= 2:
            return short[: -len(suffix)]
    return short


def name_forms(name: str, kind: str, aliases: Iterable[str] = ()) -> dict[str, str]:
    """Every string that names a place, mapped to how it names it ("full", "core" or "alias")."""
    forms: dict[str, str] = {}
    for alias in aliases:
        alias_norm = normalize(alias)
        if len(alias_norm) >= 2:
            forms[alias_norm] = "alias"
    core = core_name(name, kind)
    if len(core) >= 2 and kind != "grid":
        forms.setdefault(core, "core")
    for full in {clean(name), short_name(name), normalize(name)}:
        forms[full] = "full"
    return forms


@dataclass(frozen=True)
class Place:
    """A known place: a territorial unit (district, town, community, grid) or a compound (小区) inside a community.

    ``unit_code`` is the unit a match resolves to (a compound resolves to its community). ``town_code`` is the
    town the place lies in ('' for the district and the towns themselves).
    """

    key: str
    kind: str
    name: str
    unit_code: str
    town_code: str = ""
    community_code: str = ""
    aliases: tuple[str, ...] = ()
    is_demo: bool = False
    grid_number: int | None = None
    forms: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not self.forms:
            self.forms.update(name_forms(self.name, self.kind, self.aliases))


@dataclass(frozen=True)
class PlaceMatch:
    unit_code: str
    kind: str
    name: str
    score: float
    explanation: str
    place_key: str = ""


@dataclass(frozen=True)
class AddressResolution:
    text: str
    parts: AddressParts
    best: PlaceMatch | None
    candidates: tuple[PlaceMatch, ...]

    @property
    def explanation(self) -> str:
        return self.best.explanation if self.best else "地址未能匹配到已知地点"


_TOKEN = re.compile(rf"([{HAN}]{{2,6}})(街道|镇|乡|社区|村|小区|花园|家园|名苑|苑)")
_TOKEN_KIND = {"街道": "town", "镇": "town", "乡": "town", "社区": "community", "村": "community"}
_GRID_NO = re.compile(r"第?(\d+)网格")


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


# --- matching -----------------------------------------------------------------------------------------------

MIN_SCORE = 0.6
MAX_TEXT = 400  # an address is short; a long message is read from its start only
_ROAD_AFTER = ("大街", "大道", "路", "街", "巷")


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    place: Place
    quality: float
    how: str  # a short Chinese note of how the text named the place


class PlaceIndex:
    """The known places with their name forms, longest first, for :func:`match_address`."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places: tuple[Place, ...] = tuple(places)
        forms = [(form, how, place) for place in self.places for form, how in place.forms.items()]
        self.forms = sorted(forms, key=lambda item: -len(item[0]))
        self.grids = {
            (p.community_code, p.grid_number): p for p in self.places if p.kind == "grid" and p.grid_number is not None
        }
        self.by_kind: dict[str, list[tuple[str, Place]]] = {}
        for place in self.places:
            if place.kind in ("town", "community", "compound"):
                self.by_kind.setdefault(place.kind, []).append((core_name(place.name, place.kind), place))
        self.units = {p.unit_code: p for p in self.places if p.kind != "compound"}

    def __len__(self) -> int:
        return len(self.places)


def _exact_hits(text: str, index: PlaceIndex) -> list[_Hit]:
    hits: list[_Hit] = []
    for form, how, place in index.forms:
        start = text.find(form)
        while start >= 0:
            end = start + len(form)
            note = "(演示数据)" if place.is_demo else ""
            if how == "full" and place.kind != "compound":
                hits.append(_Hit(start, end, place, 1.0, f"地址含“{form}”"))
            elif how in ("full", "alias"):
                # A compound or an alias names the place less surely than its official name.
                hits.append(_Hit(start, end, place, 0.9, f"地址含“{form}”{note}"))
            else:
                after = text[end:]
                if after.startswith(_ROAD_AFTER):
                    quality = 0.45  # 和平路 names a road, not the community
                elif after.startswith(("小区", "花园", "家园", "苑", "园")):
                    quality = 0.75
                else:
                    quality = 0.7
                hits.append(_Hit(start, end, place, quality, f"按简称“{form}”"))
            start = text.find(form, end)
    # A hit inside a longer hit of another place does not count (和平 inside 和平东社区).
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), -h.quality)):
        covered = any(
            k.place.key != hit.place.key
            and k.start <= hit.start
            and hit.end <= k.end
            and (k.end - k.start) > (hit.end - hit.start)
            for k in kept
        )
        if not covered:
            kept.append(hit)
    return kept


def _fuzzy_hits(text: str, index: PlaceIndex, taken: list[_Hit]) -> list[_Hit]:
    """Names written with a typo (清全社区, 凤凰玲街道): compare the words before a place suffix with known cores.

    Every known place as close as the closest one is returned, so the hierarchy check can choose between them.
    """
    hits: list[_Hit] = []
    for token in _TOKEN.finditer(text):
        start, end = token.span(1)
        # Only the part of the word that no exact match explains (新华街道清全社区 → 清全).
        start = max([start] + [h.end for h in taken if start <= h.end <= end])
        if any(h.start <= start < h.end for h in taken) or end - start < 2:
            continue
        word, suffix = text[start:end], token.group(2)
        kind = _TOKEN_KIND.get(suffix, "compound")
        found: dict[str, tuple[float, Place, str]] = {}
        for core, place in index.by_kind.get(kind, []):
            for size in {len(core) - 1, len(core), len(core) + 1}:
                if 2 <= size <= len(word):
                    ratio = similarity(word[-size:], core)
                    if ratio > found.get(place.key, (0.0,))[0]:
                        found[place.key] = (ratio, place, word[-size:])
        best = max((item[0] for item in found.values()), default=0.0)
        if best < 0.5:
            continue
        for ratio, place, written in found.values():
            if ratio == best:
                note = f"“{written}{suffix}”近似“{place.name}”({ratio:.2f})"
                hits.append(_Hit(end - len(written), end, place, 0.3 + 0.5 * ratio, note))
    return hits


def match_address(text: str, index: PlaceIndex, *, min_score: float = MIN_SCORE) -> AddressResolution:
    """The places an address names, best first, and the most specific confident one (see the module docstring)."""
    parts = parse(text[: MAX_TEXT * 2])
    norm = parts.normalized[:MAX_TEXT]
    hits = _exact_hits(norm, index)
    hits += _fuzzy_hits(norm, index, hits)
    towns = {h.place.unit_code: h for h in hits if h.place.kind == "town" and h.quality >= 0.6}
    scored: dict[str, PlaceMatch] = {}
    for hit in hits:
        place, score, notes = hit.place, hit.quality, [hit.how]
        if place.kind in ("community", "compound", "grid") and towns:
            if place.town_code in towns:
                score += 0.15
                notes.append("与所述街道(镇)一致")
            else:
                score -= 0.3
                notes.append("与所述街道(镇)不一致")
        score = round(max(0.0, min(score, 1.0)), 2)
        kind = "community" if place.kind == "compound" else place.kind
        target = index.units.get(place.unit_code)
        name = target.name if target else place.name
        label = KIND_LABEL[kind]
        explanation = f"{'；'.join(notes)} → {label} {name}({place.unit_code}) {score:.2f}"
        previous = scored.get(place.unit_code)
        if previous is None or score > previous.score:
            scored[place.unit_code] = PlaceMatch(place.unit_code, kind, name, score, explanation, place.key)
    _add_grid(norm, index, scored)
    candidates = tuple(sorted(scored.values(), key=lambda m: (-m.score, -KIND_RANK[m.kind], m.unit_code)))
    confident = [m for m in candidates if m.score >= min_score]
    best = max(confident, key=lambda m: (KIND_RANK[m.kind], m.score), default=None)
    if best is not None and any(
        m.unit_code != best.unit_code and m.kind == best.kind and m.score == best.score for m in confident
    ):
        # Two places of the same level fit equally well: say so, and fall back to what they share, if anything.
        rivals = [m for m in confident if m.kind == best.kind and m.score == best.score]
        names = "、".join(m.name for m in rivals)
        coarser = [m for m in confident if KIND_RANK[m.kind] < KIND_RANK[best.kind]]
        fallback = max(coarser, key=lambda m: (KIND_RANK[m.kind], m.score), default=None)
        best = (
            PlaceMatch(**{**fallback.__dict__, "explanation": f"{fallback.explanation}；有歧义：{names}"})
            if fallback
            else None
        )
    return AddressResolution(text=text, parts=parts, best=best, candidates=candidates[:5])


def _add_grid(norm: str, index: PlaceIndex, scored: dict[str, PlaceMatch]) -> None:
    """ "清泉社区第3网格": the numbered grid of the community the text names."""
    number = _GRID_NO.search(norm)
    if number is None:
        return
    communities = sorted((m for m in scored.values() if m.kind == "community"), key=lambda m: -m.score)
    for community in communities[:1]:
        grid = index.grids.get((community.unit_code, int(number.group(1))))
        if grid is not None and grid.unit_code not in scored:
            scored[grid.unit_code] = PlaceMatch(
                grid.unit_code,
                "grid",
                grid.name,
                community.score,
                f"{community.explanation}；第{number.group(1)}网格 → 网格 {grid.name}({grid.unit_code})",
                grid.key,
            )
