"""The dimension registry (维度目录): what each department supplies about the hub's elements, the values attached to
elements, and counting and filtering by them — always in the reader's scope (``selectors.scope_q``).

- Registering a dimension: the centre's data staff (leader, analyst, administrator).
- Values come from a department's file (XLSX/CSV: the element's key column and the value column): the whole file is
  checked first (elements that exist, in the importer's scope; values that fit the dimension), any error writes
  nothing unless the valid rows were asked for; the same file again changes nothing.
- Reading: a dimension ``restricted`` (敏感) needs ``datahub.view_restricted_dimension``; without it the dimension
  does not exist for that reader (no list entry, no count, no value on a card).
- Counts read one index range per dimension (``dh_dimvalue_count``: dimension, value, area path) and leave stale
  values (older than the dimension's validity) out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Model, QuerySet, Sum
from django.utils.translation import gettext as _

from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound, PermissionDenied, ValidationFailed
from shanzhi.datahub import dimension_rules, rules, selectors
from shanzhi.datahub.dimension_rules import DimensionRuleError
from shanzhi.datahub.import_columns import read_table
from shanzhi.datahub.imports import may_import
from shanzhi.datahub.models import (
    Dimension,
    DimensionElement,
    DimensionType,
    DimensionValue,
    Enterprise,
    Household,
    HubBuilding,
    Person,
    Sensitivity,
)
from shanzhi.datahub.rules import RowError
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, User

RESTRICTED_PERMISSION = "datahub.view_restricted_dimension"
ELEMENT_MODELS: dict[str, type[Model]] = {
    DimensionElement.PERSON: Person,
    DimensionElement.HOUSEHOLD: Household,
    DimensionElement.BUILDING: HubBuilding,
    DimensionElement.ENTERPRISE: Enterprise,
}
#: The key column of a values file, per element kind: the headers accepted for it.
KEY_HEADERS: dict[str, tuple[str, ...]] = {
    DimensionElement.PERSON: ("身份证号", "公民身份号码", "身份证号码"),
    DimensionElement.HOUSEHOLD: ("户号",),
    DimensionElement.BUILDING: ("楼栋编码", "楼栋编号"),
    DimensionElement.ENTERPRISE: ("统一社会信用代码", "信用代码"),
}
VALUE_HEADERS = ("值", "取值", "维度值")
BATCH = 2000


# --- who may ----------------------------------------------------------------------------------------------------


def may_register(user: User) -> bool:
    return permissions.holds(user, permissions.WHOLE_DISTRICT_ROLES)


def may_read(user: User, dimension: Dimension) -> bool:
    if not selectors.may_use_hub(user):
        return False
    return dimension.sensitivity != Sensitivity.RESTRICTED or user.has_perm(RESTRICTED_PERMISSION)


# --- registry ---------------------------------------------------------------------------------------------------


def _refusal(error: DimensionRuleError, field_name: str) -> ValidationFailed:
    return ValidationFailed(error.message, code=error.code, field=field_name)


def dimension_register(
    *,
    actor: User,
    code: str,
    name: str,
    department: Unit,
    element_kind: str,
    value_type: str,
    measure_unit: str = "",
    choices: Sequence[Any] = (),
    sensitivity: str = Sensitivity.INTERNAL,
    valid_days: int | None = None,
    description: str = "",
) -> Dimension:
    """A new entry of the registry; every refusal is coded and names its field."""
    if not may_register(actor):
        raise PermissionDenied(_("只有中心领导、分析员或管理员可以登记数据维度"), code="dimension_forbidden")
    try:
        code = dimension_rules.code_check(code)
    except DimensionRuleError as error:
        raise _refusal(error, "code") from None
    name = name.strip()
    if not name or len(name) > 60:
        raise ValidationFailed(_("请填写维度名称（不超过 60 字）"), code="dimension_name_required", field="name")
    if element_kind not in DimensionElement.values:
        raise ValidationFailed(_("要素类型无效"), code="dimension_element_invalid", field="element_kind")
    if value_type not in DimensionType.values:
        raise ValidationFailed(_("取值类型无效"), code="dimension_type_invalid", field="value_type")
    if sensitivity not in Sensitivity.values:
        raise ValidationFailed(_("敏感级别无效"), code="dimension_sensitivity_invalid", field="sensitivity")
    if valid_days is not None and not 1 <= valid_days <= 36_500:
        raise ValidationFailed(_("有效期应为 1–36500 天"), code="dimension_validity_invalid", field="valid_days")
    if len(measure_unit.strip()) > 20:
        raise ValidationFailed(_("计量单位不能超过 20 字"), code="dimension_unit_too_long", field="measure_unit")
    try:
        normalised = dimension_rules.choices_check(value_type, choices)
    except DimensionRuleError as error:
        raise _refusal(error, "choices") from None
    if Dimension.objects.filter(code=code).exists():
        raise ValidationFailed(_("维度编码已存在"), code="dimension_code_taken", field="code")
    return Dimension.objects.create(
        code=code,
        name=name,
        department=department,
        element_kind=element_kind,
        value_type=value_type,
        measure_unit=measure_unit.strip(),
        choices=normalised,
        sensitivity=sensitivity,
        valid_days=valid_days,
        description=description.strip()[:2000],
    )


def dimensions_for(user: User) -> list[Dimension]:
    """The active dimensions ``user`` may read, with their department."""
    if not selectors.may_use_hub(user):
        return []
    qs = Dimension.objects.filter(is_active=True).select_related("department")
    if not user.has_perm(RESTRICTED_PERMISSION):
        qs = qs.exclude(sensitivity=Sensitivity.RESTRICTED)
    return list(qs)


def dimension_get(user: User, code: str) -> Dimension:
    """One dimension by its code, or NotFound (also when the reader may not see it: it does not exist for them)."""
    dimension = Dimension.objects.select_related("department").filter(code=code, is_active=True).first()
    if dimension is None or not may_read(user, dimension):
        raise NotFound(_("维度不存在"), code="dimension_not_found")
    return dimension


# --- values -----------------------------------------------------------------------------------------------------


def current_values(user: User, dimension: Dimension, *, now: dt.datetime | None = None) -> QuerySet[DimensionValue]:
    """The dimension's values in ``user``'s scope that are still valid."""
    if not may_read(user, dimension):
        return DimensionValue.objects.none()
    qs = DimensionValue.objects.filter(selectors.scope_q(user), dimension=dimension)
    before = dimension_rules.stale_before(dimension.valid_days, now or clock.now())
    if before is not None:
        qs = qs.filter(recorded_at__gte=before)
    return qs


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class DimensionCounts:
    dimension: Dimension
    total: int
    buckets: list[Bucket] = field(default_factory=list)  # boolean, choice, date and text: per value
    sum: Decimal | None = None  # integer and decimal: the sum and the mean
    mean: Decimal | None = None


def dimension_counts(
    user: User, dimension: Dimension, *, now: dt.datetime | None = None, top: int = 50
) -> DimensionCounts:
    """How many elements in ``user``'s scope carry each value (or the sum and mean of a number)."""
    values = current_values(user, dimension, now=now)
    if dimension.value_type in (DimensionType.INTEGER, DimensionType.DECIMAL):
        agg = values.aggregate(n=Count("id"), total=Sum("value_number"), mean=Avg("value_number"))
        mean = agg["mean"]
        return DimensionCounts(
            dimension,
            total=agg["n"],
            sum=agg["total"],
            mean=None if mean is None else Decimal(mean).quantize(Decimal("0.01")),
        )
    labels = {c["key"]: c["name"] for c in dimension.choices}
    if dimension.value_type == DimensionType.BOOLEAN:
        labels = {"1": "是", "0": "否"}
    rows = list(values.values("value_key").annotate(n=Count("id")).order_by("-n", "value_key")[:top])
    shown = {}
    if dimension.value_type == DimensionType.TEXT:  # the folded key: show one original spelling
        keys = [r["value_key"] for r in rows]
        shown = dict(values.filter(value_key__in=keys).values_list("value_key", "value_text").distinct())
    buckets = [
        Bucket(r["value_key"], labels.get(r["value_key"]) or shown.get(r["value_key"]) or r["value_key"], r["n"])
        for r in rows
    ]
    return DimensionCounts(dimension, total=values.count(), buckets=buckets)


