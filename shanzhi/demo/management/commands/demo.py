"""``shanzhi demo [--if-empty] [--appeals N] [--seed S]``: load the model district (海勃湾区) with demo data."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core.errors import ShanzhiError
from shanzhi.demo.district import demo_load
from shanzhi.demo.extensions import SCALES


class Command(BaseCommand):
    help = "导入示范区（海勃湾区）：区划、部门、演示网格、分类、派单目录、演示账号和演示诉求"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="本区区划已存在时什么也不做（make run 使用）")
        parser.add_argument("--appeals", type=int, default=400, help="生成的演示诉求数量，默认 400；0 表示不生成")
        parser.add_argument("--seed", type=int, default=20251128, help="随机种子（同一种子生成同样的数据）")
        parser.add_argument("--add-appeals", action="store_true", help="数据库已有诉求时仍追加演示诉求")
        parser.add_argument("--grids-per-community", type=int, default=None, help="每个社区的网格数（默认 3-6 个）")
        parser.add_argument("--no-classifier", action="store_true", help="不训练冷启动分类模型")
        speed = parser.add_mutually_exclusive_group()
        speed.add_argument(
            "--fast", action="store_true", default=None, help="用快速生成器直接写入历史诉求（超过 2000 件时默认）"
        )
        speed.add_argument(
            "--replay", dest="fast", action="store_false", help="逐件经业务服务回放生成（2000 件及以下时默认）"
        )
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="demo",
            help="各应用演示数据的规模：demo 少量（默认），district 示范区设计规模（人口、建筑、企业等）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["appeals"] < 0:
            raise CommandError("--appeals 不能为负数")
        started = time.monotonic()
        try:
            report = demo_load(
                appeals=options["appeals"],
                seed=options["seed"],
                if_empty=options["if_empty"],
                add_appeals=options["add_appeals"],
                grids_per_community=options["grids_per_community"],
                train_classifier=not options["no_classifier"],
                scale=options["scale"],
                fast=options["fast"],
                progress=lambda line: self.stdout.write(f"  … {line}"),
            )
        except ShanzhiError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        for line in report.lines:
            self.stdout.write(line)
        if not report.skipped:
            self.stdout.write(self.style.SUCCESS(f"演示数据已就绪（{time.monotonic() - started:.1f} 秒）。"))
            self.stdout.write("演示账号见 shanzhi/demo/README.md，统一密码 shanzhi-demo。")
        if report.appeals is not None and report.appeals.failures:
            raise CommandError(f"{len(report.appeals.failures)} 个演示步骤未能完成")
