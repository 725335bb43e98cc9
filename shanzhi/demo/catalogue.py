"""The default category tree and dispatch catalogue (``shanzhi/routing/data/``).

The tree goes through :func:`shanzhi.routing.category_files.category_tree_import_csv`. The catalogue loader only fills
gaps: a (category, area) pair that already has a rule is left as the centre made it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import Unit
from shanzhi.routing.category_files import category_tree_import_csv
from shanzhi.routing.models import Category, DispatchRule, TerritorialLevel

ROUTING_DATA_DIR = Path(__file__).resolve().parents[1] / "routing" / "data"
CATEGORIES_CSV = ROUTING_DATA_DIR / "categories.csv"
CATALOGUE_CSV = ROUTING_DATA_DIR / "catalogue.csv"
TERRITORIAL = "territorial"


def categories_load(*, csv_text: str | None = None) -> int:
    """Load (create or update) the category tree; returns the number of rows applied."""
    text = csv_text if csv_text is not None else CATEGORIES_CSV.read_text(encoding="utf-8")
    return category_tree_import_csv(text=text)


@dataclass(frozen=True)
class CatalogueLine:
    """One parsed line of the catalogue CSV."""

    line_no: int
    category: str
    area: str
    lead: str
    territorial_level: str
    assisting: tuple[str, ...]
    priority: int
    note: str


def catalogue_parse(text: str) -> list[CatalogueLine]:
    """Parse and check the shape of the catalogue CSV (references are resolved by :func:`catalogue_load`)."""
    lines: list[CatalogueLine] = []
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))), start=2):
        category = (row.get("category") or "").strip()
        lead = (row.get("lead") or "").strip()
        level = (row.get("territorial_level") or "").strip() or TerritorialLevel.TOWN
        if not category or not lead:
            raise ValidationFailed(
                _("派单目录第 %(line)s 行缺少分类或主办单位") % {"line": line_no}, code="catalogue_row_incomplete"
            )
        if level not in TerritorialLevel.values:
            raise ValidationFailed(
                _("派单目录第 %(line)s 行的属地层级无效") % {"line": line_no}, code="catalogue_invalid_level"
            )
        try:
            priority = int((row.get("priority") or "0").strip() or 0)
        except ValueError as error:
            raise ValidationFailed(
                _("派单目录第 %(line)s 行的优先级须为整数") % {"line": line_no}, code="catalogue_invalid_priority"
            ) from error
        lines.append(
            CatalogueLine(
                line_no=line_no,
                category=category,
                area=(row.get("area") or "").strip(),
                lead=lead,
                territorial_level=level,
                assisting=tuple((row.get("assisting") or "").split()),
                priority=priority,
                note=(row.get("note") or "").strip(),
            )
        )
    return lines


@transaction.atomic
def catalogue_load(*, csv_text: str | None = None) -> dict[str, int]:
    """Add the default catalogue rules that are missing. Every category and unit must exist (load the tree and the
    hierarchy first); nothing is written if one does not."""
    text = csv_text if csv_text is not None else CATALOGUE_CSV.read_text(encoding="utf-8")
    lines = catalogue_parse(text)
    categories = {c.path: c for c in Category.objects.all()}
    codes = {code for line in lines for code in (line.lead, line.area, *line.assisting) if code and code != TERRITORIAL}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    result = {"created": 0, "unchanged": 0}
    for line in lines:
        category = categories.get(line.category)
        if category is None:
            raise ValidationFailed(
                _("派单目录第 %(line)s 行的分类不存在：%(path)s") % {"line": line.line_no, "path": line.category},
                code="catalogue_unknown_category",
            )
        missing = [c for c in (line.lead, line.area, *line.assisting) if c and c != TERRITORIAL and c not in units]
        if missing:
            raise ValidationFailed(
                _("派单目录第 %(line)s 行的单位不存在：%(codes)s") % {"line": line.line_no, "codes": " ".join(missing)},
                code="catalogue_unknown_unit",
            )
        area = units[line.area] if line.area else None
        if DispatchRule.objects.filter(category=category, area=area).exists():
            result["unchanged"] += 1
            continue
        rule = DispatchRule.objects.create(
            category=category,
            area=area,
            lead_unit=None if line.lead == TERRITORIAL else units[line.lead],
            territorial_level=line.territorial_level,
            priority=line.priority,
            note=line.note,
        )
        if line.assisting:
            rule.assisting_units.set([units[c] for c in line.assisting])
        result["created"] += 1
    return result
