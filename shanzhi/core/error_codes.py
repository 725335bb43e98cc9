"""The error codes of the platform's shared codes and the API layer (``shanzhi/api.py``, ``shanzhi/api_auth.py``).

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("backup_corrupt", 422, "备份文件已损坏（校验和不符）", "The backup file is corrupt (checksum mismatch)"),
    ErrorCode("backup_engine", 422, "数据库类型不支持备份", "The database engine is not supported for backup"),
    ErrorCode(
        "backup_engine_mismatch", 422, "备份来自不同类型的数据库", "The backup comes from a different database engine"
    ),
    ErrorCode("backup_format", 422, "备份文件格式版本不受支持", "Unsupported backup format version"),
    ErrorCode("backup_incomplete", 422, "备份文件不完整", "The backup file is incomplete"),
    ErrorCode("backup_missing", 422, "找不到备份文件", "Backup file not found"),
    ErrorCode(
        "backup_not_an_archive",
        422,
        "不是善治的备份文件（缺少 manifest.json）",
        "Not a Shanzhi backup (manifest.json missing)",
    ),
    ErrorCode("backup_unreadable", 422, "备份文件无法读取", "The backup file cannot be read"),
    ErrorCode("backup_unsafe_path", 422, "备份文件含有不安全的路径", "The backup contains an unsafe path"),
    ErrorCode(
        "conflict",
        409,
        "记录已被他人修改，请刷新后重试",
        "The record was changed by someone else; reload and try again",
    ),
    ErrorCode(
        "csrf_failed", 403, "CSRF 校验失败，请刷新页面后重试", "CSRF check failed; reload the page and try again"
    ),
    ErrorCode(
        "database_unavailable",
        503,
        "系统繁忙（数据库暂不可用），请稍后重试",
        "Busy (database unavailable); try again later",
    ),
    ErrorCode("error", 400, "请求无法处理", "The request cannot be processed"),
    ErrorCode("forbidden", 403, "您没有权限执行此操作", "You are not allowed to do this"),
    ErrorCode("invalid", 422, "输入的内容不符合要求", "The input is not valid"),
    ErrorCode("invalid_appeal_type", 422, "诉求类型无效", "Invalid appeal type"),
    ErrorCode("invalid_channel", 422, "来源渠道无效", "Invalid channel"),
    ErrorCode("invalid_cursor", 422, "分页游标无效", "Invalid pagination cursor"),
    ErrorCode(
        "invalid_date",
        422,
        "日期时间格式不正确，请用 ISO 8601（如 2026-12-01T08:00:00+08:00）",
        "Invalid date-time; use ISO 8601 (e.g. 2026-12-01T08:00:00+08:00)",
    ),
    ErrorCode(
        "invalid_request", 422, "请求参数不正确，请检查后重试", "Invalid request parameters; check them and try again"
    ),
    ErrorCode("invalid_request_kind", 422, "申请类型无效", "Invalid request type"),
    ErrorCode("invalid_urgency", 422, "紧急程度无效", "Invalid urgency"),
    ErrorCode("not_found", 404, "找不到该记录，或您无权查看", "Not found, or you may not see it"),
    ErrorCode("rate_limited", 429, "请求过于频繁，请稍后再试", "Too many requests; try again later"),
    ErrorCode(
        "scope_missing", 403, "接口密钥缺少该接口所需的授权范围", "The API key lacks the scope this operation needs"
    ),
    ErrorCode("server_error", 500, "服务器内部错误，请稍后重试", "Internal server error; try again later"),
    ErrorCode("throttled", 429, "请求过于频繁，请稍后再试", "Too many requests; try again later"),
    ErrorCode("transition_not_allowed", 409, "当前状态下不能执行此操作", "Not allowed in the current state"),
    ErrorCode("unauthenticated", 401, "未登录或接口密钥无效", "Not logged in, or the API key is invalid"),
)
