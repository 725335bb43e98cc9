"""The error codes of ``shanzhi.routing``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("category_file_encoding", 422, "CSV 文件须为 UTF-8 编码", "CSV files must be UTF-8 encoded"),
    ErrorCode(
        "category_file_header",
        422,
        "表头须包含“一级分类”(level1) 列",
        "The header must include a “一级分类” (level1) column",
    ),
    ErrorCode(
        "category_file_invalid",
        422,
        "无法读取该 Excel 文件，请使用 .xlsx 格式",
        "Cannot read this Excel file; use the .xlsx format",
    ),
    ErrorCode("category_file_type", 422, "只支持 .csv 或 .xlsx 文件", "Only .csv or .xlsx files are supported"),
    ErrorCode("category_row_empty", 422, "分类行为空", "Empty category row"),
    ErrorCode("category_row_urgency", 422, "分类行的紧急程度无效", "Invalid urgency in a category row"),
)
