"""``shanzhi categories import FILE`` / ``shanzhi categories export FILE``: the category tree as CSV or XLSX."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shanzhi.core.errors import ShanzhiError
from shanzhi.routing.category_files import (
    category_tree_export_csv,
    category_tree_export_xlsx,
    category_tree_import_file,
)


class Command(BaseCommand):
    help = "导入或导出诉求分类树（CSV 或 XLSX） / Import or export the category tree (CSV or XLSX)"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("file", help="路径，.csv 或 .xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if options["action"] == "export":
            if path.suffix.lower() == ".xlsx":
                path.write_bytes(category_tree_export_xlsx())
            else:
                path.write_text(category_tree_export_csv(), encoding="utf-8")
            self.stdout.write(f"已导出 {path}")
            return
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            count = category_tree_import_file(name=path.name, data=path.read_bytes())
        except ShanzhiError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        self.stdout.write(f"已导入 {count} 行")
