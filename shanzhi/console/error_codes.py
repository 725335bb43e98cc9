"""The error codes of ``shanzhi.console``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode(
        "answer_only_consultation", 422, "只有咨询类诉求可以直接答复", "Only a consultation can be answered directly"
    ),
    ErrorCode("not_your_assignment", 403, "该派单不属于您的单位", "The assignment is not your unit's"),
)
