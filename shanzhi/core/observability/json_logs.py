"""Structured logs: one JSON object per line (``SHANZHI_LOG_FORMAT=json``), for a log shipper to read.

Built on structlog's ``ProcessorFormatter`` over the standard library's logging, so every logger of Django, the
libraries and the apps is rendered the same way. The exception text is the one the withholding filter left (frames
and types, no messages: they may quote personal data).
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog


def json_formatter() -> Any:
    return structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _request_id,
            _exception_text,
        ],
    )


def _request_id(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    record = event.get("_record")
    request_id = getattr(record, "request_id", "") if record is not None else ""
    if request_id:
        event["request_id"] = request_id
    return event


def _exception_text(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    record = event.get("_record")
    event.pop("exc_info", None)  # the raw tuple would repeat the exception's message
    if record is not None and record.exc_info:
        text = record.exc_text
        if not text:
            text = logging.Formatter().formatException(record.exc_info)
        event["exception"] = text
        record.exc_info = None
        record.exc_text = None
    return event