def element_ids_with(
    user: User, dimension: Dimension, value_key: str, *, now: dt.datetime | None = None
) -> QuerySet[DimensionValue, int]:
    """The ids of elements in scope whose current value is ``value_key`` (a subquery for the element lists)."""
    return current_values(user, dimension, now=now).filter(value_key=value_key).values_list("element_id", flat=True)


@dataclass(frozen=True)
class ShownValue:
    dimension: Dimension
    text: str
    recorded_at: dt.datetime
    is_current: bool


def values_of(user: User, element_kind: str, element: Any, *, now: dt.datetime | None = None) -> list[ShownValue]:
    """What the departments say about one element ``user`` already sees, dimension by dimension."""
    readable = {d.pk: d for d in dimensions_for(user) if d.element_kind == element_kind}
    if not readable:
        return []
    now = now or clock.now()
    rows = DimensionValue.objects.filter(dimension_id__in=readable, element_id=element.pk).order_by("dimension_id")
    shown = []
    for row in rows:
        dimension = readable[row.dimension_id]
        unit = f" {dimension.measure_unit}" if dimension.measure_unit and row.value_number is not None else ""
        shown.append(
            ShownValue(
                dimension,
                f"{row.value_text}{unit}",
                row.recorded_at,
                dimension_rules.value_is_current(row.recorded_at, dimension.valid_days, now),
            )
        )
    return shown


