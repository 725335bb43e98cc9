"""The error codes of ``shanzhi.places``.

Clients match on the code: keep it stable. Every code raised in this app is declared here (held by
tests/api/test_error_codes.py); docs/error-codes.md is generated from it (``shanzhi error_codes --markdown``).
"""

from __future__ import annotations

from shanzhi.core.error_registry import ErrorCode

CODES: tuple[ErrorCode, ...] = (
    ErrorCode("address_exists", 422, "该标准地址已存在", "This standard address already exists"),
    ErrorCode(
        "address_needs_community",
        422,
        "标准地址须挂在社区(村)下",
        "A standard address must belong to a community (village)",
    ),
    ErrorCode(
        "building_needs_compound",
        422,
        "建筑须登记在街路巷/小区下",
        "A building must be registered under a street/compound",
    ),
    ErrorCode("building_size_invalid", 422, "层数或单元数超出范围", "Number of floors or entrances out of range"),
    ErrorCode(
        "doorplate_needs_building",
        422,
        "门牌须对应建筑、单元或房屋",
        "A doorplate must point to a building, entrance or dwelling",
    ),
    ErrorCode("grid_outside_community", 422, "网格不属于该社区", "The grid is not in this community"),
    ErrorCode(
        "invalid_coordinates",
        422,
        "坐标无效（须同时填写经纬度，且在有效范围内）",
        "Invalid coordinates (give both longitude and latitude, within range)",
    ),
    ErrorCode("invalid_phone", 422, "电话号码格式不正确", "Invalid phone number"),
    ErrorCode("invalid_street_type", 422, "街路巷类型无效", "Invalid street type"),
    ErrorCode("outside_district", 422, "位置不在本区范围内", "The location is outside the district"),
    ErrorCode("street_required", 422, "请填写街路巷或小区名称", "Enter the name of the street or compound"),
    ErrorCode("unknown_entrance", 422, "该建筑没有这个单元", "This building has no such entrance"),
)
