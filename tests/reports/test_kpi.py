"""KPIs on the hand-built history of conftest.py; every expected value is worked out in the comments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum

from shanzhi.appeals.models import AppealEvent
from shanzhi.reports import facts, rules, selectors
from shanzhi.reports.models import DailyUnitFact

from .conftest import NOW, TZ, at

pytestmark = pytest.mark.django_db

MARCH = selectors.Filters(rules.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 20)))


def _by_key(rows):
    return {row.key: row for row in rows}


def test_unit_kpis_by_hand(built, make_user):
    analyst = make_user(built.district.centre, "analyst")
    rows, total = selectors.kpi_table(user=analyst, filters=MARCH, dimension="unit")
    rows = _by_key(rows)
    a = rows[built.unit_a.pk].kpi
    c = a.counts
    # A: A1, A2 round 1, A2 round 2, A3 assigned; A5's withdrawn assignment does not count.
    assert c.assigned == 4 and c.returned == 0 and c.extended == 0
    # Sign: A1 on time, A2r1 late (12:00 > 11:00), A2r2 never signed and past due, A3 on time → 2/4.
    assert (c.sign_due, c.sign_on_time) == (4, 2)
    # Contact: the same four lead assignments, A1 and A3 on time → 2/4.
    assert (c.contact_due, c.contact_on_time) == (4, 2)
    # Close: A1 on time, A2r1 late, A3 open past due (counts against), A2r2 not yet due → 1/3, one open overdue.
    assert (c.close_due, c.close_on_time, c.close_overdue_open) == (3, 1, 1)
    assert a.on_time_close_rate == pytest.approx(1 / 3)
    # Done: A1 (73 h) and A2r1 (216 h) → average 144.5 h; A2r1 was redone → 1/2.
    assert (c.done, c.done_lead, c.redone) == (2, 2, 1)
    assert a.avg_handling_hours == pytest.approx(144.5)
    assert a.redo_rate == pytest.approx(0.5)
    # Follow-ups: A1 满意 and resolved, A2 不满意 and unresolved → 50 % each.
    assert (c.satisfied, c.fairly_satisfied, c.dissatisfied, c.resolved_known, c.resolved) == (1, 0, 1, 2, 1)
    assert a.satisfaction_rate == pytest.approx(0.5) and a.resolution_rate == pytest.approx(0.5)
    # Composite: 0.20·50 (response) + 0.30·33.3 (on time: one of three due closed in time) + 0.25·50 + 0.25·50 = 45
    # — finishing late costs the unit, which the old score (response, resolution, satisfaction only) did not show.
    assert a.response_rate == pytest.approx(0.5)
    assert a.composite == pytest.approx(45.0)

    b = rows[built.unit_b.pk].kpi
    # B: A4 (returned before signing: only in the return rate) and A6 (extended, signed and contacted on time).
    assert (b.counts.assigned, b.counts.returned, b.counts.extended) == (2, 1, 1)
    assert b.return_rate == pytest.approx(0.5) and b.extension_rate == pytest.approx(0.5)
    assert (b.counts.sign_due, b.counts.sign_on_time, b.counts.contact_due, b.counts.contact_on_time) == (1, 1, 1, 1)
    assert b.on_time_close_rate is None  # A6 is due 03-30 after its extension
    # Only the response rate is measured: the composite rescales to it → 100.
    assert b.composite == pytest.approx(100.0)
    assert rows[built.unit_b.pk].rank == 1 and rows[built.unit_a.pk].rank == 2
    assert total.counts.assigned == 6 and total.counts.sign_due == 5


def test_town_channel_and_category_dimensions(built, make_user):
    analyst = make_user(built.district.centre, "analyst")
    towns = _by_key(selectors.kpi_table(user=analyst, filters=MARCH, dimension="town")[0])
    # Town B (grid_b): A2 round 1 and round 2 due for signing, both late; A4 returned → 0/2.
    town_b = towns[built.district.town_b.pk].kpi
    assert (town_b.counts.sign_due, town_b.counts.sign_on_time) == (2, 0)
    assert town_b.sign_rate == 0.0
    channels = _by_key(selectors.kpi_table(user=analyst, filters=MARCH, dimension="channel")[0])
    assert channels["web"].kpi.counts.assigned == 2  # A2's two rounds
    assert channels["portal"].kpi.counts.extended == 1
    cats = selectors.kpi_table(user=analyst, filters=MARCH, dimension="category_l1")[0]
    assert [r.key for r in cats] == [built.l1.pk] and cats[0].label == "城乡建设"
    filtered = selectors.Filters(MARCH.period, town=built.district.town_a.pk, unit=built.unit_a.pk)
    rows, _ = selectors.kpi_table(user=analyst, filters=filtered, dimension="unit")
    # Unit A in town A: A1 and A3 → both signed on time.
    assert (rows[0].kpi.counts.sign_due, rows[0].kpi.counts.sign_on_time) == (2, 2)


def test_volume_counts_merged_duplicates_once(built, make_user):
    analyst = make_user(built.district.centre, "analyst")
    totals = selectors.appeal_totals(user=analyst, filters=MARCH)
    assert totals["received"] == 5 and totals["merged"] == 1  # A5 joins A1: counted once
    towns = {label: n for _, label, n in selectors.volume_by(user=analyst, filters=MARCH, dimension="town")}
    assert towns == {"凤凰岭街道": 3, "新华街道": 2}
    daily = dict(selectors.daily_received(user=analyst, filters=MARCH))
    assert daily[dt.date(2026, 3, 2)] == 1 and daily[dt.date(2026, 3, 4)] == 0


def test_configurable_weights(built, make_user, settings):
    settings.SHANZHI_REPORTS = {
        "SATISFACTION_WEIGHTS": {"satisfied": 1.0, "fairly_satisfied": 0.5},
        "COMPOSITE_WEIGHTS": {"response": 0.0, "on_time_close": 0.0, "resolution": 0.5, "satisfaction": 0.5},
    }
    analyst = make_user(built.district.centre, "analyst")
    rows = _by_key(selectors.kpi_table(user=analyst, filters=MARCH, dimension="unit")[0])
    assert rows[built.unit_a.pk].kpi.composite == pytest.approx(50.0)  # 0.5·50 + 0.5·50
    assert rows[built.unit_b.pk].kpi.composite is None  # response weighs nothing now, nothing else measured


def test_rules_are_pure():
    counts = rules.KpiCounts(satisfied=3, fairly_satisfied=1, dissatisfied=1)
    assert rules.satisfaction_rate(counts) == pytest.approx(0.8)
    assert rules.satisfaction_rate(counts, {"fairly_satisfied": 0.5}) == pytest.approx(0.7)
    assert rules.composite_score(
        {"response": 0.9, "on_time_close": 0.5, "resolution": 0.8, "satisfaction": 1.0}
    ) == pytest.approx(0.2 * 90 + 0.3 * 50 + 0.25 * 80 + 0.25 * 100)
    assert rules.rank([("a", 90.0), ("b", 95.0), ("c", 90.0), ("d", None)]) == {"b": 1, "a": 2, "c": 2}
    # Equal scores: the better on-time completion, then the larger volume, ranks first; all equal still share.
    tiebreaks = {"a": (0.5, 10.0), "c": (0.9, 3.0), "e": (0.9, 3.0), "f": (0.5, 40.0)}
    ranked = rules.rank([("a", 100.0), ("c", 100.0), ("e", 100.0), ("f", 100.0)], tiebreaks)
    assert ranked == {"c": 1, "e": 1, "f": 3, "a": 4}
    assert rules.pct_change(9812, 9230) == pytest.approx(6.3055, abs=1e-3)
    assert rules.change_phrase(6.3055, "环比") == "环比增长 6.3%"
    assert rules.change_phrase(None, "环比") == ""
    assert rules.month_period(2024, 2).end == dt.date(2024, 2, 29)
    assert rules.week_period(dt.date(2026, 3, 20)).start == dt.date(2026, 3, 16)
    assert [p.days for p in rules.date_ranges([dt.date(2026, 1, 3), dt.date(2026, 1, 1), dt.date(2026, 1, 2),
                                               dt.date(2026, 1, 9)])] == [3, 1]  # fmt: skip
    sentences = rules.summary_sentences(
        rules.MonthFigures(
            9812, 9230, 8500, [("城乡建设", 3000)], ("热线", 5000), ("新华街道", 2500), 0.95, 0.9, "甲局", "乙局"
        )
    )
    assert sentences[0] == "本月共受理诉求 9,812 件，环比增长 6.3%，同比增长 15.4%。"


def test_incremental_refresh_rebuilds_touched_days(built, make_user, time_machine):
    """A3 (due 03-12, a day that is neither today nor yesterday) is finished now: the refresh finds the day
    through the new event and the open-overdue figure moves to a late completion."""
    make_user(built.district.centre, "analyst")
    facts.refresh_recent(now=NOW)  # sets the watermark past the history's events
    s3 = built.assignments["s3"]
    finished = NOW + dt.timedelta(hours=1)
    type(s3).objects.filter(pk=s3.pk).update(state="done", done_at=finished, feedback_at=finished)
    AppealEvent.objects.create(appeal=s3.appeal, assignment=s3, kind="feedback", created_at=finished)
    before = _day(dt.date(2026, 3, 12), built.unit_a.pk)
    assert (before["close_due"], before["close_overdue_open"], before["done"]) == (1, 1, 1)  # A3; A2r1 done
    result = facts.refresh_recent(now=finished)
    assert result["appeals"] == 1
    after = _day(dt.date(2026, 3, 12), built.unit_a.pk)
    assert (after["close_due"], after["close_on_time"], after["close_overdue_open"]) == (1, 0, 0)
    done_today = _day(dt.date(2026, 3, 20), built.unit_a.pk)
    assert done_today["done"] == 1
    assert done_today["handling_seconds"] == int((finished - at(3, 5, 9)).total_seconds())
    assert facts.refresh_recent(now=finished)["appeals"] == 0  # nothing new since


def _day(day: dt.date, unit: int) -> dict[str, int]:
    names = ("close_due", "close_on_time", "close_overdue_open", "done", "handling_seconds")
    agg = DailyUnitFact.objects.filter(date=day, unit=unit).aggregate(**{n: Sum(n) for n in names})
    return {n: agg[n] or 0 for n in names}


def test_rebuild_is_idempotent(built):
    first = sorted(DailyUnitFact.objects.values_list("date", "unit", "sign_due", "close_due", "done"))
    facts.rebuild_days(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), now=NOW)
    assert sorted(DailyUnitFact.objects.values_list("date", "unit", "sign_due", "close_due", "done")) == first
    assert NOW.tzinfo == TZ


def test_a_breakdown_gets_a_rest_and_a_total_row():
    rows = [
        {"key": k, "label": k, "count": n, "previous": p, "change": None, "share": n / 10}
        for k, n, p in (("a", 5, 2), ("b", 3, 3), ("c", 1, 0), ("d", 1, 5))
    ]
    shown = rules.breakdown_with_rest_and_total(rows, 2)
    assert [r["label"] for r in shown] == ["a", "b", "其他", "合计"]
    assert (shown[2]["count"], shown[2]["previous"], shown[2]["change"]) == (2, 5, pytest.approx(-60.0))
    assert (shown[3]["count"], shown[3]["share"]) == (10, pytest.approx(1.0))
    assert [r["label"] for r in rules.breakdown_with_rest_and_total(rows, 10)][-2:] == ["d", "合计"]  # no 其他


def test_section_numbers_go_past_ten():
    assert [rules.chinese_numeral(n) for n in (1, 9, 10, 11, 20, 21, 99)] == [
        "一", "九", "十", "十一", "二十", "二十一", "九十九",
    ]  # fmt: skip
