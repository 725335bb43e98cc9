"""``shanzhi load_divisions``: load or update the district's divisions, the centre, departments and boundary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core.errors import ShanzhiError
from shanzhi.orgs import loaders


class Command(BaseCommand):
    help = "导入或更新本区区划（市、区、镇街、村社）、社会治理中心、职能部门和区界（可重复执行，原地更新）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--divisions", type=Path, help="区划 CSV（code,name,level,parent_code），默认随软件附带")
        parser.add_argument("--departments", type=Path, help="部门 CSV（code,name,name_en,kind,is_stationed,phone）")
        parser.add_argument("--boundary", type=Path, help="区界 GeoJSON，默认随软件附带的演示边界")

    def handle(self, *args: Any, **options: Any) -> None:
        def read(path: Path | None) -> str | None:
            if path is None:
                return None
            try:
                return path.read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"无法读取 {path}: {error.strerror}") from error

        try:
            divisions = loaders.divisions_load(csv_text=read(options["divisions"]))
            self.stdout.write(f"区划：{divisions}（{divisions.by_kind}）")
            _centre, outcome = loaders.centre_load()
            self.stdout.write(f"社会治理中心：{outcome}")
            departments = loaders.departments_load(csv_text=read(options["departments"]))
            self.stdout.write(f"职能部门：{departments}")
            boundary_text = read(options["boundary"])
            _boundary, outcome = loaders.district_boundary_load(
                geojson=json.loads(boundary_text) if boundary_text is not None else None
            )
            self.stdout.write(f"区界：{outcome}")
        except ShanzhiError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"区界 GeoJSON 格式错误：{error.msg}") from error
