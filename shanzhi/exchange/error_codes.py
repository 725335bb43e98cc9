"""The error codes of ``shanzhi.exchange``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("delivery_not_dead", 422, "只有发送失败的消息可以重发", "Only failed deliveries can be resent"),
    ErrorCode(
        "exchange_not_allowed", 403, "该账号不能接收市平台工单", "This account may not receive city-platform orders"
    ),
    ErrorCode("exchange_not_configured", 403, "未配置市平台对接密钥", "No city-platform exchange key is configured"),
    ErrorCode("invalid_signature", 403, "签名校验失败", "Signature check failed"),
    ErrorCode("invalid_url", 422, "接收地址须为 http(s) 地址", "The receiving address must be an http(s) URL"),
    ErrorCode("name_required", 422, "请填写名称", "A name is required"),
    ErrorCode("order_id_required", 422, "缺少市平台工单号", "The city-platform order number is missing"),
    ErrorCode("unknown_event", 422, "订阅了不存在的事件", "Subscribed to an event that does not exist"),
    ErrorCode(
        "webhook_not_allowed",
        403,
        "只有系统管理员可以管理事件订阅",
        "Only system administrators may manage event subscriptions",
    ),
)
