"""``shanzhi seed_calendar [--years 2025 2026]``: (re)load holidays and adjusted working days from chinesecalendar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shanzhi.sla.calendar import calendar_seed, package_years
from shanzhi.sla.services import ensure_default_policies


class Command(BaseCommand):
    help = "从 chinesecalendar 导入法定节假日与调休上班日（人工调整过的日期保持不变）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", nargs="*", type=int, help="年份（默认：软件包已知的全部年份）")
        parser.add_argument("--with-policies", action="store_true", help="同时创建缺失的全区通用时限标准")

    def handle(self, *args: Any, **options: Any) -> None:
        report = calendar_seed(years=options["years"] or None)
        known = package_years()
        self.stdout.write(
            f"calendar: {report.created} created, {report.updated} updated, {report.deleted} removed, "
            f"{report.kept_edited} edited rows kept; package knows {known.start}-{known.stop - 1}"
        )
        if report.unknown_years:
            years = ", ".join(str(year) for year in report.unknown_years)
            self.stdout.write(
                self.style.WARNING(
                    f"chinesecalendar has no data for {years}: weekday rules apply there until the centre edits "
                    "the calendar (admin → 工作日历) or a newer chinesecalendar is installed and this is run again."
                )
            )
        if options["with_policies"]:
            self.stdout.write(f"policies: {ensure_default_policies()} created")
