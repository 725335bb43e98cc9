"""The error codes of ``shanzhi.reports``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (ErrorCode("report_period_invalid", 422, "报表期间无效", "Invalid report period"),)
