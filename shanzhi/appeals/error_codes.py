"""The error codes of ``shanzhi.appeals``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("actor_required", 403, "缺少操作人，不能执行该操作", "No acting user: the action cannot be performed"),
    ErrorCode(
        "answer_only_consultation", 422, "只有咨询类诉求可以直接答复", "Only a consultation can be answered directly"
    ),
    ErrorCode("answer_required", 422, "请填写答复内容", "An answer is required"),
    ErrorCode("basis_required", 422, "退回须写明职责或权限依据", "A return must state its legal or remit basis"),
    ErrorCode("batch_empty", 422, "批量登记至少包含一件诉求", "A batch must contain at least one appeal"),
    ErrorCode("batch_too_large", 422, "一次提交的诉求过多", "Too many appeals in one batch"),
    ErrorCode("category_required", 422, "受理诉求须选择分类", "Choose a category to accept the appeal"),
    ErrorCode(
        "contact_reveal_forbidden",
        403,
        "只有正在办理该诉求的单位可以查看诉求人联系方式",
        "Only the unit handling the appeal may see the citizen's contact details",
    ),
    ErrorCode("content_required", 422, "请填写诉求内容", "Enter what the citizen says"),
    ErrorCode(
        "content_too_long", 422, "诉求内容过长（最多 20000 字）", "The content is too long (at most 20,000 characters)"
    ),
    ErrorCode("feedback_required", 422, "请填写处置情况", "Describe what was done"),
    ErrorCode("file_empty", 422, "文件为空", "The file is empty"),
    ErrorCode("file_too_large", 422, "文件过大", "The file is too large"),
    ErrorCode(
        "file_type_not_allowed",
        422,
        "不支持的文件类型，请上传图片(JPG/PNG/WEBP)或 PDF、Word、Excel 文件",
        "File type not supported: upload an image (JPG/PNG/WEBP) or a PDF, Word or Excel file",
    ),
    ErrorCode("image_invalid", 422, "图片文件已损坏或不是真实的图片", "The image file is damaged or not a real image"),
    ErrorCode("image_too_large", 422, "图片尺寸过大", "The image is too large"),
    ErrorCode("info_required", 422, "请填写补充的信息", "The supplementary information is required"),
    ErrorCode(
        "intake_conflict",
        422,
        "诉求与已有记录冲突，未登记",
        "The appeal conflicts with an existing record and was not registered",
    ),
    ErrorCode(
        "invalid_coordinates",
        422,
        "坐标无效（须同时填写经纬度，且在有效范围内）",
        "Invalid coordinates (give both longitude and latitude, within range)",
    ),
    ErrorCode(
        "invalid_extension", 422, "延期天数须在 1 至 30 个工作日之间", "An extension must be 1 to 30 working days"
    ),
    ErrorCode("invalid_id_number", 422, "身份证号码校验不通过", "The ID number fails its checksum"),
    ErrorCode("invalid_lead_unit", 422, "主办单位已停用或为虚拟单位", "The lead unit is inactive or virtual"),
    ErrorCode("invalid_phone", 422, "电话号码格式不正确", "Invalid phone number"),
    ErrorCode("merge_self", 422, "不能与自身合并", "An appeal cannot be merged with itself"),
    ErrorCode(
        "merge_target_invalid",
        422,
        "主诉求已合并或不予受理，不能作为合并目标",
        "The master appeal is merged or rejected and cannot be a merge target",
    ),
    ErrorCode(
        "no_lead_unit",
        422,
        "派单目录未找到主办单位，请手工选择",
        "The dispatch catalogue found no lead unit; choose one by hand",
    ),
    ErrorCode("not_your_assignment", 403, "该派单不属于您的单位", "The assignment is not your unit's"),
    ErrorCode("outside_district", 422, "位置不在本区范围内", "The location is outside the district"),
    ErrorCode("photo_not_image", 422, "照片只能是图片（JPG/PNG/WEBP）", "Photos must be images (JPG/PNG/WEBP)"),
    ErrorCode("question_required", 422, "请填写需要补充的问题", "The question to the citizen is required"),
    ErrorCode("rating_required", 422, "请选择满意度评价", "Choose a satisfaction rating"),
    ErrorCode("reason_required", 422, "请填写事由", "A reason is required"),
    ErrorCode(
        "reopen_not_allowed",
        422,
        "该诉求不能重新办理，请提交新的诉求",
        "This appeal cannot be reopened; submit a new appeal",
    ),
    ErrorCode("reply_required", 422, "请填写答复内容", "A reply is required"),
    ErrorCode("request_decided", 409, "该申请已处理", "The request has already been decided"),
    ErrorCode("request_pending", 409, "已有待审批的同类申请", "A request of this kind is already pending"),
    ErrorCode("role_may_not_intake", 403, "您的角色不能登记诉求", "Your role may not register appeals"),
    ErrorCode("role_not_allowed", 403, "您的角色不能执行此操作", "Your role may not perform this action"),
    ErrorCode(
        "stale_version",
        409,
        "记录已被他人修改，请刷新后重试",
        "The record was changed by someone else; reload and try again",
    ),
    ErrorCode("too_many_attachments", 422, "附件数量超出上限", "Too many attachments"),
    ErrorCode("too_many_photos", 422, "照片数量超出上限", "Too many photos"),
    ErrorCode("unknown_area", 422, "区域代码不存在", "The area code does not exist"),
    ErrorCode("unknown_category", 422, "诉求分类不存在或已停用", "The category does not exist or is inactive"),
    ErrorCode("unknown_reject_reason", 422, "请选择不予受理的理由", "Choose a reason for rejection"),
    ErrorCode("unknown_unit", 422, "单位不存在", "The unit does not exist"),
)
