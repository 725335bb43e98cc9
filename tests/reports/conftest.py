"""A small hand-built history for the KPI tests: appeals, assignments, follow-ups and events written with exact
times (not through the services), so that every expected figure can be worked out by hand.

"Now" is 2026-03-20 12:00 in Shanghai. Unit A = 区住房和城乡建设局 (D-ZJ), unit B = 区城市管理综合执法局 (D-CG).

  A1 hotline, grid_a: A signs on time, contacts on time, done on time (73 h), follow-up 满意 + resolved.
  A2 web, grid_b:     A signs late, contacts late, done late (216 h), follow-up 不满意 + unresolved → redo:
                      round 2 to A, never signed (sign and contact deadlines passed), due 03-25 (not yet due).
  A3 hotline, grid_a: A signs and contacts on time, due 03-12, still open → overdue.
  A4 hotline, grid_b: B, returned before signing.
  A5 hotline, grid_a: merged into A1; its assignment to A was withdrawn (cancelled).
  A6 portal, grid_a:  B signs and contacts on time, extension approved: due moved to 03-30.
  Four more appeals in February 2026, and two in March 2025 (for the trends).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from shanzhi.appeals.models import Appeal, AppealEvent, Assignment, FollowUp
from shanzhi.routing.models import Category

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=TZ)


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


@dataclass
class History:
    district: object
    unit_a: object
    unit_b: object
    category: Category
    l1: Category
    appeals: dict[str, Appeal]
    assignments: dict[str, Assignment]
    staff: object


@pytest.fixture
def history(district, make_user) -> History:
    staff = make_user(district.centre, "dispatcher", username="centre-desk")
    l1 = Category.objects.create(code="01", name="城乡建设")
    mid = Category.objects.create(code="0101", name="市政设施", parent=l1)
    leaf = Category.objects.create(code="010101", name="路灯损坏", parent=mid)
    unit_a, unit_b = district.dept_housing, district.dept_urban
    seq = {"n": 0}

    def appeal(channel: str, area, created: dt.datetime, state: str, lead=None, **kw) -> Appeal:
        seq["n"] += 1
        return Appeal.objects.create(
            tracking_no=f"HB{created:%Y%m%d}-{seq['n']:06d}",
            channel=channel,
            state=state,
            title=f"测试诉求{seq['n']}",
            content="小区路灯不亮",
            category=leaf,
            area=area,
            area_path=area.path,
            lead_unit=lead,
            longitude=106.8,
            latitude=39.67,
            created_at=created,
            **kw,
        )

    def assign(a: Appeal, unit, dispatched: dt.datetime, state: str, *, round: int = 1, role: str = "lead",
               signed=None, contacted=None, done=None, due: dt.datetime) -> Assignment:  # fmt: skip
        return Assignment.objects.create(
            appeal=a, unit=unit, role=role, round=round, state=state, dispatched_at=dispatched,
            sign_due_at=dispatched + dt.timedelta(hours=2), contact_due_at=dispatched + dt.timedelta(days=1),
            due_at=due, signed_at=signed, contacted_at=contacted, done_at=done, feedback_at=done,
        )  # fmt: skip

    def follow(a: Appeal, when: dt.datetime, rating: str, resolved: bool, round: int = 1) -> None:
        FollowUp.objects.create(appeal=a, round=round, rating=rating, resolved=resolved, by=staff, at=when)

    g_a, g_b = district.grid_a, district.grid_b
    a1 = appeal("hotline", g_a, at(3, 2, 8), "closed", unit_a)
    s1 = assign(a1, unit_a, at(3, 2, 9), "done", signed=at(3, 2, 10), contacted=at(3, 2, 15), done=at(3, 5, 10),
                due=at(3, 9, 18))  # fmt: skip
    follow(a1, at(3, 6, 10), "satisfied", True)

    a2 = appeal("web", g_b, at(3, 3, 8), "dispatched", unit_a, round=2)
    s2 = assign(a2, unit_a, at(3, 3, 9), "done", signed=at(3, 3, 12), contacted=at(3, 4, 10), done=at(3, 12, 9),
                due=at(3, 10, 18))  # fmt: skip
    follow(a2, at(3, 13, 9), "dissatisfied", False)
    s2b = assign(a2, unit_a, at(3, 13, 10), "pending", round=2, due=at(3, 25, 18))

    a3 = appeal("hotline", g_a, at(3, 5, 8), "in_progress", unit_a)
    s3 = assign(a3, unit_a, at(3, 5, 9), "signed", signed=at(3, 5, 10, 30), contacted=at(3, 5, 14), due=at(3, 12, 18))

    a4 = appeal("hotline", g_b, at(3, 6, 8), "accepted")
    s4 = assign(a4, unit_b, at(3, 6, 9), "returned", done=at(3, 6, 15), due=at(3, 13, 18))

    a5 = appeal("hotline", g_a, at(3, 2, 8, 30), "merged", master=a1)
    assign(a5, unit_a, at(3, 2, 9), "cancelled", due=at(3, 9, 18))

    a6 = appeal("portal", g_a, at(3, 10, 8), "in_progress", unit_b)
    s6 = assign(a6, unit_b, at(3, 10, 9), "signed", signed=at(3, 10, 10), contacted=at(3, 10, 16), due=at(3, 30, 18))
    AppealEvent.objects.create(
        appeal=a6, assignment=s6, kind="extended", created_at=at(3, 15, 9),
        payload={"from": at(3, 17, 18).isoformat(), "to": at(3, 30, 18).isoformat(), "days": 9},
    )  # fmt: skip
    for day in (3, 10, 17, 24):
        appeal("hotline", g_a, at(2, day, 9), "closed")
    for day in (5, 6):
        appeal("hotline", g_a, at(3, day, 9, year=2025), "closed")
    return History(
        district, unit_a, unit_b, leaf, l1,
        {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "a5": a5, "a6": a6},
        {"s1": s1, "s2": s2, "s2b": s2b, "s3": s3, "s4": s4, "s6": s6},
        staff,
    )  # fmt: skip


@pytest.fixture
def built(history) -> History:
    """The history with its facts rebuilt (Feb 2025 .. end of March 2026) as of NOW."""
    from shanzhi.reports import facts

    facts.rebuild_history(start=dt.date(2025, 2, 1), end=dt.date(2026, 4, 30), now=NOW)
    return history
