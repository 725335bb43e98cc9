"""Pure dispatch rules: which catalogue line wins, and which territorial unit leads. No ORM here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleCandidate:
    """A catalogue line reduced to what precedence needs."""

    rule_id: int
    category_depth: int  # how far the rule's category is from the appeal's (0 = the same category)
    area_depth: int | None  # depth of the rule's area in the hierarchy; None = district-wide
    priority: int
    conditions: int = 0  # how many of keywords / channel / time the rule sets (all of them hold)


def choose_rule(candidates: Sequence[RuleCandidate]) -> RuleCandidate | None:
    """Precedence: the nearest category; then more conditions (keywords, channel, time); then the smallest area
    (deepest); then the higher priority; then the lowest id.

    Candidates must already be restricted to rules whose conditions all hold (see :func:`rule_applies`).
    """
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda c: (
            c.category_depth,
            -c.conditions,
            -(c.area_depth if c.area_depth is not None else -1),
            -c.priority,
            c.rule_id,
        ),
    )


WORD_SEPARATORS = re.compile(r"[\s,，、;；]+")


def split_words(text: str) -> tuple[str, ...]:
    """Keywords or channel codes written with spaces, commas or Chinese commas."""
    return tuple(w for w in WORD_SEPARATORS.split(text or "") if w)


def rule_applies(
    *,
    keywords: Sequence[str],
    channels: Sequence[str],
    weekdays: str,
    start: dt.time | None,
    end: dt.time | None,
    text: str,
    channel: str,
    local_time: dt.datetime,
) -> bool:
    """Whether a catalogue line's own conditions hold for an appeal (``local_time`` in the centre's time zone)."""
    if keywords and not any(word in text for word in keywords):
        return False
    if channels and channel not in channels:
        return False
    if weekdays and str(local_time.isoweekday()) not in weekdays:
        return False
    if start is not None and end is not None:
        now = local_time.time()
        inside = start <= now < end if start <= end else (now >= start or now < end)  # may cross midnight
        if not inside:
            return False
    return True


def condition_count(*, keywords: Sequence[str], channels: Sequence[str], weekdays: str, timed: bool) -> int:
    """How many kinds of condition a line sets: more conditions means more specific."""
    return int(bool(keywords)) + int(bool(channels)) + int(bool(weekdays) or timed)


def territorial_lead(chain: Sequence[tuple[str, str, bool]], level: str) -> int | None:
    """Index in ``chain`` of the territorial unit that leads.

    ``chain`` is the place's units from the most specific up: (kind, code, usable). The lead is the first usable
    unit at ``level`` ("community" or "town"); a grid is never the lead, its community or town is; if no unit at that
    level is usable, the next usable one above it.
    """
    order = ["grid", "community", "town", "district"]
    wanted = order.index(level)
    for i, (kind, _code, usable) in enumerate(chain):
        if kind in order and order.index(kind) >= wanted and usable:
            return i
    return None


def units_returned(requests: Iterable[tuple[int, str, str]]) -> frozenset[int]:
    """The units never to suggest again for an appeal: those whose return (退回) of it was approved.

    ``requests`` are the appeal's requests as (unit id, kind, state); a pending or refused return excludes nobody
    (the unit still holds the work), nor does an extension or a shelving."""
    return frozenset(unit for unit, kind, state in requests if kind == "return" and state == "approved")


def unit_may_lead(unit_id: int | None, excluded: Collection[int]) -> bool:
    """A catalogue line or a suggestion may name ``unit_id`` as lead (None: the place's territorial unit decides)."""
    return unit_id is None or unit_id not in excluded
