"""A fast generator of realistic appeal history at any size (``shanzhi demo --appeals 5000000 --fast``).

The ordinary demo replays every appeal through the lifecycle services (a few hundred a minute): the truest data, too
slow for a city's year. This writes the same shapes straight into the tables — appeals over the past ``days`` with
the demo's mix of channels and types, the template bank's words, categories and the catalogue's units at the
district's grids, the lifecycle's timestamps and deadlines, lead and assisting assignments, follow-ups with ratings
and the events of every state change (received, accepted, dispatched, signed, feedback, replied, followed up,
closed; answered or rejected at intake) — with PostgreSQL's ``COPY`` in
batches (SQLite: ``executemany``). Ids are drawn in advance, sequences and the daily tracking counters are advanced
after, so the desk goes on numbering where the history stops.

Old appeals are mostly closed; the last two weeks hold open work in every state, so the work bench, the overdue
sweep and the reports see a living centre. Deadlines are computed in calendar days (an ordinary appeal: 7 days to
handle, i.e. 5 working days) — close enough for load, not for auditing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment, FollowUp, TrackingCounter
from shanzhi.core import clock
from shanzhi.demo import texts
from shanzhi.demo.plan import CHANNELS
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.routing.models import Category
from shanzhi.routing.services import dispatch_plan

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)
HANDLE_DAYS = {"emergency": 0.1, "urgent": 1.0, "ordinary": 7.0, "complex": 21.0}
URGENCIES = (("ordinary", 86), ("urgent", 9), ("complex", 4), ("emergency", 1))
TYPES = (("complaint", 38), ("help", 34), ("report", 10), ("consultation", 8), ("suggestion", 8), ("praise", 2))
RATINGS = (("satisfied", 78), ("fairly_satisfied", 15), ("dissatisfied", 7))
# Final states of the last 14 days (older appeals: closed, rejected or answered).
RECENT_STATES = (
    ("received", 2), ("accepted", 2), ("dispatched", 10), ("in_progress", 28), ("feedback", 8), ("replied", 10),
    ("closed", 40),
)  # fmt: skip


@dataclass
class HistoryReport:
    appeals: int = 0
    assignments: int = 0
    events: int = 0
    follow_ups: int = 0
    seconds: float = 0.0
    by_state: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        rate = self.appeals / self.seconds if self.seconds else 0
        rows = f"派单 {self.assignments}，事件 {self.events}，回访 {self.follow_ups}"
        return f"快速生成历史诉求：{self.appeals} 件（{rows}），{self.seconds:.0f} 秒，每秒 {rate:.0f} 件"


_CUMULATIVE: dict[int, tuple[list[str], list[float]]] = {}


def _weighted(rng: random.Random, items: Sequence[tuple[str, float]]) -> str:
    prepared = _CUMULATIVE.get(id(items))
    if prepared is None:
        total, cumulative = 0.0, []
        for _item, weight in items:
            total += weight
            cumulative.append(total)
        prepared = _CUMULATIVE[id(items)] = ([i for i, _ in items], cumulative)
    return rng.choices(prepared[0], cum_weights=prepared[1], k=1)[0]


MOBILE_PREFIXES = ("133", "135", "138", "139", "150", "151", "152", "155", "157", "158", "177", "180", "186", "189")


def _mobile(rng: random.Random) -> str:
    return f"{MOBILE_PREFIXES[rng.randrange(len(MOBILE_PREFIXES))]}{rng.randrange(100_000_000):08d}"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _Writer:
    """Rows of one table, flushed with COPY (PostgreSQL) or executemany (SQLite)."""

    def __init__(self, model: Any, columns: Sequence[str]) -> None:
        self.table = model._meta.db_table
        self.columns = list(columns)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self.pg = connection.vendor == "postgresql"

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def _value(self, value: Any) -> Any:
        if self.pg:
            return value
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    @staticmethod
    def _copy_text(value: Any) -> str:
        """One field in COPY's text format."""
        if value is None:
            return "\\N"
        if value is True:
            return "t"
        if value is False:
            return "f"
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, str):
            if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
                return value.translate(_COPY_ESCAPES)
            return value
        return str(value)

    def flush(self) -> None:
        if not self.rows:
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.pg:
                raw = cursor.cursor  # psycopg's own cursor
                text = self._copy_text
                lines = "".join("\t".join([text(v) for v in row]) + "\n" for row in self.rows)
                with raw.copy(f"COPY {connection.ops.quote_name(self.table)} ({quoted}) FROM STDIN") as copy:
                    copy.write(lines.encode())
            else:
                marks = ", ".join("%s" for _ in self.columns)
                sql = f"INSERT INTO {connection.ops.quote_name(self.table)} ({quoted}) VALUES ({marks})"
                cursor.executemany(sql, [tuple(self._value(v) for v in row) for row in self.rows])
        self.written += len(self.rows)
        self.rows.clear()


