"""The error codes of ``shanzhi.notifications``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("unknown_notification_channel", 422, "未知的通知渠道", "Unknown notification channel"),
    ErrorCode("unknown_notification_event", 422, "未知的通知事件", "Unknown notification event"),
)
