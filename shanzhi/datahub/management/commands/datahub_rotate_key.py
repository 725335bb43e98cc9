"""``shanzhi datahub_rotate_key --old-key OLD``: re-encrypt the hub's ID and phone numbers with the current field key.

Set ``SHANZHI_FIELD_KEY`` to the new key, keep the old one at hand, run this once; values already under the new
key are left as they are, so it may be run again after an interruption (ADR 0017)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shanzhi.datahub.keys import rotate_field_key


class Command(BaseCommand):
    help = "用当前字段密钥重新加密治理数据中心的身份证号与电话"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--old-key", required=True, help="旧的 Fernet 密钥")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rotate_field_key(old_key=options["old_key"])
        self.stdout.write("；".join(f"{name} 重新加密 {n} 条" for name, n in counts.items()))
