"""``shanzhi backup [--output DIR] [--no-media]``: the database and the uploaded files in one archive."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core.backup import backup_create
from shanzhi.core.errors import ShanzhiError


class Command(BaseCommand):
    help = "备份数据库和上传文件到一个归档文件 / Back up the database and the uploaded files"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None, help="存放目录，默认 var/backups")
        parser.add_argument("--no-media", action="store_true", help="不备份上传文件")

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"] or Path(settings.VAR_DIR) / "backups"
        try:
            result = backup_create(output_dir=output, include_media=not options["no_media"])
        except ShanzhiError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        except subprocess.CalledProcessError as error:
            raise CommandError(
                f"pg_dump failed ({error.returncode}): {error.stderr.decode(errors='replace')}"
            ) from error
        self.stdout.write(f"{result.path}  ({result.engine}, {result.media_files} files, {result.size} bytes)")
