"""``shanzhi datahub_import KIND FILE``: import a department's .xlsx or .csv into the data hub, with progress.

shanzhi datahub_import persons 人口.xlsx --user analyst1 [--dry-run] [--valid-rows-only] [--errors errors.xlsx]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core.errors import ShanzhiError
from shanzhi.datahub.imports import datahub_import, error_report_xlsx
from shanzhi.datahub.models import ImportKind
from shanzhi.orgs.models import User


class Command(BaseCommand):
    help = "导入部门数据文件（xlsx/csv）到治理数据中心：整表校验，有错不写入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="导入人的用户名（须有导入权限）")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--valid-rows-only", action="store_true")
        parser.add_argument("--errors", type=Path, help="把错误清单写到这个 .xlsx 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError("用户不存在或已停用")
        path: Path = options["file"]
        shown: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            step = max(1, total // 20)
            if done == total or done - shown.get(stage, -step) >= step:
                shown[stage] = done
                self.stdout.write(f"{'校验' if stage == 'validate' else '写入'} {done}/{total}")

        try:
            result = datahub_import(
                actor=user,
                kind=options["kind"],
                file_name=path.name,
                content=path.read_bytes(),
                dry_run=options["dry_run"],
                valid_rows_only=options["valid_rows_only"],
                progress=progress,
            )
        except ShanzhiError as error:
            raise CommandError(str(error.message)) from None
        b = result.batch
        for e in result.errors[:50]:
            self.stdout.write(f"第{e.row}行 {e.column or '-'} [{e.code}] {e.message}")
        if len(result.errors) > 50:
            self.stdout.write(f"……共 {len(result.errors)} 处错误")
        if options["errors"] and result.errors:
            options["errors"].write_bytes(error_report_xlsx(result.errors))
        self.stdout.write(
            f"{b.get_status_display()}：{b.rows} 行，新增 {b.created}，更新 {b.updated}，未变 {b.unchanged}，"
            f"错误 {b.error_count}，{b.seconds:.1f} 秒"
        )
        if not result.ok:
            raise CommandError("文件有错误，未导入任何数据")
