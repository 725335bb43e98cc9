"""Access and pages: centre-wide roles see everything, a unit sees itself, an outsider sees nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from shanzhi.reports import rules, selectors
from shanzhi.reports.models import WeeklyReport

from .conftest import NOW

pytestmark = pytest.mark.django_db

MARCH = selectors.Filters(rules.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 20)))


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_scope_of_unit_and_outsider(built, make_user):
    head_b = make_user(built.unit_b, "unit_head")
    rows, _ = selectors.kpi_table(user=head_b, filters=MARCH, dimension="unit")
    assert [r.key for r in rows] == [built.unit_b.pk]
    assert selectors.appeal_totals(user=head_b, filters=MARCH)["received"] == 1  # A6, led by B
    late = selectors.drill_appeals(user=head_b, metric="returned", filters=MARCH, now=NOW)
    assert [a.pk for a in late] == [built.appeals["a4"].pk]
    assert selectors.drill_appeals(user=head_b, metric="close_late", filters=MARCH, now=NOW) == []

    outsider = make_user(built.district.grid_b, "operator")  # no reporting role
    assert selectors.report_scope(outsider) == frozenset()
    assert selectors.kpi_table(user=outsider, filters=MARCH)[0] == []
    assert selectors.appeal_totals(user=outsider, filters=MARCH)["received"] == 0
    assert selectors.drill_appeals(user=outsider, metric="received", filters=MARCH, now=NOW) == []
    client = client_for(outsider)
    for name in ("reports:index", "reports:weekly", "reports:monthly", "reports:dashboard", "reports:dashboard_data"):
        assert client.get(reverse(name)).status_code == 403


def test_a_dispatcher_sees_every_unit_only_at_the_centre(built, make_user):
    """The dispatcher role reports centre-wide where its holder sees every appeal; a town's dispatcher gets the
    town's own figures and drill-downs, nothing of other towns."""
    from shanzhi.appeals.selectors import appeals_visible_to
    from shanzhi.orgs.models import Unit

    at_centre = make_user(built.district.centre, "dispatcher")
    assert selectors.sees_centre_wide(at_centre) and selectors.report_scope(at_centre) is None
    town_b = built.district.town_b
    in_town = make_user(town_b, "dispatcher")
    assert not selectors.sees_centre_wide(in_town)
    assert selectors.report_scope(in_town) == frozenset(
        Unit.objects.filter(path__startswith=town_b.path).values_list("id", flat=True)
    )
    visible = set(appeals_visible_to(in_town).values_list("pk", flat=True))
    listed = selectors.drill_appeals(user=in_town, metric="received", filters=MARCH, now=NOW)
    assert {a.pk for a in listed} <= visible
    assert len(listed) < len(selectors.drill_appeals(user=at_centre, metric="received", filters=MARCH, now=NOW))
    client = client_for(in_town)
    assert client.get(reverse("reports:weekly_snapshot")).status_code in (403, 405)


