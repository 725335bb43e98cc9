"""The error codes of ``shanzhi.datahub``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("bbox_invalid", 422, "范围参数无效", "Invalid bounding box"),
    ErrorCode("choice_duplicate", 422, "可选值的编码重复", "Duplicate choice key"),
    ErrorCode(
        "choice_invalid",
        422,
        "可选值须为 {key, name}",
        "Each choice needs a key and a name (at most 100 characters each)",
    ),
    ErrorCode(
        "choices_not_allowed",
        422,
        "只有「选项」类型的维度可以设置可选值",
        "Only a choice-type dimension may have choices",
    ),
    ErrorCode(
        "choices_required",
        422,
        "「选项」类型的维度至少需要两个可选值",
        "A choice-type dimension needs at least two choices",
    ),
    ErrorCode("department_required", 404, "请选择提供部门", "Choose the providing department"),
    ErrorCode("dimension_choice_invalid", 422, "「…」不在可选值中", "The value is not one of the choices"),
    ErrorCode(
        "dimension_code_invalid",
        422,
        "维度编码须为小写字母开头的字母、数字或下划线（2–40 位）",
        "The dimension code must be 2–40 lowercase letters, digits or underscores, starting with a letter",
    ),
    ErrorCode("dimension_code_taken", 422, "维度编码已存在", "The dimension code is taken"),
    ErrorCode(
        "dimension_date_format", 422, "「…」不是日期（如 2026-12-04）", "The value is not a date (e.g. 2026-12-04)"
    ),
    ErrorCode("dimension_date_invalid", 422, "「…」不是存在的日期", "The date does not exist"),
    ErrorCode("dimension_element_invalid", 422, "要素类型无效", "Invalid element type"),
    ErrorCode(
        "dimension_forbidden",
        403,
        "只有中心领导、分析员或管理员可以登记数据维度",
        "Only centre leaders, analysts or administrators may register dimensions",
    ),
    ErrorCode(
        "dimension_import_forbidden", 403, "您没有导入该维度数据的权限", "You may not import data for this dimension"
    ),
    ErrorCode(
        "dimension_name_required",
        422,
        "请填写维度名称（不超过 60 字）",
        "Give the dimension a name (at most 60 characters)",
    ),
    ErrorCode("dimension_not_boolean", 422, "「…」应为 是 或 否", "The value must be yes (是) or no (否)"),
    ErrorCode("dimension_not_found", 404, "维度不存在", "Dimension not found"),
    ErrorCode("dimension_not_integer", 422, "「…」不是整数", "The value is not an integer"),
    ErrorCode("dimension_not_number", 422, "「…」不是数字", "The value is not a number"),
    ErrorCode("dimension_out_of_range", 422, "数值超出范围", "The number is out of range"),
    ErrorCode("dimension_sensitivity_invalid", 422, "敏感级别无效", "Invalid sensitivity level"),
    ErrorCode("dimension_text_too_long", 422, "文本不能超过 500 字", "The text may have at most 500 characters"),
    ErrorCode("dimension_type_invalid", 422, "取值类型无效", "Invalid value type"),
    ErrorCode("dimension_type_unknown", 422, "未知的维度类型", "Unknown dimension type"),
    ErrorCode(
        "dimension_unit_too_long", 422, "计量单位不能超过 20 字", "The unit of measure may have at most 20 characters"
    ),
    ErrorCode("dimension_validity_invalid", 422, "有效期应为 1–36500 天", "Validity must be 1–36500 days"),
    ErrorCode("dimension_value_required", 422, "缺少维度取值", "The dimension value is missing"),
    ErrorCode("export_forbidden", 403, "您没有导出人口数据的权限", "You may not export population data"),
    ErrorCode("file_empty", 422, "文件为空", "The file is empty"),
    ErrorCode(
        "file_encoding",
        422,
        "CSV 文件编码无法识别（应为 UTF-8 或 GB18030）",
        "Unknown CSV encoding (must be UTF-8 or GB18030)",
    ),
    ErrorCode("file_required", 422, "请选择要导入的文件（不能为空文件）", "Choose a (non-empty) file to import"),
    ErrorCode("file_too_large", 422, "文件过大", "The file is too large"),
    ErrorCode("file_type", 422, "只支持 .xlsx 和 .csv 文件", "Only .xlsx and .csv files are supported"),
    ErrorCode(
        "file_unreadable",
        422,
        "无法读取该 Excel 文件，请确认是 .xlsx 格式且未损坏",
        "The Excel file cannot be read; check that it is an undamaged .xlsx",
    ),
    ErrorCode("import_forbidden", 403, "您没有导入数据的权限", "You may not import data"),
    ErrorCode(
        "import_invalid", 422, "导入文件有错误，未导入任何数据", "The import file has errors; nothing was imported"
    ),
    ErrorCode("import_kind", 422, "不支持的数据类型", "Unsupported kind of data"),
    ErrorCode("proposal_already_reviewed", 409, "该更正申请已审核", "The correction has already been reviewed"),
    ErrorCode("proposal_choice_invalid", 422, "取值不在可选范围内", "The value is not one of the choices"),
    ErrorCode(
        "proposal_element_not_found",
        404,
        "要素不存在或不在您的管辖范围内",
        "The element does not exist or is outside your jurisdiction",
    ),
    ErrorCode("proposal_forbidden", 403, "您不能更正治理数据", "You may not correct governance data"),
    ErrorCode(
        "proposal_kind_unknown", 404, "不支持更正该类要素", "Corrections of this kind of element are not supported"
    ),
    ErrorCode("proposal_no_change", 422, "没有需要更正的内容", "Nothing to correct"),
    ErrorCode("proposal_not_found", 404, "更正申请不存在", "Correction not found"),
    ErrorCode("proposal_note_required", 422, "不采纳时请填写审核意见", "A rejection needs a review note"),
    ErrorCode("proposal_out_of_range", 422, "取值超出允许范围", "The value is out of range"),
    ErrorCode("proposal_own", 403, "不能审核自己提出的更正", "You cannot review your own correction"),
    ErrorCode("proposal_phone_invalid", 422, "电话号码无效", "Invalid phone number"),
    ErrorCode(
        "proposal_review_forbidden",
        403,
        "只有社区、街道负责人或中心数据人员可以审核",
        "Only community or street heads or centre data staff may review",
    ),
    ErrorCode(
        "proposal_stale",
        409,
        "该要素在申请提出后已被修改，更正申请已失效，请重新提出",
        "The element changed after the correction was proposed; propose it again",
    ),
    ErrorCode("proposal_too_long", 422, "取值过长", "The value is too long"),
    ErrorCode("proposal_value_required", 422, "请填写更正后的值", "The corrected value is required"),
)
