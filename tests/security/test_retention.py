"""Retention: finished appeals past the retention period lose the caller's name, phone, ID number and address; the
words, the times and the units stay, so every figure of the reports is the same before and after; one audit entry
per batch names the appeals (never their data). Runs on the reports' hand-built history (tests/reports)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from reports.conftest import NOW, built, history  # noqa: F401  (the reports' fixtures)

from shanzhi.appeals.models import Appeal
from shanzhi.appeals.retention import appeals_anonymise_closed, retention_cutoff
from shanzhi.core import pii
from shanzhi.core.audit import AuditEntry
from shanzhi.reports import facts, rules, selectors

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
# NOW is 2026-03-20: with one year of retention, what finished before 2025-03-20 is due.
LATER = NOW


def _with_callers() -> None:
    """Every appeal of the history carries a caller; the closed ones of March 2025 finished then."""
    for n, appeal in enumerate(Appeal.objects.order_by("pk")):
        appeal.citizen_name = f"市民{n}"
        appeal.citizen_phone = f"1380000{n:04d}"
        appeal.citizen_id_enc = pii.encrypt(ID_NUMBER)
        appeal.citizen_id_index = pii.blind_index(ID_NUMBER)
        appeal.address = f"和平小区{n}号楼"
        appeal.longitude, appeal.latitude = 106.812345, 39.671234
        if appeal.state == "closed":
            appeal.closed_at = appeal.created_at + dt.timedelta(days=3)
        appeal.save()


def _figures(user) -> dict[str, object]:  # type: ignore[no-untyped-def]
    out: dict[str, object] = {}
    for label, period in (
        ("march_2026", rules.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 20))),
        ("feb_2026", rules.Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ("march_2025", rules.Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))),
    ):
        filters = selectors.Filters(period)
        rows, total = selectors.kpi_table(user=user, filters=filters, dimension="unit")
        out[label] = (
            [(row.key, row.kpi.counts, row.kpi.composite) for row in rows],
            total.counts,
            selectors.appeal_totals(user=user, filters=filters),
            selectors.volume_by(user=user, filters=filters, dimension="town"),
            selectors.volume_by(user=user, filters=filters, dimension="channel"),
            selectors.daily_received(user=user, filters=filters),
        )
    return out


def test_the_cutoff_rule():
    assert retention_cutoff(dt.datetime(2026, 3, 20, tzinfo=dt.UTC), 5) == dt.datetime(2021, 3, 20, tzinfo=dt.UTC)
    assert retention_cutoff(dt.datetime(2028, 2, 29, tzinfo=dt.UTC), 1) == dt.datetime(2027, 2, 28, tzinfo=dt.UTC)


def test_anonymising_keeps_every_report_figure(built, make_user):  # noqa: F811
    _with_callers()
    analyst = make_user(built.district.centre, "analyst", username="retention-analyst")
    facts.rebuild_history(start=dt.date(2025, 2, 1), end=dt.date(2026, 4, 30), now=NOW)
    before = _figures(analyst)
    due = list(Appeal.objects.filter(state="closed", closed_at__lt=retention_cutoff(LATER, 1)).order_by("pk"))
    kept = list(Appeal.objects.exclude(pk__in=[a.pk for a in due]).order_by("pk"))
    assert len(due) == 2 and kept  # the two closed appeals of March 2025; the rest is younger or still open

    run = appeals_anonymise_closed(now=LATER, years=1)

    assert run.anonymised == 2
    for appeal in Appeal.objects.filter(pk__in=[a.pk for a in due]):
        assert (appeal.citizen_name, appeal.citizen_phone, appeal.citizen_id_enc, appeal.address) == ("", "", "", "")
        assert appeal.citizen_id_index == ""
        assert (appeal.longitude, appeal.latitude) == (pytest.approx(106.812), pytest.approx(39.671))
        assert appeal.content == "小区路灯不亮"  # the words stay for statistics
    for appeal in Appeal.objects.filter(pk__in=[a.pk for a in kept]):
        assert appeal.citizen_phone and appeal.citizen_id_number == ID_NUMBER  # positive control: untouched
    facts.rebuild_history(start=dt.date(2025, 2, 1), end=dt.date(2026, 4, 30), now=NOW)
    assert _figures(analyst) == before
    entry = AuditEntry.objects.get(action="retention.anonymise")
    assert entry.detail["count"] == 2 and sorted(entry.detail["appeal_ids"]) == [a.pk for a in due]
    assert "1380000" not in str(entry.detail) and "市民" not in str(entry.detail)
    # a second run finds nothing more to do
    assert appeals_anonymise_closed(now=LATER, years=1).anonymised == 0
    assert AuditEntry.objects.filter(action="retention.anonymise").count() == 1


def test_the_command_counts_first_and_zero_years_switches_it_off(built, capsys):  # noqa: F811
    _with_callers()
    call_command("retention_anonymise", "--years", "0")
    assert "retention off" in capsys.readouterr().out
    call_command("retention_anonymise", "--years", "1", "--dry-run")
    assert "would anonymise" in capsys.readouterr().out
    assert not Appeal.objects.filter(citizen_phone="").exists()
    call_command("retention_anonymise", "--years", "1")
    assert "anonymised" in capsys.readouterr().out
    assert Appeal.objects.filter(citizen_phone="").exists()


def test_the_nightly_job_is_registered():
    from shanzhi.core import periodic

    job = {j.name: j for j in periodic.jobs()}["appeals.retention_anonymise"]
    assert job.task == "shanzhi.appeals.tasks_retention.anonymise_closed"
