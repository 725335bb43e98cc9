"""The urgency to suggest at intake: the category's default, raised when the caller's words say people or property
are in danger now (紧急) or the matter cannot wait a day (加急). Pure: text and the default in, a hint out.

The words are few and plain on purpose: a hint for the operator, who decides; never lowered below the default.
"""

from __future__ import annotations

from dataclasses import dataclass

# Order matters only for the reason shown: the first word found is named.
EMERGENCY_WORDS = (
    "燃气泄漏",
    "煤气泄漏",
    "天然气泄漏",
    "闻到煤气",
    "闻到燃气",
    "着火",
    "起火",
    "火灾",
    "冒烟",
    "爆炸",
    "触电",
    "漏电",
    "电线掉",
    "坍塌",
    "塌陷",
    "井盖丢失",
    "井盖没了",
    "被困",
    "有人受伤",
    "受伤",
    "晕倒",
    "溺水",
    "跳楼",
    "轻生",
    "打人",
    "持刀",
    "爆管",
)
URGENT_WORDS = (
    "停水",
    "停电",
    "停暖",
    "停气",
    "断水",
    "断电",
    "没有暖气",
    "暖气不热",
    "水管爆裂",
    "漏水严重",
    "污水外溢",
    "堵塞",
    "电梯故障",
    "困在电梯",
)
RANK = {"ordinary": 0, "complex": 0, "urgent": 1, "emergency": 2}


@dataclass(frozen=True)
class UrgencyHint:
    urgency: str  # an Urgency value
    reason: str  # "分类默认" or "含“燃气泄漏”"
    raised: bool  # above the category's default


def _first_word(text: str, words: tuple[str, ...]) -> str:
    return next((w for w in words if w in text), "")


def urgency_suggest(text: str, default: str = "ordinary") -> UrgencyHint:
    """The urgency for ``text`` whose category defaults to ``default`` (an ``Urgency`` value)."""
    default = default if default in RANK else "ordinary"
    text = text or ""
    if word := _first_word(text, EMERGENCY_WORDS):
        wanted, why = "emergency", word
    elif word := _first_word(text, URGENT_WORDS):
        wanted, why = "urgent", word
    else:
        return UrgencyHint(default, "分类默认", False)
    if RANK[wanted] <= RANK[default]:
        return UrgencyHint(default, "分类默认", False)
    return UrgencyHint(wanted, f"含“{why}”", True)