# --- a department's file of values ------------------------------------------------------------------------------


@dataclass
class ValuesResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


def _elements(kind: str, keys: list[str], user: User) -> dict[str, tuple[int, str, bool]]:
    """Key as written in the file → (element id, area path, in the importer's scope)."""
    model = ELEMENT_MODELS[kind]
    scope = selectors.scope_q(user)
    found: dict[str, tuple[int, str, bool]] = {}
    if kind == DimensionElement.PERSON:
        by_hash = {pii.blind_index(k): k for k in keys}
        lookup, field_name = list(by_hash), "id_hash"
    else:
        by_hash = {k: k for k in keys}
        lookup = keys
        field_name = {"household": "number", "building": "code", "enterprise": "credit_code"}[kind]
    for start in range(0, len(lookup), BATCH):
        chunk = lookup[start : start + BATCH]
        inside = set(
            model._default_manager.filter(scope, **{f"{field_name}__in": chunk}).values_list("pk", flat=True)  # type: ignore[attr-defined]
        )
        for pk, value, area_path in model._default_manager.filter(  # type: ignore[attr-defined]
            **{f"{field_name}__in": chunk}
        ).values_list("pk", field_name, "area_path"):
            found[by_hash[value]] = (pk, area_path, pk in inside)
    return found


def _column(headers: list[str], accepted: Sequence[str]) -> int | None:
    return next((i for i, h in enumerate(headers) if h in accepted), None)


