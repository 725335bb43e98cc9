"""The two wire formats of GeoReport v2: JSON (lists as arrays) and XML (lists as a wrapper element whose children
take the singular name, e.g. ``<services><service>…</service></services>``), both UTF-8 with the content types of the
specification."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

from shanzhi.open311.rules import FORMATS, Open311Error

# The element name of one item of each list.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_request_updates": "request_update",
    "updates": "update",
    "keywords_list": "keyword",
}


def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        child = ITEM_NAMES.get(name, "item")
        for item in value:
            _append(element, child, item)
    else:
        element.text = _xml_value(value)


def to_xml(root: str, payload: Any) -> bytes:
    element = ET.Element(root)
    if isinstance(payload, list):
        child = ITEM_NAMES[root]
        for item in payload:
            _append(element, child, item)
    else:
        for key, value in payload.items():
            _append(element, key, value)
    body: bytes = ET.tostring(element, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body


def render(fmt: str, root: str, payload: Any, *, status: int = 200) -> HttpResponse:
    """``payload`` is a list (a list root: services, service_requests, errors) or a dict (one object)."""
    body = to_xml(root, payload) if fmt == "xml" else json.dumps(payload, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=FORMATS.get(fmt, FORMATS["xml"]))


def render_error(fmt: str, error: Open311Error) -> HttpResponse:
    """The specification's error shape: ``[{"code": 403, "description": "…"}]`` / ``<errors><error>…``."""
    response = render(fmt, "errors", [{"code": error.status, "description": error.description}], status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response
