"""The error codes of the Open311 GeoReport v2 endpoint. These are GeoReport's own
error ``code`` (the HTTP status) and key, not ``/api/v1/``'s ``ErrorOut``: a separate protocol.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

#: Not the codes of ``/api/v1/``: kept out of ``ErrorOut.code`` and out of the cross-app comparison.
PROTOCOL = "open311"

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("api_key_invalid", 403, "api_key 无效", "Missing or invalid api_key"),
    ErrorCode("api_key_not_allowed", 403, "该 api_key 不能提交诉求", "This api_key may not submit requests"),
    ErrorCode("api_key_required", 403, "缺少 api_key", "api_key is required"),
    ErrorCode("attribute_required", 400, "缺少必填属性 attribute[…]", "A required attribute[…] is missing"),
    ErrorCode("description_required", 400, "须填写 description 或属性", "A description or attributes are required"),
    ErrorCode("description_too_long", 400, "description 过长", "The description is too long"),
    ErrorCode("invalid_attribute", 400, "attribute[…] 的取值无效", "Invalid attribute[…] value"),
    ErrorCode("invalid_date", 400, "日期时间无效，须为 ISO 8601", "Invalid date-time; use ISO 8601"),
    ErrorCode("invalid_date_range", 400, "start_date 不能晚于 end_date", "start_date is after end_date"),
    ErrorCode("invalid_location", 400, "位置坐标无效", "Invalid lat/long"),
    ErrorCode("invalid_media_url", 400, "media_url 须为 http(s) 地址", "media_url must be an http(s) URL"),
    ErrorCode("invalid_page", 400, "page 须为正整数", "page must be a positive integer"),
    ErrorCode("invalid_page_size", 400, "page_size 须为正整数", "page_size must be a positive integer"),
    ErrorCode("invalid_status", 400, "status 只能是 open 或 closed", "status must be open or closed"),
    ErrorCode(
        "jurisdiction_not_found", 404, "jurisdiction_id 不是本平台服务的辖区", "jurisdiction_id is not served here"
    ),
    ErrorCode("jurisdiction_required", 400, "缺少 jurisdiction_id", "jurisdiction_id is required"),
    ErrorCode("location_incomplete", 400, "lat 和 long 须同时提供", "lat and long must be given together"),
    ErrorCode(
        "location_required",
        400,
        "须提供位置：lat 与 long、address_string 或 address_id",
        "A location is required: lat and long, address_string or address_id",
    ),
    ErrorCode("method_not_allowed", 405, "不支持该请求方法", "Method not allowed"),
    ErrorCode("not_found", 404, "没有这个接口", "No such endpoint"),
    ErrorCode("rate_limited", 429, "请求过于频繁，请稍后再试", "Too many requests; try again later (see Retry-After)"),
    ErrorCode("request_not_found", 404, "诉求不存在", "Service request not found"),
    ErrorCode(
        "scope_missing",
        403,
        "该 api_key 未获 Open311 市民服务接口授权（open311）",
        "The api_key lacks the open311 scope",
    ),
    ErrorCode("service_code_required", 400, "缺少 service_code", "service_code is required"),
    ErrorCode("service_code_unknown", 400, "service_code 不存在", "Unknown service_code"),
    ErrorCode("service_not_found", 404, "服务不存在", "Service not found"),
    ErrorCode("service_request_id_required", 400, "缺少 service_request_id", "service_request_id is required"),
    ErrorCode("token_not_found", 404, "token 不存在", "Token not found"),
    ErrorCode("too_many_ids", 400, "service_request_id 个数超出上限", "Too many service_request_id values"),
    ErrorCode("updates_not_accepted", 400, "不接受诉求更新", "Updates are not accepted"),
)
