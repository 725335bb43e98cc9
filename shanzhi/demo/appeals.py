"""Demo appeals, driven through the real services in time order.

The planner (:mod:`shanzhi.demo.plan`) decides what happens to each appeal and when. Here every step is a call
of the lifecycle services with the clock (:func:`shanzhi.core.clock.now`) set to the step's moment, all plans'
steps interleaved in time order, and the SLA deadline sweep run every simulated hour in between — so deadlines,
warnings, supervision orders and the event logs are exactly what the services would have produced live.

Citizen notifications go to the outbox as usual, but delivery is not enqueued while the history is replayed; the
demo's messages are recorded as sent at the time they were written (nobody is texted about invented appeals).
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.db import connection, transaction
from django.db.models import F
from shapely.geometry import shape

from shanzhi.appeals import services, unit_work
from shanzhi.appeals.models import (
    Appeal,
    AppealState,
    Assignment,
    AssignmentRequest,
    AssignmentRole,
    AssignmentState,
    ReplyTemplate,
    RequestState,
)
from shanzhi.appeals.principals import CITIZEN, Principal
from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.demo.grids import short_name
from shanzhi.demo.plan import GridInfo, Plan, Planner, Step
from shanzhi.demo.staff import handling_units, liaison_username
from shanzhi.orgs.models import Boundary, Role, Unit, UnitKind, User
from shanzhi.routing.models import Category

logger = logging.getLogger("shanzhi.demo")

SWEEP_EVERY_MINUTES = 15  # the scheduler's sweep interval the replay imitates
DEFAULT_REPLY = (
    "您好！您反映的问题（编号{tracking_no}）已转{unit}办理。经办理：{feedback}感谢您对海勃湾区工作的关心和支持。"
)


class SimulatedClock:
    """Stands in for :func:`shanzhi.core.clock.now` while the history is replayed."""

    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def now(self) -> dt.datetime:
        return self.current


@dataclass
class DemoAppealsReport:
    created: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    sweeps: int = 0
    supervision: dict[str, int] = field(default_factory=dict)


@dataclass
class _Actors:
    operators: list[User]
    dispatchers: list[User]
    by_username: dict[str, User]
    by_unit: dict[int, User]


def _users_with_role(role: str) -> list[User]:
    return list(User.objects.filter(groups__name=role, is_active=True).select_related("unit").order_by("username"))


def _actors() -> _Actors:
    users = {u.username: u for u in User.objects.select_related("unit").filter(is_active=True)}
    named: dict[int, User] = {}
    for user in _users_with_role(Role.HANDLER):
        if user.unit_id is not None and not user.username.startswith("liaison"):
            named.setdefault(user.unit_id, user)
    by_unit: dict[int, User] = {}
    for unit in handling_units():
        chosen = named.get(unit.pk) or users.get(liaison_username(unit))
        if chosen is not None:
            by_unit[unit.pk] = chosen
    operators, dispatchers = _users_with_role(Role.OPERATOR), _users_with_role(Role.DISPATCHER)
    if not operators or not dispatchers:
        raise ValueError("demo appeals need operators and dispatchers: create the demo staff first")
    return _Actors(operators, dispatchers, users, by_unit)


def _grids() -> list[GridInfo]:
    workers = {
        u.unit_id: u.username
        for u in User.objects.filter(groups__name=Role.GRID_WORKER, is_active=True).order_by("-username")
    }
    infos = []
    rows = Boundary.objects.filter(unit__kind=UnitKind.GRID, unit__is_active=True, is_current=True).select_related(
        "unit__parent"
    )
    for row in rows.order_by("unit__code"):
        community = row.unit.parent
        name = community.name if community else ""
        infos.append(
            GridInfo(
                code=row.unit.code,
                community=short_name(name),
                rural=name.endswith("村委会"),
                geometry=shape(row.geojson),
                worker=workers.get(row.unit.pk),
            )
        )
    if not infos:
        raise ValueError("demo appeals need grids: run the grid creation first")
    return infos


class _Runner:
    """Executes one plan step at a time; keeps each plan's appeal."""

    def __init__(self, actors: _Actors, plans: list[Plan]) -> None:
        self.actors = actors
        self.plans = plans
        self.appeals: dict[int, Appeal] = {}
        self.broken: set[int] = set()
        self.grids = {u.code: u for u in Unit.objects.filter(kind=UnitKind.GRID)}
        self.reply_body = (
            ReplyTemplate.objects.filter(name="通用答复", is_active=True).values_list("body", flat=True).first()
            or DEFAULT_REPLY
        )

    # --- helpers ----------------------------------------------------------------------------------------------
    def operator(self, plan: Plan) -> User:
        return self.actors.operators[plan.index % len(self.actors.operators)]

    def dispatcher(self, plan: Plan) -> User:
        return self.actors.dispatchers[plan.index % len(self.actors.dispatchers)]

    def unit_actor(self, unit_id: int) -> User:
        user = self.actors.by_unit.get(unit_id)
        if user is None:
            raise ValueError(f"no demo handler for unit {unit_id}")
        return user

    def round_assignments(self, appeal: Appeal) -> list[Assignment]:
        appeal.refresh_from_db(fields=["round", "state", "tracking_no"])
        rows = Assignment.objects.filter(appeal=appeal, round=appeal.round).select_related("unit")
        return sorted(rows, key=lambda a: (a.role != AssignmentRole.LEAD, a.pk))

    def lead(self, appeal: Appeal) -> Assignment:
        return next(a for a in self.round_assignments(appeal) if a.role == AssignmentRole.LEAD)

    # --- steps --------------------------------------------------------------------------------------------------
    def run(self, plan: Plan, step: Step) -> None:
        if plan.index in self.broken:
            return
        try:
            getattr(self, f"do_{step.action}")(plan, step.args)
        except (ShanzhiError, LookupError, StopIteration) as error:
            self.broken.add(plan.index)
            code = getattr(error, "code", type(error).__name__)
            logger.warning("demo appeal %s: %s failed (%s)", plan.index, step.action, code)
            raise _StepFailed(f"#{plan.index} {plan.target} {step.action}: {code}") from error

    def do_intake(self, plan: Plan, args: dict[str, Any]) -> None:
        actor: User | Principal
        if plan.intake_actor == "operator":
            actor = self.operator(plan)
        elif plan.intake_actor == "integration":
            actor = self.actors.by_username.get("integration") or self.operator(plan)
        elif plan.intake_actor == "citizen":
            actor = CITIZEN
        else:
            actor = self.actors.by_username.get(plan.intake_actor) or self.operator(plan)
        structured = args["structured"]
        citizen = dict(plan.citizen)
        result = services.appeal_intake(
            actor=actor,
            channel=plan.channel,
            content=plan.content,
            title=plan.title,
            appeal_type=plan.appeal_type,
            category=plan.category if structured else None,
            address=plan.address,
            longitude=plan.point[0] if plan.point else None,
            latitude=plan.point[1] if plan.point else None,
            area=self.grids.get(plan.grid) if plan.point else None,
            external_ref=f"WH12345-{plan.created_at:%Y%m%d}{plan.index:04d}" if plan.channel == "city_12345" else "",
            structured=structured,
            auto_dispatch=args.get("auto_dispatch", True),
            at=clock.now(),
            **citizen,
        )
        self.appeals[plan.index] = result.appeal

    def do_accept(self, plan: Plan, args: dict[str, Any]) -> None:
        self.appeals[plan.index] = services.appeal_accept(
            actor=self.operator(plan),
            appeal=self.appeals[plan.index],
            category=plan.category,
            dispatch=args["dispatch"],
            title=plan.title,
        )

    def do_dispatch(self, plan: Plan, args: dict[str, Any]) -> None:
        self.appeals[plan.index] = services.appeal_dispatch(
            actor=self.dispatcher(plan), appeal=self.appeals[plan.index]
        )

    def do_redispatch(self, plan: Plan, args: dict[str, Any]) -> None:
        appeal = self.appeals[plan.index]
        returned = (
            Assignment.objects.filter(appeal=appeal, role=AssignmentRole.LEAD, state=AssignmentState.RETURNED)
            .select_related("unit")
            .order_by("-round")
            .first()
        )
        lead = _alternative_lead(appeal, returned.unit if returned else None)
        self.appeals[plan.index] = services.appeal_dispatch(
            actor=self.dispatcher(plan), appeal=appeal, lead_unit=lead, reason="原承办单位退回，改派"
        )

    def do_sign(self, plan: Plan, args: dict[str, Any]) -> None:
        for assignment in self.round_assignments(self.appeals[plan.index]):
            if assignment.state == AssignmentState.PENDING:
                unit_work.assignment_sign(actor=self.unit_actor(assignment.unit_id), assignment=assignment)

    def do_contact(self, plan: Plan, args: dict[str, Any]) -> None:
        lead = self.lead(self.appeals[plan.index])
        if lead.state == AssignmentState.SIGNED:
            unit_work.assignment_record_contact(actor=self.unit_actor(lead.unit_id), assignment=lead, note=args["note"])

    def do_request(self, plan: Plan, args: dict[str, Any]) -> None:
        lead = self.lead(self.appeals[plan.index])
        unit_work.assignment_request(
            actor=self.unit_actor(lead.unit_id),
            assignment=lead,
            kind=args["kind"],
            reason=args["reason"],
            basis=args.get("basis", ""),
            extra_working_days=args.get("days"),
        )

    def do_decide(self, plan: Plan, args: dict[str, Any]) -> None:
        lead = self.lead(self.appeals[plan.index])
        request = AssignmentRequest.objects.get(assignment=lead, state=RequestState.PENDING)
        unit_work.request_decide(
            actor=self.dispatcher(plan), request=request, approve=args["approve"], note=args.get("note", "")
        )

    def do_unshelve(self, plan: Plan, args: dict[str, Any]) -> None:
        lead = self.lead(self.appeals[plan.index])
        unit_work.assignment_unshelve(actor=self.dispatcher(plan), assignment=lead, note=args["note"])

    def do_feedback_assisting(self, plan: Plan, args: dict[str, Any]) -> None:
        for assignment in self.round_assignments(self.appeals[plan.index]):
            if assignment.role == AssignmentRole.ASSISTING and assignment.state == AssignmentState.SIGNED:
                unit_work.assignment_feedback(
                    actor=self.unit_actor(assignment.unit_id),
                    assignment=assignment,
                    text=f"{assignment.unit.name}已配合主办单位到现场核实处理。",
                    resolved=True,
                )

    def do_feedback_lead(self, plan: Plan, args: dict[str, Any]) -> None:
        lead = self.lead(self.appeals[plan.index])
        unit_work.assignment_feedback(
            actor=self.unit_actor(lead.unit_id), assignment=lead, text=plan.fix, resolved=args["resolved"]
        )

    def do_redo(self, plan: Plan, args: dict[str, Any]) -> None:
        self.appeals[plan.index] = services.appeal_redo(
            actor=self.dispatcher(plan), appeal=self.appeals[plan.index], reason=args["reason"]
        )

    def do_reply(self, plan: Plan, args: dict[str, Any]) -> None:
        appeal = self.appeals[plan.index]
        lead = self.lead(appeal)
        text = self.reply_body.format(tracking_no=appeal.tracking_no, unit=lead.unit.name, feedback=lead.feedback)
        self.appeals[plan.index] = services.appeal_reply(actor=self.operator(plan), appeal=appeal, text=text)

    def do_follow_up(self, plan: Plan, args: dict[str, Any]) -> None:
        self.appeals[plan.index] = services.appeal_follow_up(
            actor=self.operator(plan),
            appeal=self.appeals[plan.index],
            rating=args.get("rating", ""),
            resolved=args.get("resolved"),
            reached=args["reached"],
            note=args.get("note", ""),
        )

    def do_close(self, plan: Plan, args: dict[str, Any]) -> None:
        self.appeals[plan.index] = services.appeal_close(
            actor=self.operator(plan), appeal=self.appeals[plan.index], note=args["note"]
        )

    def do_merge(self, plan: Plan, args: dict[str, Any]) -> None:
        master = self.appeals[args["master"]]
        self.appeals[plan.index] = services.appeal_merge(
            actor=self.dispatcher(plan),
            appeal=self.appeals[plan.index],
            master=master,
            reason=f"与 {master.tracking_no} 反映同一问题，合并办理",
        )

    def do_answer(self, plan: Plan, args: dict[str, Any]) -> None:
        self.appeals[plan.index] = services.appeal_answer(
            actor=self.operator(plan), appeal=self.appeals[plan.index], answer=args["answer"]
        )

    def do_reject(self, plan: Plan, args: dict[str, Any]) -> None:
        self.appeals[plan.index] = services.appeal_reject(
            actor=self.operator(plan), appeal=self.appeals[plan.index], reason_code=args["reason_code"]
        )

    def do_request_info(self, plan: Plan, args: dict[str, Any]) -> None:
        self.appeals[plan.index] = services.appeal_request_info(
            actor=self.operator(plan), appeal=self.appeals[plan.index], question=args["question"]
        )

    def do_supply_info(self, plan: Plan, args: dict[str, Any]) -> None:
        self.appeals[plan.index] = services.appeal_supply_info(
            actor=self.operator(plan), appeal=self.appeals[plan.index], text=args["text"]
        )


