"""Demo data of supervision (called by ``shanzhi demo`` after the appeals): the replayed history leaves every order the
deadline sweep raised unanswered; here the units answer most of them, some late, the centre urges a few, sends a few
replies back, closes many, and presses a few red-card appeals by hand — so the order list, the work bench and the
weekly report show the mix a centre lives with. Every step goes through the services at a moment in the past.

Idempotent: once any order has been answered, urged or closed, nothing is done again."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable

from shanzhi.appeals.models import ACTIVE_ASSIGNMENT_STATES, Assignment, AssignmentRole
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Role, User
from shanzhi.supervision import services
from shanzhi.supervision.models import SupervisionOrder, SupervisionState, SupervisionTrigger, SupervisionUrge

REPLIES = (
    "已督促承办人员当日到现场核实处置，处置结果将按时反馈。",
    "已安排专人负责，正在协调相关单位，预计两个工作日内办结。",
    "收到督办后已联系诉求人说明情况，现场问题已处理完毕。",
    "因需第三方配合，已发函协调，进展情况将及时报告中心。",
    "已召开专题会研究，明确责任人和完成时限，正在推进。",
)
URGES = (
    "请于今日下班前回复办理进展。",
    "群众再次来电反映，请加快办理并立即回复。",
    "请单位负责同志亲自过问，尽快回复。",
)
REJECTS = ("回复未写明办理结果和完成时限，请补充后重新回复。", "回复内容过于笼统，请说明具体处置措施。")
CLOSE_NOTES = ("回复满意，督办办结。", "承办单位已办结，督办单办结。", "")
MANUAL_REASONS = ("红牌预警，群众反映强烈，请主要负责同志亲自督办。", "超期未办结，请说明原因并于明日前办结。")
HOUR = dt.timedelta(hours=1)


def _clamp(moment: dt.datetime, *, after: dt.datetime, now: dt.datetime) -> dt.datetime:
    return max(after + dt.timedelta(minutes=5), min(moment, now - dt.timedelta(minutes=5)))


def _repliers() -> Callable[[int], User | None]:
    """The first active staff member who answers for each unit (its handler, head or grid worker)."""
    cache: dict[int, User | None] = {}
    work = [Role.HANDLER, Role.UNIT_HEAD, Role.GRID_WORKER]

    def find(unit_id: int) -> User | None:
        if unit_id not in cache:
            cache[unit_id] = (
                User.objects.filter(unit_id=unit_id, is_active=True, groups__name__in=work).order_by("id").first()
            )
        return cache[unit_id]

    return find


def _centre_actor() -> User | None:
    for role in (Role.LEADER, Role.DISPATCHER):
        for user in User.objects.filter(is_active=True, groups__name=role).order_by("id"):
            if permissions.may_issue_supervision(user) and permissions.sees_everything(user):
                return user
    return None


def demo_load(*, seed: int, now: dt.datetime, scale: str) -> list[str]:
    if SupervisionOrder.objects.exclude(state=SupervisionState.OPEN).exists() or SupervisionUrge.objects.exists():
        return ["督办演示：已有回复或办结的督办单，跳过"]
    centre = _centre_actor()
    if centre is None or not SupervisionOrder.objects.exists():
        return []
    rng = random.Random(seed + 22)
    replier = _repliers()
    done: Counter[str] = Counter()
    orders = list(SupervisionOrder.objects.filter(state=SupervisionState.OPEN).order_by("issued_at", "id"))
    for order in orders:
        unit_user = replier(order.unit_id)
        due = order.reply_due_at or order.issued_at + 24 * HOUR
        if unit_user is None or order.issued_at > now - 2 * HOUR:
            done["open"] += 1
            continue
        roll = rng.random()
        if roll < 0.12:  # never answered: 回复超时 (or simply still within its deadline)
            done["open"] += 1
            continue
        if roll < 0.22:  # urged, still unanswered
            services.supervision_urge(
                actor=centre,
                order=order,
                note=rng.choice(URGES),
                at=_clamp(due + 2 * HOUR, after=order.issued_at, now=now),
            )
            done["urged"] += 1
            continue
        late = rng.random() < 0.2
        reply_at = due + rng.randint(2, 30) * HOUR if late else order.issued_at + rng.randint(1, 6) * HOUR
        if not late:
            reply_at = min(reply_at, due - dt.timedelta(minutes=10))
        reply_at = _clamp(reply_at, after=order.issued_at, now=now)
        order = services.supervision_reply(actor=unit_user, order=order, reply=rng.choice(REPLIES), at=reply_at)
        done["replied_late" if order.replied_late else "replied"] += 1
        step = rng.random()
        if step < 0.08 and reply_at < now - 3 * HOUR:  # sent back, answered again
            back_at = _clamp(reply_at + HOUR, after=reply_at, now=now)
            order = services.supervision_reject(actor=centre, order=order, note=rng.choice(REJECTS), at=back_at)
            again = _clamp(back_at + rng.randint(1, 4) * HOUR, after=back_at, now=now)
            order = services.supervision_reply(actor=unit_user, order=order, reply=rng.choice(REPLIES), at=again)
            done["sent_back"] += 1
            reply_at = again
        if step < 0.6 and reply_at < now - 2 * HOUR:
            close_at = _clamp(reply_at + rng.randint(1, 20) * HOUR, after=reply_at, now=now)
            services.supervision_close(actor=centre, order=order, note=rng.choice(CLOSE_NOTES), at=close_at)
            done["closed"] += 1
    done["manual"] = _manual_orders(centre=centre, now=now, rng=rng, count=3 if scale == "demo" else 20)
    figures = "，".join(f"{label} {done[key]}" for key, label in LABELS if done[key])
    return [f"督办演示：{len(orders)} 张督办单（{figures}）"]


LABELS = (
    ("replied", "按时回复"),
    ("replied_late", "逾期回复"),
    ("sent_back", "退回重新回复"),
    ("closed", "已办结"),
    ("urged", "催办未回复"),
    ("open", "待回复"),
    ("manual", "人工督办"),
)


def _manual_orders(*, centre: User, now: dt.datetime, rng: random.Random, count: int) -> int:
    """The leader presses a few red-card lead assignments by hand (人工督办), this morning; they stay open."""
    candidates = list(
        Assignment.objects.filter(state__in=ACTIVE_ASSIGNMENT_STATES, role=AssignmentRole.LEAD, warning="red")
        .exclude(supervision_orders__trigger=SupervisionTrigger.MANUAL)
        .order_by("due_at", "id")[: count * 3]
    )
    made = 0
    for assignment in rng.sample(candidates, min(count, len(candidates))):
        services.supervision_issue(
            actor=centre,
            assignment=assignment,
            level="red",
            reason=rng.choice(MANUAL_REASONS),
            at=now - rng.randint(1, 3) * HOUR,
        )
        made += 1
    return made
