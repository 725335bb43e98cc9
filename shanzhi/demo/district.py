"""The model district in one call: hierarchy, grids, categories, catalogue, SLA defaults, staff and appeals."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from shanzhi.appeals.models import Appeal
from shanzhi.core import clock
from shanzhi.demo.appeals import DemoAppealsReport, demo_appeals_create
from shanzhi.demo.catalogue import catalogue_load, categories_load
from shanzhi.demo.extensions import app_demos_load
from shanzhi.demo.grids import demo_grids_create
from shanzhi.demo.history import history_generate
from shanzhi.demo.staff import demo_staff_create, reference_lists_ensure, refuse_in_production
from shanzhi.orgs.loaders import hierarchy_load
from shanzhi.orgs.models import Unit


@dataclass
class DemoReport:
    skipped: bool = False
    lines: list[str] = field(default_factory=list)
    appeals: DemoAppealsReport | None = None


def district_is_loaded() -> bool:
    return Unit.objects.filter(code=settings.SHANZHI["DISTRICT_CODE"]).exists()


def _optional(module: str, name: str) -> Callable[..., Any] | None:
    """A function another app may provide (the SLA app's calendar seed and default policies)."""
    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def sla_defaults_ensure(*, now: dt.datetime) -> list[str]:
    """Seed the working calendar for the demo's years and create the centre-wide SLA policies, when the SLA app
    offers them. Returns what was done, for the command's output."""
    done: list[str] = []
    seed = _optional("shanzhi.sla.calendar", "calendar_seed")
    if seed is not None:
        report = seed(years=sorted({(now - dt.timedelta(days=100)).year, now.year, now.year + 1}))
        done.append(f"工作日历：新增 {getattr(report, 'created', 0)} 天，更新 {getattr(report, 'updated', 0)} 天")
    policies = _optional("shanzhi.sla.services", "ensure_default_policies")
    if policies is not None:
        done.append(f"时限标准：新增 {policies()} 条")
    return done


def demo_load(
    *,
    appeals: int = 400,
    seed: int = 20251128,
    if_empty: bool = False,
    add_appeals: bool = False,
    grids_per_community: int | None = None,
    now: dt.datetime | None = None,
    train_classifier: bool = True,
    scale: str = "demo",
    fast: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Load the model district. Reference data is idempotent (updated in place); appeals are generated when the
    database has none yet (or ``add_appeals``). ``if_empty`` does nothing at all when the district is loaded.

    Up to 2,000 appeals are replayed through the lifecycle services; more are written by the fast history generator
    (:mod:`shanzhi.demo.history`, COPY on PostgreSQL) unless ``fast`` says otherwise."""
    refuse_in_production()
    report = DemoReport()
    if if_empty and district_is_loaded():
        report.skipped = True
        report.lines.append("本区区划已存在，跳过演示数据导入（--if-empty）")
        return report
    now = now or clock.now()
    loaded = hierarchy_load()
    report.lines.append("区划与单位：" + "；".join(f"{name} {counts}" for name, counts in loaded.items()))
    grids = demo_grids_create(per_community=grids_per_community, seed=seed)
    report.lines.append(f"演示网格：新增 {grids['created']}，更新 {grids['updated']}，未变 {grids['unchanged']}")
    report.lines.append(f"诉求分类：导入 {categories_load()} 行")
    catalogue = catalogue_load()
    report.lines.append(f"派单目录：新增 {catalogue['created']} 条，已有 {catalogue['unchanged']} 条")
    report.lines.extend(sla_defaults_ensure(now=now))
    staff = demo_staff_create()
    report.lines.append(f"演示账号：新增 {staff['staff']} 个，单位联络员 {staff['liaisons']} 个")
    lists = reference_lists_ensure()
    report.lines.append(f"不予受理理由新增 {lists['reject_reasons']} 条，答复模板新增 {lists['reply_templates']} 条")
    if appeals > 0 and (add_appeals or not Appeal.objects.exists()) and (fast if fast is not None else appeals > 2000):
        history = history_generate(n=appeals, seed=seed, now=now, progress=progress)
        report.lines.append(history.line())
        states = "，".join(f"{state} {count}" for state, count in sorted(history.by_state.items()))
        report.lines.append(f"诉求状态：{states}")
    elif appeals > 0 and (add_appeals or not Appeal.objects.exists()):
        report.appeals = demo_appeals_create(n=appeals, seed=seed, now=now)
        states = "，".join(f"{state} {count}" for state, count in sorted(report.appeals.by_state.items()))
        report.lines.append(f"演示诉求：{report.appeals.created} 件（{states}）；时限巡检 {report.appeals.sweeps} 次")
        if report.appeals.supervision:
            report.lines.append(f"预警与督办：{report.appeals.supervision}")
        if report.appeals.failures:
            report.lines.append(f"未能完成的步骤 {len(report.appeals.failures)} 个：{report.appeals.failures[:5]}")
    elif appeals > 0:
        report.lines.append("数据库中已有诉求，未再生成演示诉求（如需追加请用 --add-appeals）")
    report.lines.append(_report_facts_rebuild(now=now))
    report.lines.extend(_channels_demo(train_classifier=train_classifier))
    report.lines.extend(app_demos_load(seed=seed, now=now, scale=scale))
    return report


def _report_facts_rebuild(*, now: dt.datetime) -> str:
    """The daily KPI facts behind the reports and the dashboard, for the demo's whole history."""
    from shanzhi.reports import facts

    first = Appeal.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return "统计事实表：无诉求，跳过"
    start, end = clock.local_date(first), clock.local_date(now)
    rows = facts.rebuild_history(start=start, end=end + dt.timedelta(days=60))
    return f"统计事实表：{start} 至 {end}，{rows} 行"


def _channels_demo(*, train_classifier: bool) -> list[str]:
    """The knowledge base's seed articles, standard addresses with doorplates in a few communities, and the
    cold-start routing classifier."""
    import io

    from django.core.management import call_command

    from shanzhi.routing.classifier import store

    lines = []
    steps: list[tuple[str, ...]] = [("knowledge", "load_seed"), ("places", "demo_addresses")]
    if train_classifier and store.current_version() is None:
        steps.append(("routing", "train", "--no-history"))  # the cold-start classifier (about 10 s, once)
    for args in steps:
        out = io.StringIO()
        call_command(*args, stdout=out)
        lines.append(out.getvalue().strip().splitlines()[-1] if out.getvalue().strip() else " ".join(args))
    return lines