APPEAL_COLUMNS = (
    "id", "tracking_no", "channel", "appeal_type", "urgency", "state", "title", "content", "category_id",
    "citizen_name", "citizen_phone", "citizen_id_enc", "citizen_id_index", "is_anonymous", "wants_reply", "address",
    "longitude", "latitude", "area_id", "area_path", "round", "lead_unit_id", "due_at", "warning", "paused_at",
    "master_id", "routing_explanation", "routing_suggestions", "reply_text", "replied_at", "rating", "resolved",
    "closed_at", "idempotency_key", "external_ref", "created_by_id", "created_at", "updated_at", "version",
)  # fmt: skip
ASSIGNMENT_COLUMNS = (
    "id", "appeal_id", "unit_id", "role", "round", "state", "dispatched_at", "dispatched_by_id", "sign_due_at",
    "contact_due_at", "due_at", "warn_at", "warning", "paused_at", "signed_at", "signed_by_id", "contacted_at",
    "feedback", "feedback_at", "resolved", "done_at", "explanation",
)  # fmt: skip
EVENT_COLUMNS = (
    "id", "appeal_id", "assignment_id", "kind", "actor_id", "actor_unit_id", "from_state", "to_state", "reason",
    "payload", "is_public", "created_at",
)  # fmt: skip
FOLLOW_UP_COLUMNS = ("id", "appeal_id", "round", "rating", "resolved", "reached", "note", "channel", "by_id", "at")


@dataclass(frozen=True)
class _Place:
    grid: Unit
    town: Unit | None


@dataclass(frozen=True)
class _Words:
    title: str
    content: str
    fix: str
    category: Category
    appeal_type: str


class HistoryGenerator:
    def __init__(self, *, seed: int, now: dt.datetime, days: int) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.days = days
        self.prefix = _prefix()
        grids = list(
            Unit.objects.filter(kind=UnitKind.GRID, is_active=True, is_virtual=False).select_related("parent__parent")
        )
        if not grids:
            raise ValueError("the district has no grids: load it first (shanzhi demo)")
        self.places = [_Place(g, g.parent.parent if g.parent and g.parent.parent_id else None) for g in grids]
        categories = {c.path: c for c in Category.objects.filter(is_active=True)}
        self.words: list[_Words] = []
        for template in texts.TEMPLATES:
            category = categories.get(template.category)
            if category is not None:
                self.words.extend([_Words(template.title, template.content, template.fix, category,
                                          template.appeal_type)] * max(1, round(template.weight * 2)))  # fmt: skip
        if not self.words:
            raise ValueError("no category of the template bank is in the tree: load the categories first")
        self.operator = User.objects.filter(groups__name="operator").order_by("pk").first()
        self.plans: dict[tuple[int, int], tuple[int | None, list[int], str]] = {}
        communities = sorted({p.grid.parent.name for p in self.places if p.grid.parent})
        self.fillers = [texts.Filler(self.rng, self.rng.choice(communities) if communities else "") for _ in range(400)]
        self.hours = (list(range(24)), [1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 11, 10, 8, 9, 10, 10, 9, 8, 7, 6, 5, 3, 2, 1])

    def plan(self, words: _Words, place: _Place) -> tuple[int | None, list[int], str]:
        key = (words.category.pk, place.grid.pk)
        found = self.plans.get(key)
        if found is None:
            plan = dispatch_plan(category=words.category, area=place.grid)
            lead = plan.lead_unit.pk if plan.lead_unit else (place.town.pk if place.town else None)
            found = (lead, [u.pk for u in plan.assisting_units], "；".join(plan.explanation))
            self.plans[key] = found
        return found

    def created_times(self, n: int) -> list[dt.datetime]:
        """``n`` moments over the past ``days``, busier in the daytime (08–20 h local)."""
        start = self.now - dt.timedelta(days=self.days)
        tz = clock.centre_tz()
        moments = []
        for _ in range(n):
            day = start + dt.timedelta(days=self.rng.random() * self.days)
            local = day.astimezone(tz)
            hour = self.rng.choices(self.hours[0], weights=self.hours[1], k=1)[0]
            local = local.replace(hour=hour, minute=self.rng.randrange(60), second=self.rng.randrange(60))
            moments.append(min(local.astimezone(dt.UTC), self.now - MIN))
        moments.sort()
        return moments


