"""The demo's words: consultations and refusals, invented citizens (names, phones, ID numbers) and the filler of
the template bank (:mod:`shanzhi.demo.bank_city`, :mod:`shanzhi.demo.bank_social`).

No real person is meant.
"""

from __future__ import annotations

import random

from shanzhi.demo.bank_city import CITY_TEMPLATES
from shanzhi.demo.bank_social import SOCIAL_TEMPLATES
from shanzhi.demo.template import Template

__all__ = ["CONSULTATIONS", "REJECTIONS", "TEMPLATES", "Filler", "Template"]

TEMPLATES: tuple[Template, ...] = CITY_TEMPLATES + SOCIAL_TEMPLATES

# Consultations answered on the spot (直接答复): question template and the operator's answer.
CONSULTATIONS: tuple[tuple[str, str, str, str], ...] = (
    (
        "供水供电供气供热/供热/停热与延迟供热",
        "今年什么时候开始供暖",
        "请问今年海勃湾区什么时候开始供暖？家里有老人，天已经挺冷了。",
        "我市供暖期一般为每年10月15日至次年4月15日，遇极端天气会视情况提前或延后，请留意供热单位公告。",
    ),
    (
        "城乡建设/住房保障/公租房申请",
        "公租房申请条件",
        "想问一下申请公租房需要什么条件，在哪里申请？",
        "公租房申请需本市户籍或稳定就业、家庭人均收入和住房面积符合标准，可到所在社区或政务服务中心住房窗口申请。",
    ),
    (
        "政法/户籍证件/居住证办理",
        "居住证怎么办理",
        "我是外地来乌海打工的，想办个居住证，需要什么材料？",
        "在本地居住满半年并有合法稳定就业、住所或连续就读的，可携带身份证、居住证明到辖区派出所申领居住证。",
    ),
    (
        "卫生计生/医疗保障/医保报销",
        "医保异地就医怎么备案",
        "我要去外地看病，医保异地就医备案在哪里办？",
        "可通过国家医保服务平台App或到医保经办窗口办理异地就医备案，备案后可直接结算。",
    ),
    (
        "劳动和社会保障/社会保险/养老保险",
        "养老保险补缴政策",
        "我以前断交了几年养老保险，现在能补交吗？",
        "是否可以补缴需根据中断原因和时间确定，请携带身份证到人社部门社保经办窗口具体核实。",
    ),
    (
        "党务政务/政务公开/政策咨询",
        "老年人乘公交优惠",
        "我今年刚满65岁，坐公交能免费吗？怎么办理？",
        "年满65周岁的老年人可持身份证到公交公司服务网点办理老年卡，按规定享受乘车优惠。",
    ),
)

# Appeals that the centre refuses (不予受理): template and the reason code.
REJECTIONS: tuple[tuple[str, str, str], ...] = (
    ("other_region", "乌达区小区供暖问题", "我家在乌达区，小区暖气不热，请你们给解决一下。"),
    ("legal_procedure", "要求改判法院判决", "法院对我的借款纠纷案判得不公平，我要求你们让法院改判。"),
    ("no_substance", "来电未说明具体诉求", "来电人反复说要找领导，未说明具体反映什么问题。"),
    ("info_incomplete", "反映问题地点不明", "说是某个小区门口有坑，但说不清是哪个小区，回拨电话无人接听。"),
    ("out_of_scope", "要求帮忙追讨私人借款", "朋友借了我两万块钱不还，希望政府出面帮我要回来。"),
)

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
    "丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建国海燕志强春梅秀珍凤英建华淑珍丽娟玉珍金凤永红德福"
)
XIAOQU = (
    "阳光花园",
    "康乐小区",
    "金裕花园",
    "海馨家园",
    "温馨家园",
    "滨河名苑",
    "新华小区",
    "黄河湾小区",
    "青山小区",
    "东山家属院",
    "狮城花园",
    "佳苑小区",
    "和谐家园",
    "依林小区",
    "盛世华庭",
    "湖东小区",
    "中河源小区",
    "白楼小区",
    "墨香园",
    "蓝天小区",
    "幸福家园",
    "公园小区",
    "长青小区",
    "新海花园",
)
ROADS = (
    "新华大街",
    "海北大街",
    "人民路",
    "滨河大道",
    "林荫路",
    "黄河街",
    "千里山路",
    "海达路",
    "团结路",
    "公园路",
    "青山路",
    "康乐街",
)
SHOPS = ("一家烧烤店", "一家羊肉馆", "楼下的小超市", "一家火锅店", "一家洗车行", "一家汽修店", "一家KTV", "一家面馆")
VILLAGES = ("新地村", "新丰村", "王元地村", "团结新村", "巴音乌素村")


class Filler:
    """Fills a template's placeholders from a seeded random source."""

    def __init__(self, rng: random.Random, community: str) -> None:
        road, road2 = rng.sample(ROADS, 2)
        self.values = {
            "xiaoqu": rng.choice(XIAOQU),
            "bld": str(rng.randint(1, 28)),
            "entrance": str(rng.randint(1, 6)),
            "floor": str(rng.randint(1, 18)),
            "road": road,
            "road2": road2,
            "shop": rng.choice(SHOPS),
            "n": str(rng.randint(2, 9)),
            "days": str(rng.randint(2, 10)),
            "community": community,
            "village": community if community.endswith("村") else rng.choice(VILLAGES),
        }

    def fill(self, text: str) -> str:
        return text.format(**self.values)

    def address(self) -> str:
        return f"海勃湾区{self.values['road']}{self.values['xiaoqu']}{self.values['bld']}号楼"


def person_name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.6:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def mobile_number(rng: random.Random) -> str:
    prefix = rng.choice(
        ("133", "135", "138", "139", "150", "151", "152", "155", "157", "158", "177", "180", "186", "187", "189", "199")
    )
    return prefix + "".join(str(rng.randrange(10)) for _ in range(8))


def landline_number(rng: random.Random) -> str:
    return "0473-" + str(rng.choice((2, 3, 6))) + "".join(str(rng.randrange(10)) for _ in range(6))


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number(rng: random.Random) -> str:
    """A made-up identity number with a valid GB 11643 checksum (region 150302)."""
    body = f"150302{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + _ID_CHECK[total % 11]
