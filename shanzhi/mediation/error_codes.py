"""The error codes of ``shanzhi.mediation``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("already_converted", 409, "该诉求已转为调解案件", "The appeal has already become a mediation case"),
    ErrorCode(
        "appeal_not_convertible",
        409,
        "已合并、不予受理或直接答复的诉求不能转调解",
        "Merged, rejected or directly answered appeals cannot go to mediation",
    ),
    ErrorCode(
        "no_session_held",
        409,
        "须先进行调解并记录笔录，才能制作协议书",
        "Hold a session and record minutes before drafting the agreement",
    ),
    ErrorCode("sign_in_required", 403, "请先用手机号登录后再预约", "Sign in with your mobile number before booking"),
    ErrorCode("slot_taken", 409, "该时段已被预约，请选择其他时段", "The slot is taken; choose another"),
)