class _StepFailed(Exception):
    pass


def _alternative_lead(appeal: Appeal, returned: Unit | None) -> Unit:
    """Who gets a returned appeal: the place's town when a department returned it, else 城管局."""
    area = Unit.objects.filter(pk=appeal.area_id).first() if appeal.area_id else None
    if returned is not None and returned.kind in (UnitKind.DEPARTMENT, UnitKind.UTILITY) and area is not None:
        town = next((u for u in area.ancestors() if u.kind == UnitKind.TOWN and not u.is_virtual), None)
        if town is not None:
            return town
    fallback = Unit.objects.filter(code="D-CG").first()
    if fallback is None or (returned is not None and fallback.pk == returned.pk):
        others = Unit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True)
        if returned is not None:
            others = others.exclude(pk=returned.pk)
        fallback = others.order_by("sort").first()
    if fallback is None:
        raise ValueError("no unit to redispatch to")
    return fallback


def _sweeper() -> Any:
    """The deadline sweep (warnings and automatic supervision orders)."""
    from shanzhi.supervision.sweep import deadlines_sweep

    return deadlines_sweep


def _next_sweep(after: dt.datetime) -> dt.datetime | None:
    """When the deadline sweep next has something to do: the first sign-for deadline, warning point or deadline
    of a running assignment after ``after``, rounded up to the scheduler's quarter hour. (Plain SQL: this runs
    before every replayed step.)"""
    table = connection.ops.quote_name(Assignment._meta.db_table)
    sql = (
        f"SELECT MIN(warn_at) FROM {table} WHERE state IN (%s, %s) AND paused_at IS NULL AND warning = %s "
        f"AND warn_at > %s UNION ALL "
        f"SELECT MIN(due_at) FROM {table} WHERE state IN (%s, %s) AND paused_at IS NULL AND warning <> %s "
        f"AND due_at > %s UNION ALL "
        f"SELECT MIN(sign_due_at) FROM {table} WHERE state = %s AND paused_at IS NULL AND sign_due_at > %s"
    )
    running = [AssignmentState.PENDING.value, AssignmentState.SIGNED.value]
    params: list[Any] = [*running, "none", after, *running, "red", after, AssignmentState.PENDING.value, after]
    field = Assignment._meta.get_field("due_at")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = [row[0] for row in cursor.fetchall() if row[0] is not None]
    moments = [field.to_python(v) if isinstance(v, str) else v for v in values]
    moments = [m if m.tzinfo else m.replace(tzinfo=dt.UTC) for m in moments]
    if not moments:
        return None
    first = min(moments)
    rounded = first.replace(second=0, microsecond=0) + dt.timedelta(minutes=(-first.minute) % SWEEP_EVERY_MINUTES)
    return rounded if rounded >= first else rounded + dt.timedelta(minutes=SWEEP_EVERY_MINUTES)


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Hold back a logger's INFO lines while thousands of simulated sweeps run."""
    target = logging.getLogger(name)
    level = target.level
    target.setLevel(logging.WARNING)
    try:
        yield
    finally:
        target.setLevel(level)


