"""Stored files (appeal photos and documents) are never at a public address: a view checks that the person may see
the appeal, then hands the file over here.

By default the application streams the file itself. Behind nginx, ``SHANZHI_MEDIA_ACCEL_PREFIX`` (e.g.
``/_protected/``) makes it answer with ``X-Accel-Redirect`` instead, and nginx sends the file from an ``internal``
location pointing at ``SHANZHI_MEDIA_ROOT`` (docs/deployment.md): the check stays in the application, the bytes
go out from nginx.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

INLINE_TYPES = ("image/", "application/pdf")


def stored_file_response(file: FieldFile, *, content_type: str, filename: str) -> HttpResponseBase:
    """The file as a private response: shown in the browser for pictures and PDFs, downloaded otherwise."""
    prefix = str(getattr(settings, "SHANZHI", {}).get("MEDIA_ACCEL_PREFIX", "") or "")
    response: HttpResponseBase
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(file.name or "")
    else:
        response = FileResponse(file.open("rb"), content_type=content_type)
    inline = content_type.startswith(INLINE_TYPES)
    disposition = content_disposition_header(not inline, filename)
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, max-age=3600"
    return response
