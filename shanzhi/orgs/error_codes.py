"""The error codes of ``shanzhi.orgs``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("api_key_not_found", 404, "找不到该接口密钥", "API key not found"),
    ErrorCode("district_missing", 422, "区县单位不存在，请先导入", "The district unit is missing; load it first"),
    ErrorCode("division_parent_missing", 422, "上级行政区划不存在", "The parent division is missing"),
    ErrorCode(
        "invalid_boundary", 422, "边界须为 Polygon 或 MultiPolygon", "The boundary must be a Polygon or MultiPolygon"
    ),
    ErrorCode("invalid_department_kind", 422, "部门类型无效", "Invalid department kind"),
    ErrorCode("invalid_division_code", 422, "行政区划代码无效", "Invalid division code"),
    ErrorCode("invalid_division_level", 422, "行政区划层级无效", "Invalid division level"),
    ErrorCode("invalid_expiry", 422, "有效期须晚于当前时间", "The expiry must be in the future"),
    ErrorCode("invalid_rate_limit", 422, "每分钟请求上限无效", "Invalid per-minute rate limit"),
    ErrorCode("name_required", 422, "请填写名称", "A name is required"),
    ErrorCode(
        "personal_data_forbidden", 403, "您没有查看完整个人信息的权限", "You are not allowed to view full personal data"
    ),
    ErrorCode("reason_required", 422, "请填写事由", "A reason is required"),
    ErrorCode("scopes_required", 422, "请至少选择一项授权范围", "Choose at least one scope"),
    ErrorCode(
        "two_factor_already_enrolled",
        422,
        "已启用两步验证；如需更换设备，请先重置",
        "Two-factor is already on; reset it first to change the device",
    ),
    ErrorCode(
        "two_factor_invalid_code",
        422,
        "验证码不正确，请核对手机上的时间后重试",
        "Wrong code; check the time on your phone and try again",
    ),
    ErrorCode(
        "two_factor_no_pending",
        422,
        "没有待确认的两步验证设备，请重新开始",
        "No device awaiting confirmation; start again",
    ),
    ErrorCode("unknown_scope", 422, "授权范围不存在", "Unknown scope"),
    ErrorCode(
        "user_inactive", 422, "该用户已停用，不能创建接口密钥", "This user is inactive; no API key can be created"
    ),
)