def _prefix() -> str:
    from django.conf import settings

    return str(settings.SHANZHI.get("TRACKING_PREFIX", "HB"))


def _next_ids(*models: Any) -> dict[Any, int]:
    return {m: (m.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for m in models}


def _advance_sequences(*models: Any) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id written
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT max(id) FROM {table}), 1))",
                [table],
            )


def history_generate(
    *,
    n: int,
    seed: int = 20251128,
    now: dt.datetime | None = None,
    days: int = 365,
    batch: int = 20_000,
    progress: Callable[[str], None] | None = None,
) -> HistoryReport:
    """Write ``n`` appeals of history (see the module's docstring). Runs in batches, each its own transaction."""
    started = time.monotonic()
    now = now or clock.now()
    generator = HistoryGenerator(seed=seed, now=now, days=days)
    rng = generator.rng
    ids = _next_ids(Appeal, Assignment, AppealEvent, FollowUp)
    counters = dict(TrackingCounter.objects.values_list("day", "value"))
    report = HistoryReport()
    tz = clock.centre_tz()
    for offset in range(0, n, batch):
        size = min(batch, n - offset)
        appeals = _Writer(Appeal, APPEAL_COLUMNS)
        assignments = _Writer(Assignment, ASSIGNMENT_COLUMNS)
        events = _Writer(AppealEvent, EVENT_COLUMNS)
        follow_ups = _Writer(FollowUp, FOLLOW_UP_COLUMNS)
        for created in generator.created_times(size):
            day = created.astimezone(tz).date()
            counters[day] = counters.get(day, 0) + 1
            tracking_no = f"{generator.prefix}{day:%Y%m%d}-{counters[day]:06d}"
            state = _one_appeal(
                generator,
                ids,
                tracking_no,
                created,
                _final_state(rng, created, now),
                appeals,
                assignments,
                events,
                follow_ups,
            )
            report.by_state[state] = report.by_state.get(state, 0) + 1
        with transaction.atomic():
            for writer in (appeals, assignments, events, follow_ups):
                writer.flush()
        report.appeals += size
        report.assignments += assignments.written
        report.events += events.written
        report.follow_ups += follow_ups.written
        if progress is not None:
            progress(f"{report.appeals}/{n} ({time.monotonic() - started:.0f} s)")
    with transaction.atomic():
        TrackingCounter.objects.bulk_create(
            [TrackingCounter(day=day, value=value) for day, value in counters.items()],
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["value"],
        )
    _advance_sequences(Appeal, Assignment, AppealEvent, FollowUp)
    report.seconds = time.monotonic() - started
    return report


def _final_state(rng: random.Random, created: dt.datetime, now: dt.datetime) -> str:
    if now - created < 14 * DAY:
        return _weighted(rng, RECENT_STATES)
    roll = rng.random()
    return "rejected" if roll < 0.03 else "answered" if roll < 0.09 else "closed"


