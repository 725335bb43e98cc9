"""``shanzhi knowledge load_seed`` | ``shanzhi knowledge reindex``: the knowledge base's maintenance commands."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shanzhi.knowledge.seed import seed_load
from shanzhi.knowledge.services import articles_reindex


class Command(BaseCommand):
    help = "知识库：load_seed 导入示范区政策解读；reindex 重建全文检索索引"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        seed = sub.add_parser("load_seed", help="导入（或更新）示范区政策解读文章")
        seed.add_argument("--draft", action="store_true", help="导入为草稿，不发布")
        sub.add_parser("reindex", help="重建全部文章的检索索引")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load_seed":
            report = seed_load(publish=not options["draft"])
            self.stdout.write(self.style.SUCCESS(f"知识库：新增 {report.created} 篇，更新 {report.updated} 篇。"))
            if report.unlinked:
                self.stdout.write(f"其中 {report.unlinked} 篇的分类或主管部门尚未导入（先运行 shanzhi demo）。")
        else:
            count = articles_reindex()
            self.stdout.write(self.style.SUCCESS(f"已重建 {count} 篇文章的检索索引。"))
