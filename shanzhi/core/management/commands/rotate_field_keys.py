"""``shanzhi rotate_field_keys [--dry-run]``: encrypt every stored personal value anew under the current field key.

Key rotation (ADR 0024): set ``SHANZHI_FIELD_KEY=<new>,<old>`` (the first key encrypts, every key decrypts), run
this command, check that it reports no unreadable value, then drop the old key. The encrypted columns are found by
name: every text column of an installed model whose name ends in ``_enc`` (today ``appeals.Appeal.citizen_id_enc``).
A value no configured key opens is counted and left as it is — never overwritten.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction

from shanzhi.core import pii
from shanzhi.core.audit import audit_record

BATCH = 500


def encrypted_columns() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.name.endswith("_enc") and isinstance(field, models.TextField | models.CharField)
    ]


class Command(BaseCommand):
    help = "用当前字段密钥重新加密个人信息 / Re-encrypt personal data under the current field key"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        pii.field_keys_changed()
        totals = {"rotated": 0, "unreadable": 0}
        for model, name in encrypted_columns():
            rotated, unreadable = self._rotate(model, name, dry_run=options["dry_run"])
            totals["rotated"] += rotated
            totals["unreadable"] += unreadable
            self.stdout.write(f"{model._meta.label}.{name}: {rotated} rotated, {unreadable} unreadable")
        if not options["dry_run"]:
            audit_record("pii.rotate_field_keys", detail=totals)
        if totals["unreadable"]:
            raise CommandError(f"{totals['unreadable']} 个加密值无法用现有密钥解开（未改动）/ values no key opens")

    def _rotate(self, model: type[models.Model], name: str, *, dry_run: bool) -> tuple[int, int]:
        rotated = unreadable = 0
        last = 0
        manager = model._default_manager
        while True:
            rows = list(manager.filter(pk__gt=last).exclude(**{name: ""}).order_by("pk").only("pk", name)[:BATCH])
            if not rows:
                return rotated, unreadable
            last = rows[-1].pk  # type: ignore[assignment]
            changed = []
            for row in rows:
                token = pii.reencrypt(getattr(row, name))
                if token is None:
                    unreadable += 1
                    continue
                setattr(row, name, token)
                changed.append(row)
            if changed and not dry_run:
                with transaction.atomic():
                    manager.bulk_update(changed, [name])
            rotated += len(changed)
