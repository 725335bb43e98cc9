"""Attachments (photos, documents): the type is sniffed from the bytes, images are opened to prove they are images
and stored without their metadata (GPS position, device, comments), sizes and counts are limited. A refused file
leaves nothing behind."""

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


#: Metadata an image may carry: EXIF (GPS position, device, time), XMP, IPTC, comments, PNG text chunks.
_METADATA_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc", "icc_profile"}


def strip_metadata(data: bytes, mime: str) -> bytes:
    """The picture without what travels with it (a phone's JPEG knows where it was taken: often the citizen's
    home). An image that carries metadata is turned upright by its orientation tag and encoded anew in its own
    format; one that carries none is kept byte for byte. An animated GIF keeps its frames."""
    import io

    from PIL import ImageOps

    with Image.open(io.BytesIO(data)) as image:
        text_chunks = getattr(image, "text", {}) if image.format == "PNG" else {}
        carries = bool(image.getexif()) or bool(text_chunks) or bool(_METADATA_KEYS & set(image.info))
        if not carries:
            return data
        fmt = image.format or IMAGE_TYPES[mime].upper()
        if getattr(image, "is_animated", False):
            out = io.BytesIO()
            image.save(out, format=fmt, save_all=True)
            return out.getvalue()
        upright = ImageOps.exif_transpose(image)
        clean = upright.copy()  # keeps a palette and transparency; the metadata goes with ``info``
        clean.info.clear()
        clean.getexif().clear()
        if fmt == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
        out = io.BytesIO()
        options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
        clean.save(out, format=fmt, **options)
        return out.getvalue()


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
    if mime in IMAGE_TYPES:
        data = strip_metadata(data, mime)
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
