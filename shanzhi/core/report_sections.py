"""Sections that other apps add to the monthly report (月报), as a registry.

The reports app sits above the capabilities (grid, mediation, IoT, co-governance, …) and could import them, but then
every new app would edit the report's code. Instead each app registers a provider in ``AppConfig.ready()``::

    from shanzhi.core import report_sections
    report_sections.register("grid", grid_kpis_section, order=100)

A provider gets the period and the viewer's unit scope and returns a :class:`ReportSection` (or None when it has
nothing to say for that period). It returns plain values, never model instances: numbers stay numbers (the XLSX
stores them as figures), rates are floats in 0..1 in columns named in ``percent_columns``. The reports app renders
the sections in the page, DOCX, PDF and XLSX after its own, in ``order``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportPeriod:
    """Local dates, both inclusive; ``unit_ids`` None = every unit's figures, else only those units' (the viewer's
    scope: a provider must not report beyond it)."""

    start: dt.date
    end: dt.date
    unit_ids: frozenset[int] | None
    user: Any = None


@dataclass(frozen=True)
class ReportSection:
    key: str
    title: str
    header: list[str]
    rows: list[list[object]]
    summary: list[str] = field(default_factory=list)
    percent_columns: frozenset[int] = frozenset()


SectionProvider = Callable[[ReportPeriod], "ReportSection | None"]

_providers: dict[str, tuple[int, SectionProvider]] = {}


def register(key: str, provider: SectionProvider, *, order: int = 100) -> None:
    """Add (or replace, by key) a provider of a monthly-report section."""
    _providers[key] = (order, provider)


def unregister(key: str) -> None:
    _providers.pop(key, None)


def monthly_sections(period: ReportPeriod) -> list[ReportSection]:
    """Every registered section for ``period``, in order. A provider that fails is logged and left out, so one
    broken app never stops the centre's monthly report."""
    sections = []
    for key, (_order, provider) in sorted(_providers.items(), key=lambda item: (item[1][0], item[0])):
        try:
            section = provider(period)
        except Exception:
            logger.exception("monthly report section %s failed", key)
            continue
        if section is not None:
            sections.append(section)
    return sections
