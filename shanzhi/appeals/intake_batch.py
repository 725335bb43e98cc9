"""Batch intake: many appeals in one call, for integrations that push work in bulk (the city 12345 exchange,
a district system catching up after an outage).

Each item goes through exactly the same validation, routing and deadlines as a single intake
(:func:`shanzhi.appeals.intake.intake_draft`); the accepted ones are then written together in one transaction
(:func:`shanzhi.appeals.intake_store.intake_write`). Items are independent: a bad item is rejected with its coded error
and the others are created; a retried item (same idempotency key by the same caller, also within one batch)
returns the appeal its first delivery created. See ADR 0011.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.intake import IntakeFields, intake_check_role, intake_draft
from shanzhi.appeals.intake_store import IntakeDraft, intake_existing, intake_write
from shanzhi.appeals.models import Appeal
from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError, ValidationFailed
from shanzhi.orgs.models import User

logger = logging.getLogger("shanzhi.appeals")

DEFAULT_BATCH_MAX = 100


@dataclass(frozen=True)
class BatchItem:
    """One appeal of a batch: its fields and the caller's idempotency key for it."""

    fields: IntakeFields
    idempotency_key: str | None = None


@dataclass(frozen=True)
class BatchOutcome:
    """What became of item ``index``: ``created``, ``existing`` (a retry) or ``rejected`` (with ``error``)."""

    index: int
    status: str
    appeal: Appeal | None = None
    error: ShanzhiError | None = None


def batch_max() -> int:
    return int(getattr(settings, "SHANZHI", {}).get("INTAKE_BATCH_MAX", DEFAULT_BATCH_MAX))


def appeals_intake_batch(
    *, actor: User | None, items: Sequence[BatchItem], at: dt.datetime | None = None
) -> list[BatchOutcome]:
    """Register ``items``; one outcome per item, in order. Raises only for the whole call: a role that may not
    register appeals, an empty or oversized batch."""
    intake_check_role(actor)
    if not items:
        raise ValidationFailed(_("批量登记至少包含一件诉求"), code="batch_empty")
    limit = batch_max()
    if len(items) > limit:
        raise ValidationFailed(
            _("批量登记一次最多 %(limit)s 件诉求") % {"limit": limit}, code="batch_too_large", limit=limit
        )
    at = at or clock.now()
    keys = [(item.idempotency_key or "").strip() or None for item in items]

    outcomes: dict[int, BatchOutcome] = {}
    drafts: dict[int, IntakeDraft] = {}
    first_with_key: dict[str, int] = {}
    repeats: dict[int, int] = {}  # index → index of the first item with the same key in this batch
    for index, (item, key) in enumerate(zip(items, keys, strict=True)):
        if key and key in first_with_key:
            repeats[index] = first_with_key[key]
            continue
        try:
            drafts[index] = intake_draft(actor=actor, at=at, idempotency_key=key, **item.fields)
        except ShanzhiError as error:
            outcomes[index] = BatchOutcome(index, "rejected", error=error)
        if key:
            first_with_key[key] = index
    # The keys are checked as the drafts are written (one statement on PostgreSQL). A rejected item whose key was
    # registered before is a retry of an appeal that passed then (a category retired since): it gets its appeal.
    rejected_keys = {key: i for i in outcomes if (key := keys[i])}
    for key, appeal in intake_existing(actor, rejected_keys).items():
        outcomes[rejected_keys[key]] = BatchOutcome(rejected_keys[key], "existing", appeal=appeal)

    outcomes.update(_write(actor, drafts))
    for index, first in repeats.items():
        original = outcomes[first]
        status = "rejected" if original.status == "rejected" else "existing"
        outcomes[index] = BatchOutcome(index, status, appeal=original.appeal, error=original.error)
    result = [outcomes[i] for i in range(len(items))]
    created = sum(1 for o in result if o.status == "created")
    logger.info(
        "batch intake: %d items, %d created, %d existing, %d rejected",
        len(items),
        created,
        sum(1 for o in result if o.status == "existing"),
        sum(1 for o in result if o.status == "rejected"),
    )
    return result


def _write(actor: User | None, drafts: dict[int, IntakeDraft]) -> dict[int, BatchOutcome]:
    """All drafts in one transaction; if a concurrent delivery of the same key wins a race (IntegrityError), each
    draft is written alone so that only the raced ones turn into ``existing``."""
    if not drafts:
        return {}
    try:
        existing = intake_write(list(drafts.values()), actor=actor)
        return {i: _outcome(i, d, existing) for i, d in drafts.items()}
    except IntegrityError:
        logger.info("batch intake: a key was registered concurrently; writing the batch item by item")
    outcomes = {}
    for index, draft in drafts.items():
        key = draft.appeal.idempotency_key
        draft.reset()
        try:
            outcomes[index] = _outcome(index, draft, intake_write([draft], actor=actor))
        except IntegrityError:
            found = intake_existing(actor, [key]) if key else {}
            if key and key in found:
                outcomes[index] = BatchOutcome(index, "existing", appeal=found[key])
            else:
                error = ValidationFailed(_("诉求与已有记录冲突，未登记"), code="intake_conflict")
                outcomes[index] = BatchOutcome(index, "rejected", error=error)
    return outcomes


def _outcome(index: int, draft: IntakeDraft, existing: dict[str, Appeal]) -> BatchOutcome:
    key = draft.appeal.idempotency_key
    if key and key in existing:
        return BatchOutcome(index, "existing", appeal=existing[key])
    return BatchOutcome(index, "created", appeal=draft.appeal)
