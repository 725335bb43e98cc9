"""``shanzhi error_codes``: the declared error codes (``shanzhi/*/error_codes.py``) — one per line, or, with
``--markdown``, the page ``docs/error-codes.md`` (``shanzhi error_codes --markdown > docs/error-codes.md``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shanzhi.core import error_registry


class Command(BaseCommand):
    help = "列出各应用声明的错误代码；--markdown 输出 docs/error-codes.md"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--markdown", action="store_true", help="输出 Markdown 文档（docs/error-codes.md）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["markdown"]:
            self.stdout.write(error_registry.markdown(), ending="\n")
            return
        for app, codes in error_registry.registries().items():
            for entry in sorted(codes.values(), key=lambda e: e.code):
                self.stdout.write(f"{app}\t{entry.code}\t{entry.status}\t{entry.zh}\t{entry.en}")
