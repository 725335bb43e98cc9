"""Photos a unit sends with its feedback (处置前后照片): attachments of the appeal tied to the unit's assignment.

The checks are those of :mod:`shanzhi.appeals.attachments` — the type sniffed from the bytes, the image opened to
prove it is one, the size limited, the metadata (GPS position, device) stripped — and only pictures are taken.
Every photo is checked before anything is written (:func:`photos_prepare`), so a refused one leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.attachments import IMAGE_TYPES, read_limited, sniff, strip_metadata
from shanzhi.appeals.events import record_event
from shanzhi.appeals.models import Appeal, Assignment, Attachment, EventKind
from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import User

MAX_PHOTOS_PER_FEEDBACK = 6


@dataclass(frozen=True)
class PreparedPhoto:
    data: bytes
    mime: str
    ext: str
    name: str
    sha256: str


def photos_prepare(uploads: Sequence[IO[bytes]]) -> list[PreparedPhoto]:
    """Read and check every upload (pictures only); a coded refusal for the first that fails."""
    uploads = [u for u in uploads if u is not None]
    if len(uploads) > MAX_PHOTOS_PER_FEEDBACK:
        raise ValidationFailed(
            _("每次反馈最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS_PER_FEEDBACK}, code="too_many_photos"
        )
    limit = int(settings.SHANZHI["ATTACHMENT_MAX_BYTES"])
    prepared = []
    for upload in uploads:
        data = read_limited(upload, limit)
        mime, ext = sniff(data)
        if mime not in IMAGE_TYPES:
            raise ValidationFailed(_("处置照片只能是图片(JPG/PNG/WEBP)"), code="photo_not_image", detected=mime)
        data = strip_metadata(data, mime)
        name = (getattr(upload, "name", "") or f"photo.{ext}").rsplit("/", 1)[-1][:200]
        prepared.append(PreparedPhoto(data, mime, ext, name, hashlib.sha256(data).hexdigest()))
    return prepared


def photos_store(
    *,
    appeal: Appeal,
    assignment: Assignment,
    actor: User,
    photos: Sequence[PreparedPhoto],
    at: dt.datetime,
) -> list[Attachment]:
    """Write checked photos as the assignment's attachments (inside the caller's transaction, appeal locked).
    Internal evidence for the centre's review: not shown to the citizen."""
    stored: list[Attachment] = []
    try:
        for number, photo in enumerate(photos, start=1):
            attachment = Attachment(
                appeal=appeal,
                assignment=assignment,
                original_name=photo.name,
                content_type=photo.mime,
                size=len(photo.data),
                sha256=photo.sha256,
                uploaded_by=actor,
                uploaded_at=at,
                is_public=False,
            )
            filename = f"{appeal.tracking_no}-r{assignment.round}-{assignment.pk}-{number}-{photo.sha256[:12]}"
            attachment.file.save(f"{filename}.{photo.ext}", ContentFile(photo.data), save=False)
            stored.append(attachment)
            attachment.save()
            record_event(
                appeal=appeal,
                assignment=assignment,
                kind=EventKind.ATTACHED,
                at=at,
                actor=actor,
                is_public=False,
                payload={"attachment": attachment.pk, "name": photo.name, "type": photo.mime, "feedback": True},
            )
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored
