"""Pure rules of the Open311 server: formats, the status mapping, dates, paging and the attribute answers.

No ORM here; the time and the time zone are parameters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_PAGE_SIZE = 1000
MAX_IDS = 100

# GeoReport v2 knows two statuses; ours map onto them by whether the appeal is still being worked on.
CLOSED_STATES = frozenset({"closed", "rejected", "answered", "merged"})
OPEN311_STATUSES = ("open", "closed")


class Open311Error(Exception):
    """A refusal in the specification's error format: the HTTP status is also the error's ``code``."""

    def __init__(self, status: int, key: str, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {key}: {description}")
        self.status = status
        self.key = key
        self.description = description
        self.retry_after = retry_after  # a 429: seconds until the key's next minute


def status_for(state: str) -> str:
    return "closed" if state in CLOSED_STATES else "open"


def status_filter(status: str) -> str | None:
    """The status filter of GET requests: "open", "closed", or None for both (also "open,closed")."""
    wanted = {part.strip().lower() for part in status.split(",") if part.strip()}
    if not wanted <= set(OPEN311_STATUSES):
        raise Open311Error(400, "invalid_status", "status 只能是 open 或 closed")
    return wanted.pop() if len(wanted) == 1 else None


def format_datetime(moment: dt.datetime | None, tz: dt.tzinfo) -> str:
    """ISO 8601 with the offset (the specification's w3 subset), seconds precision; '' when unknown."""
    if moment is None:
        return ""
    return moment.astimezone(tz).replace(microsecond=0).isoformat()


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_datetime(text: str, *, name: str, tz: dt.tzinfo) -> dt.datetime:
    """A date-time parameter; without an offset it is read in the centre's time zone."""
    value = text.strip()
    if not _ISO.match(value):
        raise Open311Error(400, "invalid_date", f"{name} 须为 ISO 8601 日期时间（如 2026-12-01T08:00:00+08:00）")
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, "invalid_date", f"{name} 不是有效的日期时间") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def request_window(
    *, start: dt.datetime | None, end: dt.datetime | None, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """The requested_datetime window of GET requests: by default the last 90 days (the specification's default)."""
    if start is not None and end is not None and start > end:
        raise Open311Error(400, "invalid_date_range", "start_date 不能晚于 end_date")
    end = end or max(now, start or now)
    start = start or end - DEFAULT_WINDOW
    return start, end


def positive_int(text: str, *, name: str, default: int, maximum: int) -> int:
    value = text.strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise Open311Error(400, f"invalid_{name}", f"{name} 须为正整数")
    return min(int(value), maximum)


def id_list(text: str) -> list[str]:
    """service_request_id: one id or several, comma-separated."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if len(ids) > MAX_IDS:
        raise Open311Error(400, "too_many_ids", f"service_request_id 一次最多 {MAX_IDS} 个")
    return ids


def jurisdiction_check(value: str | None, *, district_code: str, required: bool) -> None:
    """jurisdiction_id is the district's division code (12 digits, or its 6-digit short form)."""
    if value is None or not value.strip():
        if required:
            raise Open311Error(400, "jurisdiction_required", "缺少 jurisdiction_id")
        return
    if value.strip() not in {district_code, district_code[:6]}:
        raise Open311Error(404, "jurisdiction_not_found", "jurisdiction_id 不是本平台服务的辖区")


@dataclass(frozen=True)
class AttributeSpec:
    """An attribute of a service definition, as the rules see it."""

    code: str
    datatype: str
    description: str
    required: bool = False
    variable: bool = True
    values: Sequence[Mapping[str, str]] = field(default_factory=tuple)


def attribute_answers(specs: Iterable[AttributeSpec], submitted: Mapping[str, list[str]]) -> dict[str, Any]:
    """Check the submitted ``attribute[code]`` values against the definition; returns code → typed value."""
    answers: dict[str, Any] = {}
    for spec in specs:
        if not spec.variable:
            continue
        raw = [v.strip() for v in submitted.get(spec.code, []) if v.strip()]
        if not raw:
            if spec.required:
                raise Open311Error(
                    400, "attribute_required", f"缺少必填属性 attribute[{spec.code}]（{spec.description}）"
                )
            continue
        answers[spec.code] = _typed(spec, raw)
    return answers


def _typed(spec: AttributeSpec, raw: list[str]) -> Any:
    keys = {str(v.get("key")) for v in spec.values}
    if spec.datatype == "multivaluelist":
        unknown = [v for v in raw if v not in keys]
        if unknown:
            raise Open311Error(400, "invalid_attribute", f"attribute[{spec.code}] 的取值不在可选范围内")
        return list(dict.fromkeys(raw))
    if len(raw) > 1:
        raise Open311Error(400, "invalid_attribute", f"attribute[{spec.code}] 只能有一个值")
    value = raw[0]
    if spec.datatype == "singlevaluelist":
        if value not in keys:
            raise Open311Error(400, "invalid_attribute", f"attribute[{spec.code}] 的取值不在可选范围内")
        return value
    if spec.datatype == "number":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise Open311Error(400, "invalid_attribute", f"attribute[{spec.code}] 须为数字")
        return number
    if spec.datatype == "datetime":
        if not _ISO.match(value):
            raise Open311Error(400, "invalid_attribute", f"attribute[{spec.code}] 须为 ISO 8601 日期时间")
        return value
    limit = 200 if spec.datatype == "string" else 4000
    if len(value) > limit:
        raise Open311Error(400, "invalid_attribute", f"attribute[{spec.code}] 过长（最多 {limit} 字）")
    return value


_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]{1,40})\](\[\])?$")


def submitted_attributes(items: Iterable[tuple[str, list[str]]]) -> dict[str, list[str]]:
    """``attribute[code]=v`` and ``attribute[code][]=v1&attribute[code][]=v2`` from form fields."""
    found: dict[str, list[str]] = {}
    for key, values in items:
        match = _ATTRIBUTE_KEY.match(key)
        if match:
            found.setdefault(match.group(1), []).extend(values)
    return found


def coordinate(text: str | None, *, name: str, low: float, high: float) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        value = float(text.strip())
    except ValueError:
        raise Open311Error(400, "invalid_location", f"{name} 须为数字") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise Open311Error(400, "invalid_location", f"{name} 超出范围")
    return value


# The extended statuses of FixMyStreet's servicerequestupdates, from the appeal state an event led to.
UPDATE_STATUSES = {
    "received": "open",
    "accepted": "open",
    "needs_info": "open",
    "dispatched": "action_scheduled",
    "in_progress": "in_progress",
    "feedback": "in_progress",
    "replied": "fixed",
    "closed": "closed",
    "answered": "closed",
    "rejected": "not_councils_responsibility",
    "merged": "duplicate",
}


_DIGIT_RUN = re.compile(r"(?<!\d)(\d{3})\d{4,11}(\d{4})(?!\d)|(?<!\d)\d{15,}[\dXx]?(?!\d)")


def mask_numbers(text: str) -> str:
    """Phone and ID numbers inside free text masked (138****5678): Open311 answers are public."""
    return _DIGIT_RUN.sub(lambda m: f"{m.group(1)}****{m.group(2)}" if m.group(1) else "****", text)


def update_status(state: str) -> str:
    return UPDATE_STATUSES.get(state, status_for(state))
