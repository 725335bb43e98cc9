"""The error codes of ``shanzhi.supervision``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("invalid_level", 422, "督办级别无效", "Invalid supervision level"),
    ErrorCode(
        "no_active_assignment",
        422,
        "该诉求没有正在办理的派单，不能督办",
        "The appeal has no active assignment to supervise",
    ),
    ErrorCode("too_long", 422, "内容过长", "The text is too long"),
    ErrorCode("unknown_assignment", 422, "该派单不属于此诉求", "The assignment does not belong to this appeal"),
)
