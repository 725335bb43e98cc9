"""``shanzhi grid_import FILE.geojson [--full-cover]``: import surveyed grids as a new boundary version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core.errors import ShanzhiError
from shanzhi.grid.boundary_import import grids_import


class Command(BaseCommand):
    help = "导入网格边界（GeoJSON FeatureCollection，properties 含 code 与 name）；有任何错误则不导入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--full-cover", action="store_true", help="社区须被网格完全覆盖（检查缝隙）")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as error:
            raise CommandError(f"无法读取 {path}：{error}") from error
        try:
            record = grids_import(actor=None, geojson=data, filename=path.name, full_cover=options["full_cover"])
        except ShanzhiError as error:
            for problem in error.details.get("errors", []):
                self.stderr.write(f"要素 {problem['feature']} {problem['code']}：{problem['message']}")
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            self.style.SUCCESS(f"已导入 {record.feature_count} 个网格的新边界（新建 {record.created_units} 个网格）。")
        )
