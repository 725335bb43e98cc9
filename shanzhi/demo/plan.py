"""Planning the demo appeals: for each one, its words, place, channel, final state and the timed steps that lead
there. Pure (no ORM): the executor in :mod:`shanzhi.demo.appeals` runs the steps through the services.

Every plan's steps lie strictly between ``now - 90 days`` and ``now`` and strictly increase in time, so running all
plans' steps in time order reproduces a consistent history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from shanzhi.demo import texts

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
WINDOW = dt.timedelta(days=90)

# Final states and their share of the appeals (closed takes the remainder).
STATE_SHARES: dict[str, float] = {
    "received": 0.02,
    "accepted": 0.02,
    "needs_info": 0.025,
    "rejected": 0.03,
    "answered": 0.06,
    "merged": 0.04,
    "dispatched": 0.05,
    "in_progress": 0.10,
    "feedback": 0.05,
    "replied": 0.06,
}
# How old (in days) an appeal in each final state is.
AGE_DAYS: dict[str, tuple[float, float]] = {
    "received": (0.02, 0.3),
    "accepted": (0.05, 1.0),
    "needs_info": (0.1, 4),
    "rejected": (0.1, 89),
    "answered": (0.05, 89),
    "merged": (0.3, 60),
    "dispatched": (0.05, 3),
    "in_progress": (0.2, 14),
    "feedback": (0.3, 8),
    "replied": (0.5, 8),
    "closed": (1.5, 89),
}
CHANNELS: tuple[tuple[str, float], ...] = (
    ("hotline", 36),
    ("city_12345", 20),
    ("portal", 12),
    ("web", 5),
    ("grid", 10),
    ("walk_in", 4),
    ("doorplate", 4),
    ("open311", 3),
    ("letter", 3),
)
# Handling time (hours) from signing to feedback, by urgency.
HANDLING_HOURS: dict[str, tuple[float, float]] = {
    "emergency": (0.5, 3),
    "urgent": (3, 20),
    "ordinary": (20, 110),
    "complex": (70, 260),
}


@dataclass(frozen=True)
class GridInfo:
    """A grid the planner may put an appeal in."""

    code: str
    community: str  # short name, e.g. 和平社区
    rural: bool
    geometry: BaseGeometry
    worker: str | None = None  # username of the grid worker living there, if any


@dataclass
class Step:
    at: dt.datetime
    action: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    index: int
    target: str
    created_at: dt.datetime
    channel: str
    appeal_type: str
    category: str | None
    title: str
    content: str
    fix: str
    citizen: dict[str, Any]
    address: str
    grid: str
    point: tuple[float, float] | None
    intake_actor: str  # "operator", "integration", "citizen" or a grid worker's username
    steps: list[Step] = field(default_factory=list)
    master: int | None = None  # index of the master plan (merged only)


def state_counts(n: int) -> dict[str, int]:
    """How many appeals end in each state: every state at least once when ``n`` allows, the rest closed."""
    counts = {state: max(1, round(share * n)) for state, share in STATE_SHARES.items()}
    counts["closed"] = max(0, n - sum(counts.values()))
    while sum(counts.values()) > n:  # tiny n: drop the rarest extras first
        state = max((s for s in counts if counts[s] > 0 and s != "closed"), key=lambda s: -STATE_SHARES[s])
        counts[state] -= 1
    return counts


def _weighted(rng: random.Random, items: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([i for i, _w in items], weights=[w for _i, w in items], k=1)[0]


def _point_in(rng: random.Random, geometry: BaseGeometry) -> tuple[float, float]:
    minx, miny, maxx, maxy = geometry.bounds
    for _ in range(200):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if geometry.contains(Point(x, y)):
            return round(x, 6), round(y, 6)
    p = geometry.representative_point()
    return round(p.x, 6), round(p.y, 6)


def _created_at(rng: random.Random, target: str, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    low, high = AGE_DAYS[target]
    moment = now - dt.timedelta(days=rng.uniform(low, high))
    if moment.astimezone(tz).hour < 7 and rng.random() < 0.75:
        shifted = moment + dt.timedelta(hours=rng.uniform(7, 10))
        if shifted < now - dt.timedelta(minutes=low * 24 * 60):
            moment = shifted
    return max(moment, now - WINDOW + H)


def _citizen(rng: random.Random, channel: str) -> dict[str, Any]:
    if rng.random() < 0.05:
        return {"citizen_name": "", "citizen_phone": "", "is_anonymous": True, "wants_reply": False}
    phone = texts.landline_number(rng) if rng.random() < 0.1 else texts.mobile_number(rng)
    citizen: dict[str, Any] = {
        "citizen_name": texts.person_name(rng),
        "citizen_phone": phone,
        "is_anonymous": False,
        "wants_reply": rng.random() > 0.04,
    }
    if channel in ("walk_in", "letter") and rng.random() < 0.6:
        citizen["citizen_id_number"] = texts.id_number(rng)
    return citizen


def _intake_actor(channel: str, grid: GridInfo) -> str:
    if channel in ("hotline", "walk_in", "letter"):
        return "operator"
    if channel in ("city_12345", "open311"):
        return "integration"
    if channel == "grid" and grid.worker:
        return grid.worker
    return "citizen"


class Planner:
    """Builds the plans for ``n`` appeals ending at ``now``."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: dt.datetime,
        tz: dt.tzinfo,
        grids: Sequence[GridInfo],
        urgencies: dict[str, str] | None = None,
    ) -> None:
        self.rng, self.now, self.tz = rng, now, tz
        self.urgencies = urgencies or {}
        self.urban = [g for g in grids if not g.rural]
        self.rural = [g for g in grids if g.rural]
        self.with_worker = [g for g in grids if g.worker]

    # --- content ----------------------------------------------------------------------------------------------
    def _template(self, month: int) -> texts.Template:
        usable = [t for t in texts.TEMPLATES if t.months is None or month in t.months]
        return _weighted(self.rng, [(t, t.weight) for t in usable])

    def _grid(self, rural: bool, channel: str) -> GridInfo:
        if channel == "grid":
            workers = [g for g in self.with_worker if g.rural == rural] or self.with_worker
            if workers:
                return self.rng.choice(workers)
        pool = (self.rural if rural else self.urban) or self.urban or self.rural
        return self.rng.choice(pool)

    def _base(self, index: int, target: str, created: dt.datetime) -> Plan:
        rng = self.rng
        month = created.astimezone(self.tz).month
        channel = _weighted(rng, CHANNELS)
        if target in ("answered", "rejected"):
            channel = "hotline" if rng.random() < 0.8 else "city_12345"
        template = self._template(month)
        grid = self._grid(template.rural, channel)
        filler = texts.Filler(rng, grid.community)
        plan = Plan(
            index=index,
            target=target,
            created_at=created,
            channel=channel,
            appeal_type=template.appeal_type,
            category=template.category,
            title=filler.fill(template.title),
            content=filler.fill(template.content),
            fix=template.fix,
            citizen=_citizen(rng, channel),
            address=filler.address() if not template.rural else f"海勃湾区千里山镇{filler.values['village']}",
            grid=grid.code,
            point=_point_in(rng, grid.geometry),
            intake_actor=_intake_actor(channel, grid),
        )
        if target == "answered":
            category, title, content, answer = rng.choice(texts.CONSULTATIONS)
            plan.category, plan.title, plan.content, plan.fix = category, title, content, answer
            plan.appeal_type = "consultation"
        elif target == "rejected":
            reason, title, content = rng.choice(texts.REJECTIONS)
            plan.category, plan.title, plan.content, plan.fix = None, title, content, reason
            plan.point, plan.address = None, ""
        elif plan.appeal_type == "consultation" and target not in ("received", "needs_info"):
            plan.appeal_type = "help"  # consultations that need a unit are handled as requests for help
        return plan

    # --- steps -------------------------------------------------------------------------------------------------
    def build(self, n: int) -> list[Plan]:
        targets = [s for s, c in state_counts(n).items() for _ in range(c)]
        plans = [self._base(0, t, _created_at(self.rng, t, self.now, self.tz)) for t in targets]
        plans.sort(key=lambda p: p.created_at)
        for index, plan in enumerate(plans):
            plan.index = index
        for plan in plans:
            plan.steps = self._steps(plan, plans)
            self._fit(plan)
            self._office_hours(plan)
        return plans

    def _steps(self, plan: Plan, plans: list[Plan]) -> list[Step]:
        rng, t = self.rng, plan.created_at
        steps: list[Step] = []

        def add(delay: dt.timedelta, action: str, **args: Any) -> None:
            nonlocal t
            t = t + max(delay, dt.timedelta(seconds=30)) if steps else t
            steps.append(Step(t, action, args))

        def minutes(lo: float, hi: float) -> dt.timedelta:
            return dt.timedelta(minutes=rng.uniform(lo, hi))

        def hours(lo: float, hi: float) -> dt.timedelta:
            return dt.timedelta(hours=rng.uniform(lo, hi))

        target = plan.target
        if target == "received":
            add(MIN, "intake", structured=False)
            return steps
        if target == "needs_info":
            add(MIN, "intake", structured=False)
            add(minutes(3, 30), "request_info", question=rng.choice(QUESTIONS))
            return steps
        if target == "rejected":
            add(MIN, "intake", structured=False)
            add(minutes(3, 40), "reject", reason_code=plan.fix)
            return steps
        if target == "answered":
            add(MIN, "intake", structured=True, auto_dispatch=False)
            add(minutes(2, 12), "answer", answer=plan.fix)
            return steps
        if target == "accepted":
            if rng.random() < 0.5:
                add(MIN, "intake", structured=True, auto_dispatch=False)
            else:
                add(MIN, "intake", structured=False)
                add(minutes(3, 40), "accept", dispatch=False)
            return steps
        if target == "merged":
            master = self._master_for(plan, plans)
            t = plan.created_at
            plan.master = master.index
            plan.category, plan.grid, plan.point = master.category, master.grid, master.point
            plan.title = f"{master.title}（再次反映）"
            plan.content = f"{rng.choice(AGAIN)}{master.content}"
            plan.appeal_type = master.appeal_type
            add(MIN, "intake", structured=True, auto_dispatch=False)
            add(minutes(10, 120), "merge", master=master.index)
            return steps

        # Everything else is routed to a unit first.
        variant = rng.random()
        if plan.intake_actor not in ("operator",) or variant < 0.7:
            add(MIN, "intake", structured=True, auto_dispatch=True)
        elif variant < 0.82:
            add(MIN, "intake", structured=False)
            add(minutes(3, 40), "accept", dispatch=True)
        elif variant < 0.93:
            add(MIN, "intake", structured=True, auto_dispatch=False)
            add(minutes(10, 180), "dispatch")
        else:
            add(MIN, "intake", structured=False)
            add(minutes(3, 30), "request_info", question=rng.choice(QUESTIONS))
            add(hours(1, 30), "supply_info", text=rng.choice(SUPPLIES))
            add(minutes(3, 30), "accept", dispatch=True)
        if target == "dispatched":
            return steps

        if rng.random() < 0.07:
            add(hours(0.3, 4), "request", kind="return", reason=rng.choice(RETURN_REASONS), basis=RETURN_BASIS)
            approve = rng.random() < 0.75
            add(
                hours(0.5, 4), "decide", approve=approve, note="同意退回，改派" if approve else "属于贵单位职责，请办理"
            )
            if approve:
                add(minutes(10, 90), "redispatch")
        late_sign = rng.random() < 0.08
        add(hours(3, 30) if late_sign else hours(0.1, 3), "sign")
        if rng.random() < 0.85:
            add(hours(0.3, 6), "contact", note=rng.choice(CONTACTS))
        urgency_hours = HANDLING_HOURS.get(
            self.urgencies.get(plan.category or "", "ordinary"), HANDLING_HOURS["ordinary"]
        )
        handling = hours(*urgency_hours)
        if rng.random() < 0.12:
            handling = handling * rng.uniform(1.4, 2.5)  # late: the deadline sweep raises warnings
        if rng.random() < 0.08:
            add(
                handling * 0.4,
                "request",
                kind="extend",
                reason="需协调多个部门现场勘查，申请延期",
                days=rng.randint(3, 10),
            )
            add(hours(0.5, 5), "decide", approve=rng.random() < 0.85, note="")
        if target == "in_progress":
            if rng.random() < 0.2:
                add(hours(20, 70), "request", kind="shelve", reason=rng.choice(SHELVE_REASONS))
                add(hours(1, 6), "decide", approve=True, note="同意挂账，定期跟踪")
            return steps
        if rng.random() < 0.03:
            add(hours(20, 70), "request", kind="shelve", reason=rng.choice(SHELVE_REASONS))
            add(hours(1, 6), "decide", approve=True, note="同意挂账，定期跟踪")
            add(hours(48, 200), "unshelve", note="具备处理条件，恢复办理")
        add(handling * 0.8, "feedback_assisting")
        add(handling * 0.2 + minutes(5, 60), "feedback_lead", resolved=True)
        if target == "feedback":
            return steps

        if rng.random() < 0.06:  # the review fails: a second round
            add(hours(1, 20), "redo", reason=rng.choice(REDO_REASONS))
            add(hours(0.1, 3), "sign")
            add(handling * 0.5, "feedback_assisting")
            add(minutes(5, 120), "feedback_lead", resolved=True)
        add(hours(1, 20), "reply")
        if target == "replied":
            if rng.random() < 0.3:
                add(hours(2, 30), "follow_up", reached=False, note="电话无人接听")
            return steps

        if not plan.citizen.get("wants_reply", True):
            add(hours(1, 24), "close", note="诉求人表示无需回访，按规定办结")
            return steps
        roll = rng.random()
        if roll < 0.06:  # dissatisfied: the same units handle it again
            add(
                hours(2, 40),
                "follow_up",
                reached=True,
                rating="dissatisfied",
                resolved=False,
                note=rng.choice(DISSATISFIED),
            )
            add(hours(0.1, 3), "sign")
            add(handling * 0.6, "feedback_assisting")
            add(minutes(5, 120), "feedback_lead", resolved=True)
            add(hours(1, 20), "reply")
        elif roll < 0.11:  # not reached, closed after the set attempts
            add(hours(2, 30), "follow_up", reached=False, note="电话无人接听")
            add(hours(20, 60), "close", note="三次回访均未接通，按规定办结")
            return steps
        rating = "satisfied" if rng.random() < 0.78 else "fairly_satisfied"
        add(hours(2, 40), "follow_up", reached=True, rating=rating, resolved=True, note=rng.choice(SATISFIED))
        return steps

    def _master_for(self, plan: Plan, plans: list[Plan]) -> Plan:
        eligible = ("closed", "replied", "feedback", "in_progress", "dispatched")
        earlier = [
            p for p in plans if p.index < plan.index and p.target in eligible and p.created_at < plan.created_at - H
        ]
        recent = [p for p in earlier if p.created_at > plan.created_at - dt.timedelta(days=20)]
        if recent or earlier:
            return self.rng.choice(recent or earlier)
        # Nothing older can be the master: move this duplicate after the oldest eligible appeal.
        candidates = [p for p in plans if p.target in eligible]
        master = min(candidates, key=lambda p: p.created_at)
        plan.created_at = min(master.created_at + 2 * H, self.now - 30 * MIN)
        return master

    def _office_hours(self, plan: Plan) -> None:
        """Units work by day: move their steps that fall at night to the next morning, pushing later steps along,
        unless that would run past ``now`` (then the plan keeps its times)."""
        moved: list[dt.datetime] = []
        previous: dt.datetime | None = None
        for step in plan.steps:
            at = step.at if previous is None else max(step.at, previous + dt.timedelta(minutes=1))
            if step.action in UNIT_ACTIONS:
                local = at.astimezone(self.tz)
                if not 8 <= local.hour < 19:
                    morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
                    if local.hour >= 19:
                        morning += DAY
                    at = (morning + dt.timedelta(minutes=self.rng.uniform(10, 150))).astimezone(dt.UTC)
            moved.append(at)
            previous = at
        if moved and moved[-1] < self.now - MIN:
            for step, at in zip(plan.steps, moved, strict=True):
                step.at = at

    def _fit(self, plan: Plan) -> None:
        """Squeeze the steps proportionally so that the last one happens before ``now``."""
        if not plan.steps:
            return
        start = plan.steps[0].at = plan.created_at
        span = plan.steps[-1].at - start
        room = self.now - dt.timedelta(minutes=5) - start
        if span <= room or span.total_seconds() <= 0:
            return
        ratio = max(room, dt.timedelta(seconds=len(plan.steps))) / span
        previous = start
        for step in plan.steps[1:]:
            moved = start + (step.at - start) * ratio
            step.at = max(moved, previous + dt.timedelta(seconds=1))
            previous = step.at