@dataclass
class _Times:
    dispatched_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    signed_at: dt.datetime | None = None
    feedback_at: dt.datetime | None = None
    replied_at: dt.datetime | None = None
    followed_up_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


SIGNED_STATES = frozenset({"in_progress", "feedback", "replied", "closed"})
FED_BACK_STATES = frozenset({"feedback", "replied", "closed"})
REPLIED_STATES = frozenset({"replied", "closed"})


def _times(
    rng: random.Random, *, created: dt.datetime, state: str, urgency: str, dispatched: bool, now: dt.datetime
) -> tuple[_Times, str]:
    """The lifecycle's moments up to ``state``, each after the one before and none after ``now`` (a step that would
    fall later has not happened yet: the appeal is still in the state before it)."""
    t, reached = _planned_times(rng, created=created, state=state, urgency=urgency, dispatched=dispatched), state
    if t.closed_at and t.closed_at > now and state in ("answered", "rejected"):
        t.closed_at, reached = None, "received"
    if t.dispatched_at is not None and t.dispatched_at > now:
        return _Times(), "accepted"
    for moment, before in (("signed_at", "dispatched"), ("feedback_at", "in_progress"), ("replied_at", "feedback"),
                           ("followed_up_at", "replied")):  # fmt: skip
        value = getattr(t, moment)
        if value is not None and value > now:
            for later in ("signed_at", "feedback_at", "replied_at", "followed_up_at", "closed_at"):
                if later == moment or getattr(t, later) is None or getattr(t, later) > now:
                    setattr(t, later, None)
            return t, before
    return t, reached


def _planned_times(rng: random.Random, *, created: dt.datetime, state: str, urgency: str, dispatched: bool) -> _Times:
    t = _Times()
    if state == "answered":
        t.closed_at = created + rng.uniform(2, 20) * MIN
        return t
    if state == "rejected":
        t.closed_at = created + rng.uniform(10, 120) * MIN
        return t
    if not dispatched:
        return t
    handle = dt.timedelta(days=HANDLE_DAYS[urgency])
    t.dispatched_at = created + rng.uniform(5, 60) * MIN
    t.due_at = t.dispatched_at + handle
    if state in SIGNED_STATES:
        t.signed_at = t.dispatched_at + rng.uniform(0.2, 6) * H
    if state in FED_BACK_STATES and t.signed_at:
        t.feedback_at = t.signed_at + handle * rng.uniform(0.2, 1.15)
    if state in REPLIED_STATES and t.feedback_at:
        t.replied_at = t.feedback_at + rng.uniform(1, 30) * H
    if state == "closed" and t.replied_at:
        t.followed_up_at = t.replied_at + rng.uniform(4, 72) * H
        t.closed_at = t.followed_up_at
    return t


