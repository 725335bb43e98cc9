"""Retention (PIPL art. 19, 47): personal data of finished appeals is anonymised after a configurable number of years.

An appeal in a final state (closed, rejected, answered, merged) whose closing — or, where no closing time was
recorded, its registration — lies more than ``SHANZHI_RETENTION_YEARS`` years back (default 5; 0 switches
anonymisation off) loses the caller's name, phone number, ID number (cipher text and blind index) and the address;
its coordinates are rounded to three decimals (about 100 m, enough for the hotspot map). The citizen's words, the
category, the area, the units, every time and the event log stay: every figure in the reports is computed from
those, and stays the same (``tests/security/test_retention.py``).

Each run writes one audit entry (``retention.anonymise``: the cut-off, how many appeals and their ids — never the
data itself). ``shanzhi retention_anonymise`` runs it by hand (``--dry-run`` counts); the scheduler runs it nightly
(``appeals.retention_anonymise``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Round

from shanzhi.appeals.models import FINAL_STATES, Appeal
from shanzhi.core import clock
from shanzhi.core.audit import audit_record

DEFAULT_YEARS = 5
BATCH = 500
COORDINATE_DIGITS = 3


def retention_years() -> int:
    return int(getattr(settings, "SHANZHI_RETENTION_YEARS", DEFAULT_YEARS))


def retention_cutoff(now: dt.datetime, years: int) -> dt.datetime:
    """The instant ``years`` calendar years before ``now`` (29 February → 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


#: Still holds something of the caller's (an anonymised appeal has none of these).
HOLDS_PERSONAL_DATA = ~Q(citizen_name="") | ~Q(citizen_phone="") | ~Q(citizen_id_enc="") | ~Q(address="")


def due_for_anonymisation(cutoff: dt.datetime):  # type: ignore[no-untyped-def]
    """Finished appeals closed (or, without a closing time, registered) before ``cutoff`` that still hold data."""
    return (
        Appeal.objects.annotate(finished_at=Coalesce("closed_at", "created_at"))
        .filter(state__in=FINAL_STATES, finished_at__lt=cutoff)
        .filter(HOLDS_PERSONAL_DATA)
    )


@dataclass(frozen=True)
class RetentionRun:
    cutoff: dt.datetime
    years: int
    anonymised: int
    dry_run: bool


def appeals_anonymise_closed(
    *, actor: object = None, now: dt.datetime | None = None, years: int | None = None, dry_run: bool = False
) -> RetentionRun:
    """Anonymise every appeal due (see the module note), in batches, each batch with its audit entry."""
    years = retention_years() if years is None else years
    moment = now or clock.now()
    if years <= 0:
        return RetentionRun(moment, years, 0, dry_run)
    cutoff = retention_cutoff(moment, years)
    if dry_run:
        return RetentionRun(cutoff, years, due_for_anonymisation(cutoff).count(), True)
    total = 0
    while True:
        with transaction.atomic():
            ids = list(due_for_anonymisation(cutoff).order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            Appeal.objects.filter(pk__in=ids).update(
                citizen_name="",
                citizen_phone="",
                citizen_id_enc="",
                citizen_id_index="",
                address="",
                longitude=Round("longitude", COORDINATE_DIGITS),
                latitude=Round("latitude", COORDINATE_DIGITS),
            )
            audit_record(
                "retention.anonymise",
                actor=actor,
                subject_type="appeal",
                detail={"cutoff": cutoff.isoformat(), "years": years, "count": len(ids), "appeal_ids": ids},
            )
            total += len(ids)
    return RetentionRun(cutoff, years, total, False)
