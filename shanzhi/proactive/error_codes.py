"""The error codes of ``shanzhi.proactive``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("hotspot_not_yours", 403, "您不能处理该热点", "You may not handle this hotspot"),
    ErrorCode("hotspot_transition", 409, "热点当前状态下不能执行此操作", "Not possible in the hotspot’s current state"),
    ErrorCode("proposal_decided", 409, "该重复件建议已处理", "This duplicate proposal has already been decided"),
    ErrorCode("role_not_allowed", 403, "您的角色不能执行此操作", "Your role may not perform this action"),
)