def test_drill_down_lists_the_appeals_behind_a_figure(built, make_user, time_machine):
    time_machine.move_to(NOW, tick=False)
    analyst = make_user(built.district.centre, "analyst")
    late = selectors.drill_appeals(user=analyst, metric="close_late", filters=MARCH, now=NOW)
    assert {a.pk for a in late} == {built.appeals["a2"].pk, built.appeals["a3"].pk}  # the 2 of A's 3 not on time
    client = client_for(analyst)
    query = {"start": "2026-03-01", "end": "2026-03-20", "metric": "close_late", "unit": built.unit_a.pk}
    page = client.get(reverse("reports:drill"), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("console:appeal", args=[built.appeals["a3"].pk]) in html
    assert built.appeals["a1"].tracking_no not in html
    index = client.get(reverse("reports:index"), {"start": "2026-03-01", "end": "2026-03-20"}).content.decode()
    assert built.unit_a.name in index and "metric=close_late" in index and 'id="chart-data"' in index


def test_weekly_pages_by_role(built, make_user, time_machine):
    time_machine.move_to(NOW, tick=False)
    head_a = make_user(built.unit_a, "unit_head")
    client = client_for(head_a)
    response = client.get(reverse("reports:weekly"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:weekly_unit", args=[built.unit_a.pk])
    page = client.get(response["Location"]).content.decode()
    assert built.appeals["a3"].tracking_no in page  # overdue on A's own page
    assert client.get(reverse("reports:weekly_unit", args=[built.unit_b.pk])).status_code == 404
    assert client.get(reverse("reports:dashboard")).status_code == 403

    leader = make_user(built.district.centre, "leader")
    centre = client_for(leader)
    assert built.unit_a.name in centre.get(reverse("reports:weekly")).content.decode()
    saved = centre.post(reverse("reports:weekly_snapshot"))
    assert saved.status_code == 302
    assert centre.get(saved["Location"]).status_code == 200
    xlsx = centre.get(reverse("reports:weekly_xlsx"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")

    # The centre's saved reports and snapshots are not a unit's: 403 for its head, and nothing is saved.
    assert client.get(saved["Location"]).status_code == 403
    before = WeeklyReport.objects.count()
    assert client.post(reverse("reports:weekly_snapshot")).status_code == 403
    assert WeeklyReport.objects.count() == before
    # A unit's own workbook holds its own rows only.
    from openpyxl import load_workbook

    own = load_workbook(io.BytesIO(client.get(reverse("reports:weekly_xlsx")).content))
    cells = " ".join(str(c.value) for sheet in own.worksheets for row in sheet.iter_rows() for c in row if c.value)
    assert built.unit_a.name in cells and built.unit_b.name not in cells


def test_monthly_exports_over_http(built, make_user, time_machine):
    time_machine.move_to(NOW, tick=False)
    client = client_for(make_user(built.district.centre, "analyst"))
    page = client.get(reverse("reports:monthly"), {"month": "2026-03"}).content.decode()
    assert "本月共受理诉求 5 件" in page
    for fmt, magic in (("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(reverse("reports:monthly_export", args=[fmt]), {"month": "2026-03"})
        assert response.status_code == 200 and response.content.startswith(magic)


def test_dashboard_json(built, make_user, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 13, 12, tzinfo=NOW.tzinfo), tick=False)
    client = client_for(make_user(built.district.centre, "dispatcher"))
    data = client.get(reverse("reports:dashboard_data")).json()
    assert data["counts"]["dispatched_today"] == 1  # A2's second round
    assert data["counts"]["open_total"] == 4  # A2, A3, A4, A6
    assert {"name", "value"} <= set(data["gauges"][0])
    assert all("citizen" not in key for event in data["events"] for key in event)
    assert data["counts"]["hotspots"] == 0


def test_dashboard_counts_live_hotspot_alerts(built, make_user):
    from shanzhi.core import clock
    from shanzhi.proactive.models import Hotspot

    district = built.district
    common = {"community": district.community_a, "area": district.community_a, "alert_unit": district.town_a,
              "key": "text", "window": "24h", "first_at": clock.now(), "last_at": clock.now(),
              "created_at": clock.now(), "updated_at": clock.now()}  # fmt: skip
    Hotspot.objects.create(**common, state="open")
    Hotspot.objects.create(**{**common, "window": "7d"}, state="closed")
    client = client_for(make_user(built.district.centre, "leader"))
    assert client.get(reverse("reports:dashboard_data")).json()["counts"]["hotspots"] == 1


def test_periodic_jobs_registered():
    from shanzhi.core import periodic

    names = {job.name: job for job in periodic.jobs()}
    assert names["reports.refresh_facts"].task == "shanzhi.reports.tasks.refresh_facts"
    assert names["reports.weekly_supervision"].cron == "0 7 * * 1"
