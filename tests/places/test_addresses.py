"""Address normalisation, parsing and matching against the district's places (DESIGN §6, issue 3 item 4)."""

from __future__ import annotations

import pytest

from shanzhi.places.addresses import Place, PlaceIndex, cn_number, core_name, match_address, normalize, parse

NORMALIZE_CASES = [
    # full-width digits, letters and spaces
    ("清泉社区３号楼２单元５０１室", "清泉社区3号楼2单元501室"),
    ("和平社区　Ａ座", "和平社区A号楼"),
    # Chinese numerals before building markers
    ("凤凰岭和平小区三号楼", "凤凰岭和平小区3号楼"),
    ("十二幢一单元二〇一室", "12号楼1单元201室"),
    ("二十三栋", "23号楼"),
    ("两单元", "2单元"),
    ("清泉社区第一网格", "清泉社区第1网格"),
    # building markers unified
    ("阳光花园5栋", "阳光花园5号楼"),
    ("阳光花园5幢", "阳光花园5号楼"),
    ("阳光花园5#楼", "阳光花园5号楼"),
    ("阳光花园5#", "阳光花园5号楼"),
    ("阳光花园3楼2单元", "阳光花园3号楼2单元"),
    # dash forms
    ("康乐小区3-2-501", "康乐小区3号楼2单元501室"),
    ("康乐小区12栋3-201", "康乐小区12号楼3单元201室"),
    # rooms
    ("3号楼2单元501", "3号楼2单元501室"),
    ("3号楼2单元501房", "3号楼2单元501室"),
    # long official forms → everyday forms
    ("和平社区居委会", "和平社区"),
    ("和平社区居民委员会", "和平社区"),
    ("新地村村民委员会", "新地村村"),
    ("凤凰岭街道办事处", "凤凰岭街道"),
    ("凤凰岭街道办", "凤凰岭街道"),
    ("千里山镇人民政府", "千里山镇"),
    # spaces and punctuation
    ("海勃湾区, 新华街道 （清泉社区）", "海勃湾区新华街道清泉社区"),
    ("  新华大街 18 号  ", "新华大街18号"),
    # names with numerals that are not numbers stay as they are
    ("四季花园", "四季花园"),
    ("千里山镇", "千里山镇"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZE_CASES)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_is_idempotent() -> None:
    for raw, _expected in NORMALIZE_CASES:
        once = normalize(raw)
        assert normalize(once) == once


@pytest.mark.parametrize(
    ("text", "value"),
    [("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百零五", 105), ("二〇一", 201), ("两", 2)],
)
def test_cn_number(text: str, value: int) -> None:
    assert cn_number(text) == value


def test_cn_number_refuses_other_text() -> None:
    assert cn_number("和平") is None
    assert cn_number("") is None


def test_parse_full_address() -> None:
    parts = parse("内蒙古乌海市海勃湾区新华街道清泉社区三号楼2单元501")
    assert parts.parts == {
        "province": "内蒙古自治区",
        "city": "乌海市",
        "district": "海勃湾区",
        "town": "新华街道",
        "community": "清泉社区",
        "building": "3号楼",
        "entrance": "2单元",
        "room": "501室",
    }
    assert parts.rest == ""
    assert parts.standard == "内蒙古自治区乌海市海勃湾区新华街道清泉社区3号楼2单元501室"


def test_parse_road_compound_and_leftover() -> None:
    parts = parse("海勃湾区人民路阳光花园5栋楼下烧烤店")
    assert parts.get("district") == "海勃湾区"
    assert parts.get("road") == "人民路"
    assert parts.get("compound") == "阳光花园"
    assert parts.get("building") == "5号楼"
    assert parts.rest == "楼下烧烤店"


def test_parse_does_not_take_a_community_for_a_district() -> None:
    parts = parse("清泉社区3号楼")
    assert "district" not in parts.parts
    assert parts.get("community") == "清泉社区"


def test_core_names() -> None:
    assert core_name("和平社区居委会", "community") == "和平"
    assert core_name("凤凰岭街道", "town") == "凤凰岭"
    assert core_name("海勃湾区", "district") == "海勃湾"
    assert core_name("新地村委会", "community") == "新地"
    assert core_name("千里山镇", "town") == "千里山"


# --- matching against the real divisions (tests/places/conftest.py) --------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("海勃湾区新华街道清泉社区3号楼2单元501", "150302003012"),
        ("凤凰岭和平小区三号楼", "150302001002"),
        ("和平社区居委会12栋3-201", "150302001002"),
        ("和平东社区2号楼", "150302002009"),  # not 和平社区: the longer name wins
        ("长青东社区门口", "150302002002"),
        ("乌海市海勃湾区新华西街道新华社区", "150302004001"),  # not 新华街道
        ("千里山镇新地村二组", "150302101203"),
        ("巴音乌素村村委会旁边", "150302101214"),
        ("凤凰玲街道和平社区", "150302001002"),  # typo in the town
        ("新华街道清全社区5号楼", "150302003012"),  # typo in the community, confirmed by the town
        ("清泉社区第2网格", "150302003012002"),
        ("新华街道清泉社区第三网格", "150302003012003"),
        ("凤凰岭街道", "150302001000"),
        ("海勃湾区", "150302000000"),
    ],
)
def test_address_resolve_finds_the_place(divisions, text: str, code: str) -> None:
    from shanzhi.places.gazetteer import address_resolve

    result = address_resolve(text)
    assert result.best is not None, result.candidates
    assert result.best.unit_code == code, result.best.explanation
    assert 0.6 <= result.best.score <= 1.0
    assert result.best.explanation


