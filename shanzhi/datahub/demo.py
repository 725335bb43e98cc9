"""The data hub's demo data (called by ``shanzhi demo``): synthetic departmental files — buildings inside the demo
grids, persons in households and dwellings, enterprises, key persons, party organisations — loaded through the
real import, so running it twice changes nothing. ``scale="district"`` gives the model district's volumes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from shanzhi.datahub import synthetic
from shanzhi.datahub.imports import datahub_import
from shanzhi.datahub.models import ImportKind
from shanzhi.orgs.models import User

ORDER = (
    ImportKind.BUILDINGS,
    ImportKind.PERSONS,
    ImportKind.ENTERPRISES,
    ImportKind.KEY_PERSONS,
    ImportKind.PARTY_ORGS,
    ImportKind.PARTY_MEMBERS,
)


def _loader() -> User | None:
    """Who the demo imports as: the centre's analyst or administrator (a superuser at worst)."""
    staff = User.objects.filter(is_active=True).order_by("id")
    return (
        staff.filter(Q(groups__name="analyst") | Q(groups__name="admin")).first()
        or staff.filter(is_superuser=True).first()
    )


def demo_load(*, seed: int, now: dt.datetime, scale: str) -> list[str]:
    actor = _loader()
    if actor is None:
        return ["治理数据：没有分析员或管理员账号，跳过"]
    try:
        files = synthetic.files(seed=seed, scale=scale)
    except ValueError:
        return ["治理数据：没有网格边界（先运行 shanzhi demo_grids），跳过"]
    lines = []
    for kind in ORDER:
        result = datahub_import(
            actor=actor, kind=kind, file_name=f"demo-{kind}.csv", content=getattr(files, kind), demo=True
        )
        b = result.batch
        if not result.ok:
            lines.append(f"治理数据 {ImportKind(kind).label}：{b.error_count} 处错误，未导入")
            continue
        lines.append(f"治理数据 {ImportKind(kind).label}：新增 {b.created}，更新 {b.updated}，未变 {b.unchanged}")
    lines.extend(_dimensions_load(actor, seed=seed, persons_file=files.persons))
    return lines


#: Dimensions the demo registers (the departments are found by name; a missing one skips its dimension).
DEMO_DIMENSIONS: tuple[tuple[str, str, str, str, str, list[dict[str, str]], int | None], ...] = (
    ("dibao", "低保对象", "民政", "boolean", "", [], 365),
    (
        "disability_grade",
        "残疾等级",
        "残联",
        "choice",
        "",
        [{"key": str(n), "name": f"{n}级"} for n in range(1, 5)],
        None,
    ),
    ("monthly_income", "家庭月收入", "民政", "decimal", "元", [], 365),
)


def _dimensions_load(actor: User, *, seed: int, persons_file: bytes) -> list[str]:
    """A few departmental dimensions with values for one person in twenty of the demo's persons file, through the
    real service (the ID numbers come from the synthetic file, never from the hub)."""
    import csv
    import io
    import random

    from shanzhi.datahub import dimensions
    from shanzhi.datahub.import_columns import read_table
    from shanzhi.datahub.models import Dimension
    from shanzhi.orgs.models import Unit

    rng = random.Random(seed + 28)
    headers, rows = read_table("persons.csv", persons_file)
    at = headers.index("身份证号") if "身份证号" in headers else None
    if at is None:
        return []
    people = [str(values[at]) for _n, values in rows if values[at]]
    lines = []
    for code, name, department_word, value_type, unit, choices, valid_days in DEMO_DIMENSIONS:
        dimension = Dimension.objects.filter(code=code).first()
        if dimension is None:
            department = Unit.objects.filter(name__contains=department_word, is_active=True).order_by("path").first()
            department = department or Unit.objects.filter(parent__isnull=False).order_by("path").first()
            if department is None:
                continue
            dimension = dimensions.dimension_register(
                actor=actor, code=code, name=name, department=department, element_kind="person",
                value_type=value_type, measure_unit=unit, choices=choices, valid_days=valid_days,
            )  # fmt: skip
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["身份证号", "值"])
        chosen = [p for p in people if rng.random() < 0.05]
        for id_number in chosen:
            if value_type == "boolean":
                value = "是"
            elif value_type == "choice":
                value = rng.choice(choices)["name"]
            else:
                value = str(rng.randrange(800, 6000))
            writer.writerow([id_number, value])
        result = dimensions.dimension_values_import(
            actor=actor, dimension=dimension, file_name=f"demo-{code}.csv", content=out.getvalue().encode()
        )
        lines.append(f"治理数据 维度「{name}」：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")
    return lines
