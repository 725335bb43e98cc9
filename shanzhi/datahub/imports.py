"""Imports from departments (XLSX and CSV): map the columns, validate the whole file, then write it in one go.

The contract (ADR 0017):
- the whole file is read and every cell validated before anything is written; the error list names the row (as the
  spreadsheet numbers it, the header being row 1), the column (as the file spells it), a stable code and a Chinese
  message — never the value;
- a file with any error writes nothing but its history row (``ImportBatch`` with status ``failed``) — unless the
  caller asks for the valid rows only (``valid_rows_only``), when the rows without errors are written;
- every element has a key (ID number's keyed hash, building code, credit code, 户号, organisation code); a row whose
  clean values equal what the hub holds (a keyed digest, ``fingerprint``) is left alone, so importing the same file
  twice changes nothing;
- writes are bulk inserts and bulk updates in batches inside one transaction (``core.bulk_insert``: one statement
  per batch on PostgreSQL), so a district's 260k persons load in well under a minute.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.core.bulk_insert import bulk_insert
from shanzhi.core.errors import PermissionDenied, ValidationFailed
from shanzhi.datahub import selectors
from shanzhi.datahub.import_columns import COLUMNS, map_columns, read_table, template_headers
from shanzhi.datahub.import_kinds import PLANNERS
from shanzhi.datahub.import_plan import ImportResult, Reference, _header, _parse_rows, _Plan, _Row
from shanzhi.datahub.models import (
    ImportBatch,
    ImportKind,
)
from shanzhi.datahub.rules import RowError
from shanzhi.orgs import permissions
from shanzhi.orgs.models import User

BATCH = 5000
MAX_ERRORS_KEPT = 2000
Progress = Callable[[str, int, int], None]


# --- the service --------------------------------------------------------------------------------------------------


def may_import(user: User) -> bool:
    """The centre's data staff (admin, leader, analyst) and territorial unit heads, for their own area."""
    if permissions.holds(user, permissions.WHOLE_DISTRICT_ROLES):
        return True
    return permissions.is_territorial_staff(user) and permissions.holds(user, {"unit_head"})


def _write(plan: _Plan, progress: Progress | None) -> None:
    total = sum(len(g) for g in plan.inserts) + sum(len(objs) for objs, _f in plan.updates)
    done = 0
    for group in plan.inserts:
        for start in range(0, len(group), BATCH):
            chunk = group[start : start + BATCH]
            for obj in chunk:  # foreign keys to instances inserted in an earlier group
                for attname, target in obj.__dict__.pop("_dh_links", ()):
                    obj.__dict__[attname] = target.pk
            bulk_insert(chunk)
            done += len(chunk)
            if progress:
                progress("write", done, total)
    now = timezone.now()
    for objs, fields in plan.updates:
        model = type(objs[0])
        for obj in objs:
            obj.updated_at = now  # type: ignore[attr-defined]
        for start in range(0, len(objs), BATCH):
            model._default_manager.bulk_update(objs[start : start + BATCH], fields)
            done += len(objs[start : start + BATCH])
            if progress:
                progress("write", done, total)
    for step in plan.after:
        step()
    if (plan.created or plan.updated) and plan.kind in selectors.LAYER_MODELS:
        selectors.map_cells_rebuild(plan.kind)  # the map layer of the same name


def datahub_import(
    *,
    actor: User,
    kind: str,
    file_name: str,
    content: bytes,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    valid_rows_only: bool = False,
    demo: bool = False,
    gcj02: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate the whole file, then (unless it has errors, or it is a dry run) write it; always record the attempt."""
    if not may_import(actor):
        raise PermissionDenied(_("您没有导入数据的权限"), code="import_forbidden")
    if kind not in COLUMNS:
        raise ValidationFailed(_("不支持的数据类型"), code="import_kind")
    started = time.perf_counter()
    headers, raw_rows = read_table(file_name, content)
    positions, errors = map_columns(kind, headers, mapping)
    plan = _Plan(kind=kind)
    rows: list[_Row] = []
    if not errors:
        if progress:
            progress("validate", 0, len(raw_rows))
        rows = _parse_rows(kind, headers, raw_rows, positions)
        ref = Reference.load(actor, with_buildings=kind in (ImportKind.PERSONS, ImportKind.ENTERPRISES))
        ref.gcj02 = gcj02

        def col(key: str) -> str:
            return _header(kind, key, headers, positions)

        PLANNERS[kind](rows, ref, col, plan, demo)
        order = {header: index for index, header in enumerate(headers)}
        errors = sorted((e for r in rows for e in r.errors), key=lambda e: (e.row, order.get(e.column, -1)))
        if progress:
            progress("validate", len(raw_rows), len(raw_rows))
    failed = bool(errors) and not valid_rows_only
    status = ImportBatch.Status.FAILED if failed else ImportBatch.Status.DRY_RUN if dry_run else ImportBatch.Status.DONE
    batch = ImportBatch(
        kind=kind,
        file_name=file_name.replace("\x00", "")[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
        actor=actor,
        status=status,
        rows=len(raw_rows),
        error_count=len(errors),
        errors=[e.as_dict() for e in errors[:MAX_ERRORS_KEPT]],
    )
    if not failed:
        batch.created, batch.updated, batch.unchanged = plan.created, plan.updated, plan.unchanged
    with transaction.atomic():
        if not failed and not dry_run:
            _write(plan, progress)
        batch.seconds = round(time.perf_counter() - started, 3)
        batch.save()
    return ImportResult(batch=batch, errors=errors)


def error_report_xlsx(errors: Iterable[dict[str, Any]] | Iterable[RowError]) -> bytes:
    """The error list as an .xlsx file (行号, 列, 错误代码, 说明)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "错误清单"
    sheet.append(["行号", "列", "错误代码", "说明"])
    for error in errors:
        item = error.as_dict() if isinstance(error, RowError) else error
        sheet.append([item["row"], item["column"], item["code"], item["message"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_xlsx(kind: str) -> bytes:
    """An empty import template for ``kind`` (the header row)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(ImportKind(kind).label)
    sheet.append(template_headers(kind))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
