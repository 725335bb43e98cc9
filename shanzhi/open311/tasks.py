"""Background work of Open311: fetching a request's media after its commit, and the sweep for lost fetches."""

from __future__ import annotations

from django.tasks import task

from shanzhi.open311 import media


@task()
def fetch_media(service_request_id: int) -> str:
    return media.media_fetch(service_request_id)


@task()
def sweep_media() -> int:
    return media.media_sweep()
