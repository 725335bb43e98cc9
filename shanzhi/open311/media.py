"""The picture behind an Open311 request's ``media_url``: fetched after the request is stored, checked like any upload
(type from the bytes, metadata stripped, size limit) and kept as an attachment of the appeal, so that the handler
sees the photo even when the client's link expires. Only public addresses are fetched (``core.safe_fetch``); a
network failure is tried again a few times with growing pauses; what can never work is refused with its reason.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import posixpath
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from shanzhi.appeals.attachments import attachment_add
from shanzhi.core import clock, safe_fetch
from shanzhi.core.errors import ShanzhiError
from shanzhi.open311.models import MediaState, ServiceRequest

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 4


def retry_pause(attempts: int) -> dt.timedelta:
    """After the n-th failed try: 1, 4, 16 minutes."""
    return dt.timedelta(minutes=4 ** max(attempts - 1, 0))


def _options() -> tuple[bool, bool, float]:
    config = settings.SHANZHI
    return (
        bool(config.get("OPEN311_MEDIA_FETCH", True)),
        bool(config.get("OPEN311_MEDIA_ALLOW_PRIVATE", False)),
        float(config.get("OPEN311_MEDIA_TIMEOUT", 10.0)),
    )


def media_fetch_schedule(service_request: ServiceRequest) -> None:
    """Mark the request's media as waiting and fetch it once the transaction that stored it commits."""
    enabled, _private, _timeout = _options()
    if not service_request.media_url or not enabled:
        return
    ServiceRequest.objects.filter(pk=service_request.pk).update(media_state=MediaState.PENDING)
    service_request.media_state = MediaState.PENDING
    pk = service_request.pk
    transaction.on_commit(lambda: _enqueue(pk))


def _enqueue(pk: int, *, run_after: dt.datetime | None = None) -> None:
    from shanzhi.open311 import tasks

    try:
        task = tasks.fetch_media if run_after is None else tasks.fetch_media.using(run_after=run_after)
        task.enqueue(pk)
    except Exception as error:  # the periodic sweep picks it up
        logger.warning("open311: enqueueing media fetch %s failed (%s)", pk, type(error).__name__)


def _due(now: dt.datetime) -> Q:
    return Q(media_state=MediaState.PENDING) & (Q(media_next_at__isnull=True) | Q(media_next_at__lte=now))


def media_fetch(service_request_id: int) -> str:
    """Fetch one request's media; returns the state it is left in, ``skipped`` when it is not due (fetched already,
    being fetched by another worker, or waiting for its next try)."""
    _enabled, allow_private, timeout = _options()
    now = clock.now()
    with transaction.atomic():
        sr = (
            ServiceRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("appeal", "client")
            .filter(_due(now), pk=service_request_id)
            .first()
        )
        if sr is None:
            return "skipped"
        sr.media_attempts += 1
        limit = int(settings.SHANZHI["ATTACHMENT_MAX_BYTES"])
        try:
            fetched = safe_fetch.fetch(sr.media_url, max_bytes=limit, timeout=timeout, allow_private=allow_private)
        except safe_fetch.FetchRefused as refused:
            return _end(sr, MediaState.REFUSED, refused.code)
        except safe_fetch.FetchFailed as failed:
            if sr.media_attempts >= MAX_ATTEMPTS:
                return _end(sr, MediaState.FAILED, failed.code)
            next_at = now + retry_pause(sr.media_attempts)
            sr.media_error, sr.media_next_at = failed.code[:40], next_at
            sr.save(update_fields=["media_attempts", "media_error", "media_next_at"])
            transaction.on_commit(lambda: _enqueue(service_request_id, run_after=next_at))
            return MediaState.PENDING
        name = posixpath.basename(urlsplit(fetched.url).path)[:200] or "media"
        try:
            with transaction.atomic():
                sr.media_attachment = attachment_add(
                    actor=sr.client, appeal=sr.appeal, upload=io.BytesIO(fetched.data), name=name, is_public=True
                )
        except ShanzhiError as error:  # not an image or document we keep, too many attachments …
            return _end(sr, MediaState.REFUSED, error.code)
        return _end(sr, MediaState.FETCHED, "")


def _end(sr: ServiceRequest, state: str, code: str) -> str:
    sr.media_state, sr.media_error, sr.media_next_at = state, code[:40], None
    sr.save(update_fields=["media_state", "media_error", "media_attempts", "media_next_at", "media_attachment"])
    if state != MediaState.FETCHED:
        logger.info("open311: media of request %s %s (%s)", sr.pk, state, code)
    return state


def media_sweep() -> int:
    """Pending media that are due but whose task was lost (a worker that died, a queue that was down): again."""
    ids = list(ServiceRequest.objects.filter(_due(clock.now())).values_list("pk", flat=True)[:200])
    for pk in ids:
        _enqueue(pk)
    return len(ids)
