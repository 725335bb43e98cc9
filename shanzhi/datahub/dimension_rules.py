"""Pure rules of the dimension registry: a dimension's definition is sound, a raw value (from a department's file or
a form) fits its dimension, and a value is still valid. No database here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shanzhi.datahub.models import DimensionType

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
TRUE_WORDS = frozenset({"是", "有", "1", "true", "yes", "y", "√", "✓"})
FALSE_WORDS = frozenset({"否", "无", "0", "false", "no", "n", "×", "✗"})
MAX_NUMBER = Decimal("99999999999999")  # 14 digits before the point: DimensionValue.value_number


class DimensionRuleError(ValueError):
    """A coded refusal (``code`` for the error list, ``message`` in Chinese)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedValue:
    key: str  # what filters and counts compare
    number: Decimal | None  # integer and decimal dimensions: for sums, averages and ranges
    text: str  # what a card shows


def choices_check(value_type: str, choices: Sequence[Any]) -> list[dict[str, str]]:
    """The choice list of a dimension, normalised: required (two or more, keys unique) for ``choice``, none else."""
    if value_type != DimensionType.CHOICE:
        if choices:
            raise DimensionRuleError("choices_not_allowed", "只有「选项」类型的维度可以设置可选值")
        return []
    normalised: list[dict[str, str]] = []
    for item in choices:
        if not isinstance(item, dict):
            raise DimensionRuleError("choice_invalid", "可选值须为 {key, name}")
        key, name = str(item.get("key", "")).strip(), str(item.get("name", "")).strip()
        if not key or not name or len(key) > 100 or len(name) > 100:
            raise DimensionRuleError("choice_invalid", "每个可选值须有编码和名称（各不超过 100 字）")
        normalised.append({"key": key, "name": name})
    if len(normalised) < 2:
        raise DimensionRuleError("choices_required", "「选项」类型的维度至少需要两个可选值")
    if len({c["key"] for c in normalised}) != len(normalised):
        raise DimensionRuleError("choice_duplicate", "可选值的编码重复")
    return normalised


def code_check(code: str) -> str:
    code = code.strip()
    if not CODE.match(code):
        raise DimensionRuleError("dimension_code_invalid", "维度编码须为小写字母开头的字母、数字或下划线（2–40 位）")
    return code


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _number(text: str, *, integer: bool) -> Decimal:
    try:
        number = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise DimensionRuleError("dimension_not_number", f"「{text[:20]}」不是数字") from None
    if not number.is_finite() or abs(number) > MAX_NUMBER:
        raise DimensionRuleError("dimension_out_of_range", "数值超出范围")
    if integer and number != number.to_integral_value():
        raise DimensionRuleError("dimension_not_integer", f"「{text[:20]}」不是整数")
    return number.quantize(Decimal(1)) if integer else number.quantize(Decimal("0.0001"))


def _canonical(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _date(raw: Any, text: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
    if not match:
        raise DimensionRuleError("dimension_date_format", f"「{text[:20]}」不是日期（如 2026-12-04）")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise DimensionRuleError("dimension_date_invalid", f"「{text[:20]}」不是存在的日期") from None


def dimension_value_parse(value_type: str, choices: Sequence[dict[str, str]], raw: Any) -> ParsedValue:
    """One raw value (a cell of a file, a form field) as it is stored, or a coded refusal."""
    text = _text(raw)
    if not text:
        raise DimensionRuleError("dimension_value_required", "缺少维度取值")
    if value_type == DimensionType.BOOLEAN:
        if isinstance(raw, bool):
            truth = raw
        elif text.lower() in TRUE_WORDS:
            truth = True
        elif text.lower() in FALSE_WORDS:
            truth = False
        else:
            raise DimensionRuleError("dimension_not_boolean", f"「{text[:20]}」应为 是 或 否")
        return ParsedValue("1" if truth else "0", None, "是" if truth else "否")
    if value_type in (DimensionType.INTEGER, DimensionType.DECIMAL):
        number = _number(text, integer=value_type == DimensionType.INTEGER)
        return ParsedValue(_canonical(number), number, _canonical(number))
    if value_type == DimensionType.CHOICE:
        for choice in choices:
            if text in (choice["key"], choice["name"]):
                return ParsedValue(choice["key"], None, choice["name"])
        raise DimensionRuleError("dimension_choice_invalid", f"「{text[:20]}」不在可选值中")
    if value_type == DimensionType.DATE:
        day = _date(raw, text)
        return ParsedValue(day.isoformat(), None, day.isoformat())
    if value_type == DimensionType.TEXT:
        if len(text) > 500:
            raise DimensionRuleError("dimension_text_too_long", "文本不能超过 500 字")
        return ParsedValue(text.casefold()[:100], None, text)
    raise DimensionRuleError("dimension_type_unknown", "未知的维度类型")


def value_is_current(recorded_at: dt.datetime, valid_days: int | None, now: dt.datetime) -> bool:
    """A value is current while it is younger than its dimension's validity (none: always)."""
    return valid_days is None or now - recorded_at < dt.timedelta(days=valid_days)


def stale_before(valid_days: int | None, now: dt.datetime) -> dt.datetime | None:
    """Values recorded before this moment are stale (None: none are)."""
    return None if valid_days is None else now - dt.timedelta(days=valid_days)