def test_address_resolve_explains_a_compound_match(divisions) -> None:
    from shanzhi.places.gazetteer import address_resolve

    result = address_resolve("凤凰岭和平小区三号楼")
    assert result.best is not None
    assert "和平小区" in result.best.explanation
    assert "演示数据" in result.best.explanation  # the compound list is demo data and says so
    assert "与所述街道(镇)一致" in result.best.explanation
    assert result.parts.get("building") == "3号楼"


def test_a_conflicting_town_lowers_the_score(divisions) -> None:
    from shanzhi.places.gazetteer import address_resolve

    consistent = address_resolve("凤凰岭街道和平社区").best
    conflicting = address_resolve("海北街道和平社区").best
    assert consistent is not None and conflicting is not None
    assert conflicting.score < consistent.score
    assert "不一致" in conflicting.explanation


@pytest.mark.parametrize("text", ["", "随便说说", "和平路12号", "my house is near the river", "12345"])
def test_address_resolve_without_a_confident_place(divisions, text: str) -> None:
    from shanzhi.places.gazetteer import address_resolve

    result = address_resolve(text)
    assert result.best is None
    assert result.explanation == "地址未能匹配到已知地点"


def test_gazetteer_sees_a_new_unit(divisions) -> None:
    from shanzhi.orgs.models import Unit, UnitKind
    from shanzhi.places.gazetteer import address_resolve

    assert address_resolve("星光社区").best is None
    town = divisions["150302008000"]
    Unit.objects.create(code="150302008099", name="星光社区居委会", kind=UnitKind.COMMUNITY, parent=town)
    best = address_resolve("林荫街道星光社区").best
    assert best is not None and best.unit_code == "150302008099"


def test_ambiguous_names_fall_back_to_what_they_share() -> None:
    town = Place(key="t", kind="town", name="甲街道", unit_code="T1")
    places = [
        town,
        Place(key="a", kind="community", name="东方社区", unit_code="C1", town_code="T1"),
        Place(key="b", kind="community", name="东风社区", unit_code="C2", town_code="T1"),
    ]
    result = match_address("甲街道东凤社区", PlaceIndex(places))
    assert result.best is not None
    assert result.best.unit_code == "T1"
    assert "有歧义" in result.best.explanation


def test_long_text_is_handled_quickly(divisions) -> None:
    import time

    from shanzhi.places.gazetteer import address_resolve

    text = "我家住在海勃湾区新华街道清泉社区3号楼，" * 1000  # 20,000 characters
    started = time.perf_counter()
    result = address_resolve(text)
    assert result.best is not None and result.best.unit_code == "150302003012"
    assert time.perf_counter() - started < 2.0
