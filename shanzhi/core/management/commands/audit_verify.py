"""``shanzhi audit_verify [--anchor FILE]``: walk the audit chain; exit 1 on any break (ADR 0024).

With ``--anchor FILE`` the heads recorded by earlier runs (one ``seq hash`` line each, kept outside the database:
another machine, the log store, a printout) must still be in the chain, and this run's head is appended — so a
truncated tail or a chain rebuilt from the start is found as well as an edited or deleted row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core.audit import audit_verify


def read_anchors(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit():
            anchors.append((int(parts[0]), parts[1]))
    return anchors


class Command(BaseCommand):
    help = "校验审计日志哈希链 / Verify the hash chain of the audit log"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--anchor", type=Path, default=None, help="锚点文件：之前记录的链头，校验后追加本次链头")

    def handle(self, *args: Any, **options: Any) -> None:
        anchor_file: Path | None = options["anchor"]
        anchors = read_anchors(anchor_file) if anchor_file else []
        verdict = audit_verify(anchors=anchors)
        for brk in verdict.breaks:
            self.stderr.write(f"#{brk.seq}: {brk.problem}")
        if not verdict.ok:
            raise CommandError(f"审计日志链已被篡改：{len(verdict.breaks)} 处断裂 / audit chain broken")
        if anchor_file and verdict.head_seq:
            with anchor_file.open("a") as out:
                out.write(f"{verdict.head_seq} {verdict.head_hash}\n")
        self.stdout.write(
            f"ok: {verdict.rows} rows, {len(anchors)} anchors, head #{verdict.head_seq} {verdict.head_hash}"
        )