def dimension_values_import(
    *,
    actor: User,
    dimension: Dimension,
    file_name: str,
    content: bytes,
    dry_run: bool = False,
    valid_rows_only: bool = False,
) -> ValuesResult:
    """Check the whole file, then (no errors, or the valid rows asked for; not a dry run) write its values."""
    if not may_import(actor) or not may_read(actor, dimension):
        raise PermissionDenied(_("您没有导入该维度数据的权限"), code="dimension_import_forbidden")
    headers, raw_rows = read_table(file_name, content)
    key_headers = KEY_HEADERS[dimension.element_kind]
    key_at, value_at = _column(headers, key_headers), _column(headers, (*VALUE_HEADERS, dimension.name))
    result = ValuesResult(rows=len(raw_rows))
    if key_at is None:
        result.errors.append(RowError(1, key_headers[0], "missing_column", f"缺少必需的列「{key_headers[0]}」"))
    if value_at is None:
        result.errors.append(
            RowError(1, VALUE_HEADERS[0], "missing_column", f"缺少必需的列「{VALUE_HEADERS[0]}」或「{dimension.name}」")
        )
    if result.errors:
        return result
    assert key_at is not None and value_at is not None
    key_header, value_header = headers[key_at], headers[value_at]

    def cell(values: list[Any], at: int) -> Any:
        return values[at] if at < len(values) else None

    keys: dict[int, str] = {}
    for number, values in raw_rows:
        raw_key = rules.text(cell(values, key_at))
        if dimension.element_kind in (DimensionElement.PERSON, DimensionElement.ENTERPRISE):
            raw_key = raw_key.upper()  # the check character X, the credit code's letters
        keys[number] = raw_key
    elements = _elements(dimension.element_kind, sorted({k for k in keys.values() if k}), actor)
    parsed: dict[int, tuple[int, str, dimension_rules.ParsedValue]] = {}
    seen: dict[str, int] = {}
    for number, values in raw_rows:
        key = keys[number]
        row_errors: list[RowError] = []
        if not key:
            row_errors.append(RowError(number, key_header, "required", f"「{key_header}」不能为空"))
        elif key in seen:
            row_errors.append(RowError(number, key_header, "duplicate_in_file", f"与第 {seen[key]} 行重复"))
        elif key not in elements:
            row_errors.append(RowError(number, key_header, "element_unknown", "数据库中没有该要素"))
        elif not elements[key][2]:
            row_errors.append(RowError(number, key_header, "outside_scope", "该要素不在您的管辖范围内"))
        try:
            value = dimension_rules.dimension_value_parse(
                dimension.value_type, dimension.choices, cell(values, value_at)
            )
        except DimensionRuleError as error:
            row_errors.append(RowError(number, value_header, error.code, error.message))
        if key:
            seen.setdefault(key, number)
        if row_errors:
            result.errors.extend(row_errors)
        else:
            element_id, area_path, _inside = elements[key]
            parsed[number] = (element_id, area_path, value)
    if result.errors and not valid_rows_only:
        return result
    existing = {
        v.element_id: v
        for v in DimensionValue.objects.filter(dimension=dimension, element_id__in=[p[0] for p in parsed.values()])
    }
    now = clock.now()
    inserts: list[DimensionValue] = []
    updates: list[DimensionValue] = []
    for element_id, area_path, value in parsed.values():
        old = existing.get(element_id)
        if old is None:
            inserts.append(
                DimensionValue(
                    dimension=dimension,
                    element_id=element_id,
                    area_path=area_path,
                    value_key=value.key,
                    value_number=value.number,
                    value_text=value.text,
                    recorded_at=now,
                    recorded_by=actor,
                )
            )
        elif (old.value_key, old.value_text, old.area_path) == (value.key, value.text, area_path) and (
            old.value_number == value.number
        ):
            result.unchanged += 1
        else:
            old.value_key, old.value_number, old.value_text, old.area_path = (
                value.key,
                value.number,
                value.text,
                area_path,
            )
            old.recorded_at, old.recorded_by = now, actor
            updates.append(old)
    result.created, result.updated = len(inserts), len(updates)
    if dry_run:
        return result
    with transaction.atomic():
        DimensionValue.objects.bulk_create(inserts, batch_size=BATCH)
        DimensionValue.objects.bulk_update(
            updates,
            ["value_key", "value_number", "value_text", "area_path", "recorded_at", "recorded_by"],
            batch_size=BATCH,
        )
    result.written = True
    return result


def dimension_for_reader(user: User, code: str) -> Dimension | None:
    """The dimension behind a list's ``?dim=`` filter, or None when there is none or the reader may not see it."""
    try:
        return dimension_get(user, code)
    except NotFound:
        return None


def persons_with(user: User, qs: QuerySet[Person], code: str, value_key: str) -> QuerySet[Person]:
    """A person list narrowed to those whose current value of dimension ``code`` is ``value_key``; an unknown or
    unreadable dimension leaves nobody (never everybody)."""
    dimension = dimension_for_reader(user, code)
    if dimension is None or dimension.element_kind != DimensionElement.PERSON:
        return qs.none()
    return qs.filter(pk__in=element_ids_with(user, dimension, value_key))
