"""Pure rules of the data hub: cell parsing and validation for imports, and map clustering. No ORM here.

Every parser takes the raw cell value and returns the clean value or raises :class:`CellError` with a stable code
and a Chinese message. Messages never repeat the value (it may be personal data: ADR 0017).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from shanzhi.core import pii

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
GRID_CODE_RE = re.compile(r"^\d{12}(\d{3})?$")


class CellError(Exception):
    """One cell that cannot be taken: ``code`` is stable, ``message`` is Chinese and carries no personal data."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it (the header is row 1)
    column: str  # the header as written in the file ("" for the whole row)
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


def text(value: Any) -> str:
    """A cell as stripped text (numbers without a trailing .0, full-width spaces removed)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return str(value).replace("\u3000", " ").strip()


def required_text(value: Any, *, max_length: int) -> str:
    cleaned = text(value)
    if not cleaned:
        raise CellError("required", "必填项不能为空")
    if len(cleaned) > max_length:
        raise CellError("too_long", f"长度不能超过{max_length}个字符")
    return cleaned


def optional_text(value: Any, *, max_length: int) -> str:
    cleaned = text(value)
    if len(cleaned) > max_length:
        raise CellError("too_long", f"长度不能超过{max_length}个字符")
    return cleaned


def id_number(value: Any) -> str:
    """A GB 11643 citizen ID number (18 characters, valid birth date, correct check character)."""
    cleaned = text(value).upper()
    if not cleaned:
        raise CellError("required", "必填项不能为空")
    if not re.fullmatch(r"\d{17}[\dX]", cleaned):
        raise CellError("id_format", "身份证号应为18位（最后一位可为X）")
    if not pii.id_number_is_valid(cleaned):
        raise CellError("id_checksum", "身份证号出生日期或校验位不正确（GB 11643）")
    return cleaned


def id_gender(number: str) -> str:
    return "M" if int(number[16]) % 2 else "F"


def id_birth_year(number: str) -> int:
    return int(number[6:10])


def phone(value: Any) -> str:
    """An optional mainland mobile or landline number."""
    cleaned = text(value)
    if not cleaned:
        return ""
    normalised = pii.normalize_phone(cleaned)
    if not pii.citizen_phone_is_valid(normalised):
        raise CellError("phone_invalid", "电话号码格式不正确（应为手机号或固定电话）")
    return normalised


def credit_code(value: Any) -> str:
    """A unified social credit code (GB 32100-2015): 18 characters with the check character."""
    cleaned = text(value).upper()
    if not cleaned:
        raise CellError("required", "必填项不能为空")
    if len(cleaned) != 18 or any(c not in CREDIT_CODE_ALPHABET for c in cleaned):
        raise CellError("credit_code_format", "统一社会信用代码应为18位数字或大写字母")
    if credit_code_check(cleaned[:17]) != cleaned[17]:
        raise CellError("credit_code_checksum", "统一社会信用代码校验位不正确（GB 32100）")
    return cleaned


def credit_code_check(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def unit_code(value: Any, *, required: bool = True) -> str:
    cleaned = text(value)
    if not cleaned:
        if required:
            raise CellError("required", "必填项不能为空")
        return ""
    if not GRID_CODE_RE.match(cleaned):
        raise CellError("division_code_format", "区划/网格编码应为12位或15位数字")
    return cleaned


def integer(value: Any, *, minimum: int = 0, maximum: int = 10_000_000, default: int | None = None) -> int | None:
    cleaned = text(value)
    if not cleaned:
        return default
    try:
        number = int(cleaned)
    except ValueError:
        raise CellError("not_integer", "应为整数") from None
    if not minimum <= number <= maximum:
        raise CellError("out_of_range", f"应在{minimum}到{maximum}之间")
    return number


def coordinate(value: Any, *, low: float, high: float) -> float | None:
    cleaned = text(value)
    if not cleaned:
        return None
    try:
        number = float(cleaned)
    except ValueError:
        raise CellError("not_number", "坐标应为数字") from None
    if not low <= number <= high:
        raise CellError("coordinate_invalid", "坐标不在有效范围内，请检查经纬度是否填反")
    return round(number, 6)


def date(value: Any) -> dt.date | None:
    """A date as a spreadsheet date cell or text YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD or YYYY年M月D日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    cleaned = text(value)
    if not cleaned:
        return None
    match = re.fullmatch(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?", cleaned) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", cleaned
    )
    if not match:
        raise CellError("date_format", "日期格式应为 YYYY-MM-DD")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise CellError("date_invalid", "日期不存在") from None


def choice(value: Any, choices: Iterable[tuple[str, str]], *, default: str | None = None) -> str:
    """A choice given by its code or its Chinese label."""
    cleaned = text(value)
    if not cleaned:
        if default is None:
            raise CellError("required", "必填项不能为空")
        return default
    for code, label in choices:
        if cleaned in (code, str(label)):
            return code
    labels = "、".join(str(label) for _, label in choices)
    raise CellError("choice_invalid", f"取值应为：{labels}")


def choice_parser(choices: Iterable[tuple[Any, Any]], *, default: str | None = None) -> Callable[[Any], str]:
    """:func:`choice` with the lookup built once (imports parse hundreds of thousands of cells)."""
    pairs = [(str(code), str(label)) for code, label in choices]
    lookup = {**{label: code for code, label in pairs}, **{code: code for code, _ in pairs}}
    labels = "、".join(label for _, label in pairs)

    def parse(value: Any) -> str:
        cleaned = text(value)
        if not cleaned:
            if default is None:
                raise CellError("required", "必填项不能为空")
            return default
        found = lookup.get(cleaned)
        if found is None:
            raise CellError("choice_invalid", f"取值应为：{labels}")
        return found

    return parse


# --- the map ------------------------------------------------------------------------------------------------------


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """``west,south,east,north`` in degrees; raises ValueError when it is not a plausible box."""
    parts = [float(p) for p in raw.split(",")]
    if len(parts) != 4:
        raise ValueError("bbox needs 4 numbers")
    west, south, east, north = parts
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError("bbox out of range")
    if (east - west) * (north - south) > 25:
        raise ValueError("bbox too large")
    return west, south, east, north


def cluster_cell(bbox: tuple[float, float, float, float], *, cells_across: int = 48) -> float:
    """The side (degrees) of the square cells a box is clustered into: about ``cells_across`` cells across."""
    west, _south, east, _north = bbox
    return max((east - west) / cells_across, 1e-6)
