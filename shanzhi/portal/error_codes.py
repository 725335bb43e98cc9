"""The error codes of ``shanzhi.portal``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("already_rated", 422, "您已评价过本次答复", "You have already rated this reply"),
    ErrorCode(
        "form_key_invalid",
        422,
        "表单已失效，请刷新页面后重新提交",
        "The form has expired; reload the page and submit again",
    ),
    ErrorCode(
        "form_key_reused",
        422,
        "表单已失效，请刷新页面后重新提交",
        "The form has expired; reload the page and submit again",
    ),
    ErrorCode("invalid_mobile", 422, "请输入正确的 11 位手机号码", "Enter a valid 11-digit mobile number"),
    ErrorCode("otp_expired", 422, "验证码已失效，请重新获取", "The code has expired; ask for a new one"),
    ErrorCode("otp_wrong", 422, "验证码不正确或已过期", "The code is wrong or expired"),
    ErrorCode("photo_not_image", 422, "照片只能是图片（JPG/PNG/WEBP）", "Photos must be images (JPG/PNG/WEBP)"),
    ErrorCode("rating_not_open", 409, "该诉求当前不能评价", "This appeal cannot be rated now"),
    ErrorCode("rating_required", 422, "请选择满意度评价", "Choose a satisfaction rating"),
    ErrorCode("reason_required", 422, "请填写事由", "A reason is required"),
    ErrorCode("reopen_not_allowed", 409, "该诉求当前不能申请重新办理", "This appeal cannot be reopened now"),
    ErrorCode("reopen_window_passed", 409, "已超过可重新办理的期限", "The reopen period has passed"),
    ErrorCode("sign_in_locked", 429, "尝试次数过多，请稍后再试", "Too many tries; try again later"),
    ErrorCode("ticket_not_found", 404, "编号或查询码不正确", "Wrong tracking number or access code"),
    ErrorCode("too_many_photos", 422, "照片数量超出上限", "Too many photos"),
)