UNIT_ACTIONS = frozenset({"sign", "contact", "request", "feedback_assisting", "feedback_lead"})
QUESTIONS = (
    "请补充具体的小区名称、楼号和单元号",
    "请提供现场照片，便于核实情况",
    "请说明问题发生的具体时间和持续多久",
    "请提供涉事商户的名称或门牌号",
)
SUPPLIES = (
    "诉求人回电补充了具体楼号和单元号",
    "诉求人通过小程序上传了现场照片",
    "诉求人补充：每天晚上十点以后最严重",
)
AGAIN = ("之前反映过，到现在还没解决，再反映一次：", "我邻居也打过电话了，", "同一个问题再次反映：")
RETURN_REASONS = (
    "该事项属于物业服务范畴，应由属地社区协调物业处理",
    "经现场核实，该设施产权不属于本单位",
    "该问题涉及小区内部管理，不属于本单位职责",
)
RETURN_BASIS = "依据本单位“三定”规定及《乌海市物业管理条例》相关规定，该事项不属于本单位法定职责"
SHELVE_REASONS = (
    "需纳入明年老旧小区改造计划统筹解决，目前暂不具备条件",
    "涉及历史遗留产权问题，需待不动产登记政策明确后处理",
    "冬季无法施工，需待来年开春后维修",
)
REDO_REASONS = ("反馈内容未说明处理结果，请重新核实办理", "未与诉求人联系核实，请补充办理情况")
CONTACTS = ("已电话联系诉求人，约定上门查看时间", "已与诉求人电话沟通，了解具体情况", "已到现场与诉求人见面核实")
SATISFIED = ("问题已解决，很满意", "处理得挺及时，谢谢", "基本解决了，希望以后多注意", "")
DISSATISFIED = ("说是修好了，其实还是老样子", "根本没人来过，反馈不属实")
