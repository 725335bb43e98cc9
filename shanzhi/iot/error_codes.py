"""The error codes of ``shanzhi.iot``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("invalid_phone", 422, "电话号码格式不正确", "Invalid phone number"),
    ErrorCode("iot_alarm_resolved", 409, "该告警已核实", "The alarm has already been verified"),
    ErrorCode("iot_bad_signature", 403, "设备未登记或签名无效", "Device not registered or bad signature"),
    ErrorCode(
        "iot_care_consent_required", 422, "须记录本人或监护人的同意方式", "Record how the person or guardian consented"
    ),
    ErrorCode(
        "iot_care_credential_required",
        422,
        "请填写门禁系统中的人员编号",
        "Give the person's number in the access-control system",
    ),
    ErrorCode("iot_care_duplicate", 422, "该人员已在关爱名单中", "The person is already on the care list"),
    ErrorCode("iot_care_name_required", 422, "请填写关爱对象姓名", "Give the cared-for person's name"),
    ErrorCode("iot_care_outcome_required", 422, "请填写走访情况", "Describe the visit"),
    ErrorCode("iot_care_quiet_days", 422, "无动静天数须在允许范围内", "The quiet-days threshold is out of range"),
    ErrorCode("iot_care_task_done", 409, "该走访任务已完成", "The visit task is already done"),
    ErrorCode("iot_care_withdrawn", 409, "该对象已退出关爱", "The person has left the care list"),
    ErrorCode("iot_compound_required", 422, "请选择小区级标准地址", "Choose a compound-level standard address"),
    ErrorCode("iot_duplicate_code", 422, "设备编码已存在", "The device code already exists"),
    ErrorCode("iot_grid_required", 422, "关爱对象须登记在网格下", "A cared-for person must be registered under a grid"),
    ErrorCode(
        "iot_invalid_code",
        422,
        "设备编码无效（不能含 / + #，最多 64 字）",
        "Invalid device code (no / + #, at most 64 characters)",
    ),
    ErrorCode("iot_invalid_format", 422, "报文格式无效", "Invalid message format"),
    ErrorCode("iot_invalid_type", 422, "设备类型无效", "Invalid device type"),
    ErrorCode("iot_maintenance_closed", 409, "该维保工单已关闭", "The maintenance order is closed"),
    ErrorCode("iot_maintenance_note_required", 422, "请填写处理结果", "Describe how it was handled"),
    ErrorCode("iot_malformed", 422, "消息格式无法识别", "The message cannot be parsed"),
    ErrorCode("iot_may_not_close_maintenance", 403, "您不能关闭该维保工单", "You may not close this maintenance order"),
    ErrorCode(
        "iot_may_not_enrol", 403, "您不能登记该网格的关爱对象", "You may not enrol cared-for people in this grid"
    ),
    ErrorCode("iot_may_not_register", 403, "您没有权限登记物联设备", "You may not register IoT devices"),
    ErrorCode("iot_may_not_resolve", 403, "您不能核实告警", "You may not verify alarms"),
    ErrorCode("iot_may_not_visit", 403, "您不能处理该走访任务", "You may not handle this visit task"),
    ErrorCode("iot_note_required", 422, "误报请说明原因", "A false alarm needs a reason"),
    ErrorCode("iot_payload_too_large", 422, "消息过大", "The message is too large"),
)
