"""``shanzhi reports_rebuild_facts [--start YYYY-MM-DD] [--end YYYY-MM-DD]``: rebuild the report facts of a range
(default: from the first appeal to today)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.appeals.models import Appeal
from shanzhi.core import clock
from shanzhi.reports import facts


class Command(BaseCommand):
    help = "重建统计事实表（按日）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", help="first day (default: the day of the first appeal)")
        parser.add_argument("--end", help="last day (default: today)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            end = dt.date.fromisoformat(str(options["end"])) if options["end"] else clock.local_date()
            if options["start"]:
                start = dt.date.fromisoformat(str(options["start"]))
            else:
                first = Appeal.objects.order_by("created_at").values_list("created_at", flat=True).first()
                start = clock.local_date(first) if first else end
        except ValueError as exc:
            raise CommandError(f"invalid date: {exc}") from exc
        began = time.monotonic()
        rows = facts.rebuild_history(start=start, end=end + dt.timedelta(days=60))
        self.stdout.write(
            f"rebuilt {start}..{end} (+60 days of deadlines): {rows} unit-fact rows in {time.monotonic() - began:.1f}s"
        )
