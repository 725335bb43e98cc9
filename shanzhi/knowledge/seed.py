"""The seed set of policy explanations (政策解读) for the model district, ``data/seed_articles.json``.

The texts were written for the demo: they follow the national rules they name, but amounts and local details are
left to "以当年公布为准"; every seeded article is marked ``is_demo``. Loading is idempotent by article code.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from shanzhi.knowledge.models import Article
from shanzhi.knowledge.services import article_save
from shanzhi.orgs.models import Unit
from shanzhi.routing.models import Category

SEED_PATH = Path(__file__).resolve().parent / "data" / "seed_articles.json"


@dataclass(frozen=True)
class SeedReport:
    created: int
    updated: int
    unlinked: int  # articles whose category or owning department is not in the database


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@transaction.atomic
def seed_load(*, path: Path | None = None, publish: bool = True) -> SeedReport:
    rows = json.loads((path or SEED_PATH).read_text(encoding="utf-8"))
    categories = Category.objects.in_bulk([r["category"] for r in rows if r.get("category")], field_name="code")
    owners = Unit.objects.in_bulk([r["owner"] for r in rows if r.get("owner")], field_name="code")
    existing = Article.objects.in_bulk([r["code"] for r in rows], field_name="code")
    created = updated = unlinked = 0
    for row in rows:
        category = categories.get(row.get("category") or "")
        owner = owners.get(row.get("owner") or "")
        if (row.get("category") and category is None) or (row.get("owner") and owner is None):
            unlinked += 1
        article = existing.get(row["code"])
        article_save(
            actor=None,
            article=article,
            code=row["code"],
            title=row["title"],
            summary=row["summary"],
            body=row["body"],
            category=category,
            owner=owner,
            keywords=row.get("keywords", ""),
            source=row.get("source", ""),
            valid_from=_date(row.get("valid_from")),
            valid_to=_date(row.get("valid_to")),
            is_published=publish,
            is_demo=True,
        )
        if article is None:
            created += 1
        else:
            updated += 1
    return SeedReport(created=created, updated=updated, unlinked=unlinked)
