"""The error codes of ``shanzhi.knowledge``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("code_required", 422, "请填写编号", "A code is required"),
    ErrorCode("duplicate_code", 422, "编号已被其他文章使用", "Another article already uses this number"),
    ErrorCode("invalid_category", 422, "诉求分类无效", "Invalid category"),
    ErrorCode("invalid_owner", 422, "负责人（部门）无效", "Invalid owner (the responsible person or department)"),
    ErrorCode(
        "knowledge_edit_forbidden", 403, "您没有维护知识库的权限", "You are not allowed to maintain the knowledge base"
    ),
    ErrorCode("summary_required", 422, "请填写答复口径", "The answer summary is required"),
    ErrorCode("unknown_fields", 422, "包含无法修改的字段", "Contains fields that cannot be changed"),
    ErrorCode("validity_reversed", 422, "失效日期不能早于生效日期", "The end date cannot be before the start date"),
)
