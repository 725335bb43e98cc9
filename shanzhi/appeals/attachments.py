"""Attachments (photos, documents): the type is sniffed from the bytes, images are opened to prove they are images,
sizes and counts are limited. A refused file leaves nothing behind."""

from __future__ import annotations

import hashlib
from typing import IO

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from shanzhi.appeals.events import record_event
from shanzhi.appeals.guards import lock_appeal
from shanzhi.appeals.models import Appeal, Attachment, EventKind
from shanzhi.core import clock
from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import User

IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
DOCUMENT_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
MAX_PER_APPEAL = 12
MAX_IMAGE_PIXELS = 40_000_000


def sniff(data: bytes) -> tuple[str, str]:
    """(content type, extension) from the content itself, or a coded refusal."""
    kind = filetype.guess(data[:8192])
    if kind is None:
        raise ValidationFailed(
            _("不支持的文件类型，请上传图片(JPG/PNG/WEBP)或 PDF、Word、Excel 文件"), code="file_type_not_allowed"
        )
    mime = kind.mime
    if mime in IMAGE_TYPES:
        _check_image(data)
        return mime, IMAGE_TYPES[mime]
    if mime in DOCUMENT_TYPES:
        return mime, DOCUMENT_TYPES[mime]
    raise ValidationFailed(
        _("不支持的文件类型，请上传图片(JPG/PNG/WEBP)或 PDF、Word、Excel 文件"),
        code="file_type_not_allowed",
        detected=mime,
    )


def _check_image(data: bytes) -> None:
    import io

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationFailed(_("图片尺寸过大"), code="image_too_large")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationFailed(_("图片文件已损坏或不是真实的图片"), code="image_invalid") from exc


def read_limited(stream: IO[bytes], limit: int) -> bytes:
    """Read at most ``limit`` bytes; refuse a larger upload without reading it all into memory."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValidationFailed(
            _("文件过大，单个文件不能超过 %(mb)s MB") % {"mb": limit // (1024 * 1024)}, code="file_too_large"
        )
    if not data:
        raise ValidationFailed(_("文件为空"), code="file_empty")
    return data


def attachment_add(
    *, actor: User | None, appeal: Appeal, upload: IO[bytes], name: str = "", is_public: bool = True
) -> Attachment:
    """Store one file for an appeal (photo, document)."""
    limit = int(settings.SHANZHI["ATTACHMENT_MAX_BYTES"])
    data = read_limited(upload, limit)
    mime, ext = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    original = (name or getattr(upload, "name", "") or f"file.{ext}").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        appeal = lock_appeal(appeal)
        if appeal.attachments.count() >= MAX_PER_APPEAL:
            raise ValidationFailed(
                _("每件诉求最多上传 %(n)s 个附件") % {"n": MAX_PER_APPEAL}, code="too_many_attachments"
            )
        at = clock.now()
        attachment = Attachment(
            appeal=appeal,
            original_name=original,
            content_type=mime,
            size=len(data),
            sha256=digest,
            uploaded_by=actor,
            uploaded_at=at,
            is_public=is_public,
        )
        attachment.file.save(f"{appeal.tracking_no}-{digest[:12]}.{ext}", ContentFile(data), save=False)
        try:
            attachment.save()
            record_event(
                appeal=appeal,
                kind=EventKind.ATTACHED,
                at=at,
                actor=actor,
                is_public=is_public,
                payload={"attachment": attachment.pk, "name": original, "type": mime},
            )
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment
