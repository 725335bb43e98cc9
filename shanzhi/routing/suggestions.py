"""The routing suggestion contract: what the classifier proposes (category → units) and how it is stored and read.

The producer (:func:`shanzhi.routing.services.routing_advice`) writes :class:`SuggestionData` items into
``Appeal.routing_suggestions`` (JSON); every consumer (the dispatch queue, the appeal page, one-click dispatch, the
intake page) reads them back with :func:`suggestions_read` as :class:`RoutingSuggestion` objects. A stored item that
does not fit the contract (an older row, a hand edit) is skipped, never a crash.

Pure: no ORM, no Django settings; the classifier is not imported (web workers must not load it at start-up).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

MAX_SHOWN = 3
MIN_CJK = 4  # distinct Chinese characters before a text says enough to be classified (as the classifier's MIN_CJK)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class SuggestionData(TypedDict):
    """One suggestion as stored in ``Appeal.routing_suggestions`` (a JSON list of these, best first)."""

    category_id: int
    path: str
    score: float  # calibrated probability in [0, 1]
    model: str  # model version, e.g. "v3"
    lead_unit_id: int | None
    lead_unit_name: str
    assisting: list[str]
    rule: int | None  # dispatch catalogue rule id
    explanation: str
    urgency: NotRequired[str]  # the category's default urgency ("" when unknown)


@dataclass(frozen=True)
class RoutingSuggestion:
    """One of the machine's top suggestions for an appeal (read side of :class:`SuggestionData`)."""

    index: int
    category_id: int
    path: str
    score: float
    model: str
    lead_unit_id: int | None
    lead_unit_name: str
    assisting: list[str] = field(default_factory=list)
    explanation: str = ""
    rule: int | None = None
    urgency: str = ""

    def as_data(self) -> SuggestionData:
        data = SuggestionData(
            category_id=self.category_id,
            path=self.path,
            score=self.score,
            model=self.model,
            lead_unit_id=self.lead_unit_id,
            lead_unit_name=self.lead_unit_name,
            assisting=list(self.assisting),
            rule=self.rule,
            explanation=self.explanation,
        )
        if self.urgency:
            data["urgency"] = self.urgency
        return data


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _as_probability(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, min(1.0, number)) if number == number else 0.0  # NaN → 0


def suggestion_read(item: Any, *, index: int = 0) -> RoutingSuggestion | None:
    """One stored item as a :class:`RoutingSuggestion`; None when it has no usable category."""
    if not isinstance(item, dict) or (category_id := _as_id(item.get("category_id"))) is None:
        return None
    assisting = item.get("assisting") or []
    return RoutingSuggestion(
        index=index,
        category_id=category_id,
        path=str(item.get("path") or ""),
        score=_as_probability(item.get("score")),
        model=str(item.get("model") or ""),
        lead_unit_id=_as_id(item.get("lead_unit_id")),
        lead_unit_name=str(item.get("lead_unit_name") or ""),
        assisting=[str(name) for name in assisting] if isinstance(assisting, list) else [],
        explanation=str(item.get("explanation") or ""),
        rule=_as_id(item.get("rule")),
        urgency=str(item.get("urgency") or ""),
    )


def suggestions_read(raw: Any, *, limit: int = MAX_SHOWN) -> list[RoutingSuggestion]:
    """The stored suggestions that can be acted on, best first (malformed items skipped, re-indexed)."""
    items = raw if isinstance(raw, list) else []
    result: list[RoutingSuggestion] = []
    for item in items:
        suggestion = suggestion_read(item, index=len(result))
        if suggestion is not None:
            result.append(suggestion)
    return result[:limit]


def text_is_enough(text: str) -> bool:
    """Whether ``text`` has enough distinct Chinese characters to ask the classifier (without loading it)."""
    return len(set(_CJK.findall(text or ""))) >= MIN_CJK
