"""Retention as background work (``django.tasks``; enqueued nightly by ``shanzhi scheduler``)."""

from __future__ import annotations

from django.tasks import task

from shanzhi.appeals.retention import appeals_anonymise_closed


@task
def anonymise_closed() -> dict[str, int]:
    """Anonymise the finished appeals past the retention period (:mod:`shanzhi.appeals.retention`)."""
    run = appeals_anonymise_closed()
    return {"anonymised": run.anonymised, "years": run.years}