def _no_delivery(*_args: Any, **_kwargs: Any) -> None:
    return None


@transaction.atomic
def demo_appeals_create(*, n: int = 400, seed: int = 20251128, now: dt.datetime | None = None) -> DemoAppealsReport:
    """Plan ``n`` appeals over the last 90 days and replay them through the services. All or nothing."""
    now = now or clock.now()
    rng = random.Random(seed)
    actors = _actors()
    urgencies = dict(Category.objects.filter(level=3).values_list("path", "default_urgency"))
    plans = Planner(rng=rng, now=now, tz=clock.centre_tz(), grids=_grids(), urgencies=urgencies).build(n)
    runner = _Runner(actors, plans)
    sweep = _sweeper()
    report = DemoAppealsReport()

    timeline: list[tuple[dt.datetime, int, int, Step]] = [
        (step.at, plan.index, no, step) for plan in plans for no, step in enumerate(plan.steps)
    ]
    heapq.heapify(timeline)
    sim = SimulatedClock(timeline[0][0] if timeline else now)
    supervision: Counter[str] = Counter()
    last_sweep = sim.current
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(clock, "now", sim.now))
        stack.enter_context(_quiet("shanzhi.sla"))
        stack.enter_context(_quiet("shanzhi.supervision"))
        from shanzhi.notifications import services as notification_services

        if hasattr(notification_services, "enqueue_delivery"):
            stack.enter_context(mock.patch.object(notification_services, "enqueue_delivery", _no_delivery))
        while timeline:
            at, index, _no, step = heapq.heappop(timeline)
            while sweep is not None:
                due = _next_sweep(last_sweep)
                if due is None or due > at:
                    break
                sim.current = last_sweep = due
                supervision.update(sweep(now=due))
                report.sweeps += 1
            sim.current = at
            try:
                runner.run(plans[index], step)
            except _StepFailed as failure:
                report.failures.append(str(failure))
        if sweep is not None:
            sim.current = now
            supervision.update(sweep(now=now))
            report.sweeps += 1
    _mark_demo_messages_sent(list(runner.appeals.values()))
    report.created = len(runner.appeals)
    states = Appeal.objects.filter(pk__in=[a.pk for a in runner.appeals.values()]).values_list("state", flat=True)
    report.by_state = dict(Counter(states))
    report.supervision = {k: v for k, v in supervision.items() if v}
    for state in AppealState.values:
        report.by_state.setdefault(state, 0)
    return report


def _mark_demo_messages_sent(appeals: list[Appeal]) -> int:
    """The replayed history's citizen messages count as sent when they were written."""
    try:
        from shanzhi.notifications.models import OutboxMessage, OutboxState
    except ImportError:
        return 0
    return OutboxMessage.objects.filter(appeal_id__in=[a.pk for a in appeals], state=OutboxState.PENDING).update(
        state=OutboxState.SENT, sent_at=F("created_at"), attempts=1, next_attempt_at=None, provider_message_id="demo"
    )
