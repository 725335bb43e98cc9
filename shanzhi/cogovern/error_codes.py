"""The error codes of ``shanzhi.cogovern``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("activity_full", 422, "报名人数已满", "The activity is fully booked"),
    ErrorCode("activity_over", 409, "活动已结束", "The activity has ended"),
    ErrorCode("checkin_closed", 409, "不在活动签到时间内", "Not within the activity's check-in time"),
    ErrorCode(
        "checklist_level_mismatch",
        422,
        "该标准项不适用于此层级的中心",
        "This standard item does not apply to a centre of this level",
    ),
    ErrorCode(
        "cogovern_forbidden",
        403,
        "您无权处理该社区的共治事项",
        "You may not handle co-governance matters of this community",
    ),
    ErrorCode("community_required", 422, "请选择所在的村(社区)", "Choose your village (community)"),
    ErrorCode("demand_closed", 409, "该需求已结束，不能再支持", "The demand is closed and can no longer be supported"),
    ErrorCode(
        "demand_not_matched",
        409,
        "需求尚未匹配资源，不能立项",
        "The demand has no matched resource yet; it cannot become a project",
    ),
    ErrorCode(
        "demand_transition_not_allowed",
        409,
        "当前状态下不能对该需求执行此操作",
        "This demand action is not allowed in its current state",
    ),
    ErrorCode("evidence_required", 422, "达标须填写佐证说明", "A met item needs supporting evidence"),
    ErrorCode("invalid_activity_kind", 422, "活动类型无效", "Invalid activity kind"),
    ErrorCode("invalid_amount", 422, "金额格式不正确", "Invalid amount"),
    ErrorCode("invalid_beneficiaries", 422, "受益人数不正确", "Invalid number of beneficiaries"),
    ErrorCode("invalid_capacity", 422, "容量须在 1 到 10000 之间", "Capacity must be between 1 and 10000"),
    ErrorCode("invalid_checkin_token", 404, "签到码无效", "Invalid check-in code"),
    ErrorCode("invalid_force_kind", 422, "社会力量类别无效", "Invalid kind of social force"),
    ErrorCode("invalid_hours", 422, "服务时长须在 0 到 24 小时之间", "Service hours must be between 0 and 24"),
    ErrorCode("invalid_owner", 422, "负责人（部门）无效", "Invalid owner (the responsible person or department)"),
    ErrorCode("invalid_period", 422, "结束时间须晚于开始时间", "The end must be after the start"),
    ErrorCode("invalid_phone", 422, "电话号码格式不正确", "Invalid phone number"),
    ErrorCode("invalid_publicity_force", 422, "发布力量无效", "Invalid publishing force"),
    ErrorCode("invalid_publicity_kind", 422, "形式无效", "Invalid publicity form"),
    ErrorCode("invalid_resource_kind", 422, "资源类型无效", "Invalid resource kind"),
    ErrorCode("invalid_source", 422, "需求来源无效", "Invalid demand source"),
    ErrorCode("invalid_team_kind", 422, "队伍类型无效", "Invalid team kind"),
    ErrorCode("not_a_video", 422, "该内容不是视频", "This item is not a video"),
    ErrorCode(
        "not_a_volunteer", 403, "您尚未在本社区登记为志愿者", "You are not registered as a volunteer in this community"
    ),
    ErrorCode(
        "project_closed", 409, "项目已结束，不能更新节点", "The project is closed; its milestones cannot be updated"
    ),
    ErrorCode("project_exists", 409, "该需求已立项", "A project already exists for this demand"),
    ErrorCode(
        "project_transition_not_allowed",
        409,
        "当前状态下不能对该项目执行此操作",
        "This project action is not allowed in its current state",
    ),
    ErrorCode(
        "provider_out_of_community", 422, "提供方须在本社区登记", "The provider must be registered in this community"
    ),
    ErrorCode("publicity_forbidden", 403, "您无权编辑普法宣传内容", "You may not edit legal-publicity content"),
    ErrorCode(
        "publicity_incomplete",
        422,
        "请填写标题、主题和正文（正文至少 5 个字）",
        "Fill in title, theme and body (at least 5 characters)",
    ),
    ErrorCode("resource_not_found", 404, "资源不存在", "Resource not found"),
    ErrorCode(
        "resource_out_of_community", 422, "只能匹配本社区的资源", "Only resources of this community can be matched"
    ),
    ErrorCode(
        "resource_unavailable", 422, "该资源当前不可用或已满负荷", "The resource is unavailable or at full capacity"
    ),
    ErrorCode("signin_required", 403, "请先用手机号登录", "Sign in with your mobile number first"),
    ErrorCode("team_exists", 422, "本社区已有同名队伍", "This community already has a team of that name"),
    ErrorCode("team_out_of_community", 422, "组织队伍须属于本社区", "The team must belong to this community"),
    ErrorCode("text_too_long", 422, "内容过长", "The text is too long"),
    ErrorCode("text_too_short", 422, "内容过短", "The text is too short"),
    ErrorCode(
        "too_many_demands",
        422,
        "今天提交的需求已达上限，请明天再提",
        "Today's limit of demands is reached; submit tomorrow",
    ),
    ErrorCode("too_many_evidence_files", 422, "佐证文件数量超出上限", "Too many evidence files"),
    ErrorCode("video_url_required", 422, "短视频须填写视频地址", "A short video needs its video address"),
    ErrorCode("volunteer_exists", 422, "该手机号已在本队登记", "This mobile number is already registered in the team"),
)
