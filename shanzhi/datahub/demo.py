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
    return lines
