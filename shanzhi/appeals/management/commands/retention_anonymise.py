"""``shanzhi retention_anonymise [--years N] [--dry-run]``: anonymise finished appeals past the retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shanzhi.appeals.retention import appeals_anonymise_closed


class Command(BaseCommand):
    help = "匿名化超过保存期限的已办结诉求（姓名、电话、身份证号、地址清除，诉求内容保留用于统计）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=None, help="保存年限（默认 SHANZHI_RETENTION_YEARS，5 年）")
        parser.add_argument("--dry-run", action="store_true", help="只统计将被匿名化的诉求数，不修改")

    def handle(self, *args: Any, **options: Any) -> None:
        run = appeals_anonymise_closed(years=options["years"], dry_run=options["dry_run"])
        if run.years <= 0:
            self.stdout.write("retention off (years <= 0): nothing anonymised")
            return
        verb = "would anonymise" if run.dry_run else "anonymised"
        self.stdout.write(
            f"{verb} {run.anonymised} appeal(s) finished before {run.cutoff:%Y-%m-%d} ({run.years} years)"
        )
