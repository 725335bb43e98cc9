"""The error codes of ``shanzhi.demo``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("catalogue_invalid_level", 422, "目录中的层级无效", "Invalid level in the catalogue"),
    ErrorCode("catalogue_invalid_priority", 422, "目录中的优先级无效", "Invalid priority in the catalogue"),
    ErrorCode("catalogue_row_incomplete", 422, "目录行不完整", "Incomplete catalogue row"),
    ErrorCode("catalogue_unknown_category", 422, "目录中的分类不存在", "Unknown category in the catalogue"),
    ErrorCode("catalogue_unknown_unit", 422, "目录中的单位不存在", "Unknown unit in the catalogue"),
    ErrorCode(
        "demo_refused_in_production",
        403,
        "生产环境不能创建演示账号和演示数据",
        "Demo accounts and demo data cannot be created in production",
    ),
)
