"""``shanzhi restore ARCHIVE [--yes] [--no-media] [--verify-only]``: put a backup back (stop web and workers first)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core.backup import backup_restore, backup_verify
from shanzhi.core.errors import ShanzhiError


class Command(BaseCommand):
    help = "从备份恢复数据库和上传文件（先停止网页服务和后台任务）/ Restore a backup"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库和上传文件")
        parser.add_argument("--no-media", action="store_true", help="只恢复数据库")
        parser.add_argument("--verify-only", action="store_true", help="只校验备份文件，不恢复")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verify_only"]:
                manifest = backup_verify(options["archive"])
                self.stdout.write(
                    f"ok: {manifest['engine']}, {len(manifest['members'])} members, {manifest['created_at']}"
                )
                return
            if not options["yes"]:
                raise CommandError("恢复会覆盖当前数据库和上传文件；确认请加 --yes")
            manifest = backup_restore(path=options["archive"], include_media=not options["no_media"])
        except ShanzhiError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        except subprocess.CalledProcessError as error:
            raise CommandError(
                f"pg_restore failed ({error.returncode}): {error.stderr.decode(errors='replace')}"
            ) from error
        self.stdout.write(f"restored backup of {manifest['created_at']} ({manifest['engine']})")
