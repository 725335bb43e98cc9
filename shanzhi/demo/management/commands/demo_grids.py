"""``shanzhi demo_grids [--per-community N]``: only the synthetic demo grids (after ``shanzhi load_divisions``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core.errors import ShanzhiError
from shanzhi.demo.grids import demo_grids_create
from shanzhi.demo.staff import refuse_in_production


class Command(BaseCommand):
    help = "生成演示网格（合成数据，仅供演示；需先执行 load_divisions）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--per-community", type=int, default=None, help="每个社区的网格数（默认 3-6 个）")
        parser.add_argument("--seed", type=int, default=20251128)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            refuse_in_production()
            grids = demo_grids_create(per_community=options["per_community"], seed=options["seed"])
        except ShanzhiError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"演示网格：{grids}")
