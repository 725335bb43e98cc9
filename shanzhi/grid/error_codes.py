"""The error codes of ``shanzhi.grid``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("already_verified", 409, "本轮办理已核查通过", "This round of handling has already been verified"),
    ErrorCode(
        "grid_import_invalid",
        422,
        "网格边界文件有错误，未导入",
        "The grid boundary file has errors; nothing was imported",
    ),
    ErrorCode("invalid_client_key", 422, "提交缺少有效的幂等键", "The submission lacks a valid idempotency key"),
    ErrorCode(
        "invalid_coordinates",
        422,
        "坐标无效（须同时填写经纬度，且在有效范围内）",
        "Invalid coordinates (give both longitude and latitude, within range)",
    ),
    ErrorCode("invalid_count", 422, "服务人次不能为负数", "The number served cannot be negative"),
    ErrorCode("invalid_phone", 422, "电话号码格式不正确", "Invalid phone number"),
    ErrorCode("invalid_photo", 422, "照片数据无法读取", "The photo data cannot be read"),
    ErrorCode("invalid_role", 422, "职责无效", "Invalid duty"),
    ErrorCode("invalid_score", 422, "考核成绩须在 0 到 100 之间", "The score must be between 0 and 100"),
    ErrorCode("member_exists", 409, "该成员已在本网格服务队中", "This member is already in the grid's service team"),
    ErrorCode("name_required", 422, "请填写名称", "A name is required"),
    ErrorCode(
        "no_grid", 403, "您的所属单位不是网格，请联系管理员", "Your unit is not a grid; contact an administrator"
    ),
    ErrorCode("no_report_scope", 403, "您无权查看网格考核指标", "You may not see grid assessment figures"),
    ErrorCode("not_a_grid_worker", 403, "只有网格员可以执行此操作", "Only grid workers may do this"),
    ErrorCode(
        "not_a_team_member",
        422,
        "出勤名单中有不属于本网格服务队的人员",
        "The attendance list has people outside this grid's service team",
    ),
    ErrorCode(
        "not_admin", 403, "只有系统管理员可以导入网格边界", "Only system administrators may import grid boundaries"
    ),
    ErrorCode("not_team_manager", 403, "您不能调整该网格的服务队", "You may not change this grid's service team"),
    ErrorCode("not_verifiable", 409, "该诉求当前不能核查", "The appeal cannot be verified now"),
    ErrorCode(
        "note_required", 422, "核查未通过时请说明现场情况", "Describe the situation on site when verification fails"
    ),
    ErrorCode("outside_your_grid", 422, "该位置不在您负责的网格内", "The location is outside your grid"),
    ErrorCode("patrol_finished", 409, "这次巡查已结束，不能再打卡", "This patrol has ended; no more check-ins"),
    ErrorCode("photo_too_large", 422, "照片过大", "The photo is too large"),
    ErrorCode(
        "score_without_attendance",
        422,
        "未出席的学员不能有考核成绩",
        "A trainee who did not attend cannot have a score",
    ),
    ErrorCode(
        "submission_too_old",
        422,
        "该条离线记录已超过 7 天，请重新填报",
        "The offline record is older than 7 days; submit it again",
    ),
    ErrorCode(
        "time_in_future",
        422,
        "提交时间晚于当前时间，请校准手机时间",
        "The submission time is in the future; set the phone's clock",
    ),
    ErrorCode("title_required", 422, "请填写标题", "A title is required"),
    ErrorCode("too_many_photos", 422, "照片数量超出上限", "Too many photos"),
    ErrorCode("unknown_patrol", 404, "找不到这次巡查，请先开始巡查", "Patrol not found; start a patrol first"),
)