def _one_appeal(
    g: HistoryGenerator,
    ids: dict[Any, int],
    tracking_no: str,
    created: dt.datetime,
    state: str,
    appeals: _Writer,
    assignments: _Writer,
    events: _Writer,
    follow_ups: _Writer,
) -> str:
    """Add one appeal's rows; returns its final state (an appeal nobody can be found for stays accepted)."""
    rng = g.rng
    appeal_id = ids[Appeal]
    ids[Appeal] += 1
    place = rng.choice(g.places)
    words = rng.choice(g.words)
    urgency = _weighted(rng, URGENCIES)
    lead, assisting, explanation = g.plan(words, place)
    if lead is None and state not in ("received", "accepted", "rejected", "answered"):
        state = "accepted"
    dispatched = state not in ("received", "accepted", "rejected", "answered")
    t, state = _times(rng, created=created, state=state, urgency=urgency, dispatched=dispatched, now=g.now)
    dispatched = t.dispatched_at is not None
    rating = _weighted(rng, RATINGS) if t.followed_up_at else ""
    resolved = (rating != "dissatisfied") if rating else None
    moments = [m for m in (created, t.dispatched_at, t.signed_at, t.feedback_at, t.replied_at, t.closed_at) if m]
    anonymous = rng.random() < 0.04
    filler = g.fillers[rng.randrange(len(g.fillers))]
    open_work = dispatched and t.closed_at is None and state not in ("feedback", "replied")
    warning = "red" if open_work and t.due_at and t.due_at < g.now else "none"
    appeals.add(
        (
            appeal_id, tracking_no, _weighted(rng, CHANNELS), words.appeal_type if rng.random() < 0.8 else
            _weighted(rng, TYPES), urgency, state, words.title[:120], filler.fill(words.content), words.category.pk,
            "" if anonymous else texts.person_name(rng), _mobile(rng), "", "", anonymous, not anonymous,
            filler.address(), None, None, place.grid.pk, place.grid.path, 1 if dispatched else 0,
            lead if dispatched else None, t.due_at, warning, None, None, explanation, "[]",
            f"您反映的问题已处理：{words.fix}" if t.replied_at else "", t.replied_at, rating, resolved, t.closed_at,
            None, "", g.operator.pk if g.operator else None, created, max(moments), 0,
        )
    )  # fmt: skip
    # The state changes as the desk logs them, each from the state the one before left (DESIGN §4).
    event_rows: list[tuple[Any, ...]] = [(None, "received", "", "received", created)]
    if state in ("answered", "rejected") and t.closed_at:
        event_rows.append((None, state, "received", state, t.closed_at))
    elif state != "received":
        event_rows.append((None, "accepted", "received", "accepted", created + MIN))
    if dispatched and t.dispatched_at and t.due_at:
        lead_assignment = ids[Assignment]
        event_rows.append((lead_assignment, "dispatched", "accepted", "dispatched", t.dispatched_at))
        _assignments(rng, ids, appeal_id, lead, assisting, t, resolved, words.fix, explanation, assignments, g.now)
        if t.signed_at:
            event_rows.append((lead_assignment, "signed", "dispatched", "in_progress", t.signed_at))
        if t.feedback_at:
            event_rows.append((lead_assignment, "feedback", "in_progress", "feedback", t.feedback_at))
    if t.replied_at:
        event_rows.append((None, "replied", "feedback", "replied", t.replied_at))
    if t.followed_up_at and state == "closed":
        event_rows.append((None, "followed_up", "", "", t.followed_up_at))
        event_rows.append((None, "closed", "replied", "closed", t.closed_at))
    for assignment_id, kind, from_state, to_state, at in event_rows:
        events.add(
            (ids[AppealEvent], appeal_id, assignment_id, kind, None, None, from_state, to_state, "", "{}", True, at)
        )
        ids[AppealEvent] += 1
    if rating and t.followed_up_at:
        follow_ups.add((ids[FollowUp], appeal_id, 1, rating, resolved, True, "", "phone", None, t.followed_up_at))
        ids[FollowUp] += 1
    return state


def _assignments(
    rng: random.Random,
    ids: dict[Any, int],
    appeal_id: int,
    lead: int | None,
    assisting: list[int],
    t: _Times,
    resolved: bool | None,
    fix: str,
    explanation: str,
    writer: _Writer,
    now: dt.datetime,
) -> None:
    assert t.dispatched_at is not None and t.due_at is not None
    handle = t.due_at - t.dispatched_at
    for unit_id, role in [(lead, "lead")] + [(u, "assist") for u in assisting if u != lead]:
        lead_role = role == "lead"
        done = t.feedback_at is not None if lead_role else t.closed_at is not None
        signed = t.signed_at if lead_role or t.signed_at is None else t.signed_at + H
        writer.add(
            (
                ids[Assignment], appeal_id, unit_id, role, 1, "done" if done else ("signed" if signed else "pending"),
                t.dispatched_at, None, t.dispatched_at + 2 * H, t.dispatched_at + DAY, t.due_at,
                t.dispatched_at + handle * 0.75, "none", None, signed, None,
                min(signed + rng.uniform(1, 20) * H, now) if signed and lead_role else None,
                fix if done and lead_role else "",
                (t.feedback_at or t.closed_at) if done else None, resolved if done and lead_role else None,
                (t.feedback_at or t.closed_at) if done else None, explanation if lead_role else "",
            )
        )  # fmt: skip
        ids[Assignment] += 1
