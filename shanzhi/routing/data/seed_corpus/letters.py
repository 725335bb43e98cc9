"""A held-out set of message-board letters, written unlike the training corpus, for the cold-start check.

    python -m shanzhi.routing.data.seed_corpus.letters        # writes letters_heldout.csv here

Labels are the 7 level-1 classes of the reference taxonomy (城乡建设, 劳动和社会保障, 教育文体, 卫生计生, 交通运输,
商贸旅游, 环境保护), as in the outside measurement of issue 12. Nothing here is shared with the seed corpus or the
experts' examples: the situations are written for this file only (most name no keyword of their class, several
carry a second matter), and the four letter shapes — a question to an official, a dated timeline, a report in
numbered points, a letter that opens with a quote — and the places (B区, C县 …) are not used by ``generate.py``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20201204

# class → (situation, detail) pairs
SITUATIONS: dict[str, list[tuple[str, str]]] = {
    "城乡建设": [
        (
            "我们这栋楼是九十年代的老房子，楼梯扶手一摇就晃，墙皮成块往下掉",
            "去年说要纳入改造计划，名单公示了又没了下文",
        ),
        ("交房快三年了，车位和会所还是一片荒地，售楼时的宣传册上画得清清楚楚", "业主们去找了好几次，开发商换了三拨人"),
        ("拆迁时说好的回迁房一再延期，临时租的房子房东又要收回", "每月那点补助连房租都不够"),
        ("旁边新盖的楼把我们的阳光全挡住了，冬天屋里一整天见不到太阳", "当初规划公示根本没看到过"),
        ("楼下商户把承重墙打掉了开成大门面，楼上住户墙面都裂了缝", "找了几个部门都说要先鉴定"),
        ("我们几户申请保障性住房的材料交上去两年了，排号一直没动", "询问时说房源不足，可听说有些空着没人住"),
        ("小区门前那片工地的围挡倒了好久也不扶，钢筋就露在人行道边上", "晚上孩子放学都得绕着走"),
        ("买的二手房过户时发现原房主还有抵押，中介收了钱就不管了", "现在房子住不进去，钱也退不回来"),
    ],
    "劳动和社会保障": [
        ("我在一家餐馆干了九个月，说好年底一起结，结果老板把店转了人就找不到了", "跟我一样的还有五六个服务员"),
        ("厂里说效益不好，让我们签自愿离职的协议，不签就不排班", "干了八年，什么补偿都没有"),
        ("我父亲在外地交了十几年的钱，回老家以后关系怎么也转不过来", "两边都说要对方先出手续"),
        ("在工地上摔断了腿，老板垫了一点医药费就不管了，说我们是临时工", "申请认定要单位盖章，单位不给盖"),
        ("每天上班十二个小时，周末也要来，一个月只歇两天", "问加班费，主管说嫌累可以走"),
        ("我今年该办退休了，可档案里少了一段下乡的工龄证明", "原单位早就撤销了，不知道找谁补"),
        ("孩子大学毕业一年了还没找到事做，听说政府有见习岗位和补贴", "去了几次人才市场，窗口也说不清楚"),
        ("我们十几个人跟着包工头给一个小区做外墙，干完活款一直拖着", "包工头说上面没给他结，让我们等"),
    ],
    "教育文体": [
        ("我们片区的孩子今年要到三站地以外去上学，离家门口的那所却进不去", "房本户口都在这边，不知道是按什么划的"),
        ("孩子的班主任经常在群里让家长批改作业，不改就在班上点名", "孩子回来哭，说老师当着全班说他"),
        ("给孩子报的暑期班交了六千多，上了三次课门就锁了", "几十个家长在门口等，负责人电话关机"),
        ("家门口没有公办的园，私立的一个月两千多，还排不上号", "双职工家庭实在负担不起"),
        ("学校附近那几家小卖部卖辣条和烟，放学时一堆学生围着", "还有人在校门口拉学生去网吧"),
        ("小区里原来的篮球场被改成了停车位，孩子们只能在马路上踢球", "这片住了几千人，没有一处能锻炼的地方"),
        ("听说有的老师课上不讲，让学生到他家里去补", "一节课三百块，不去的孩子成绩就上不去"),
        ("孩子跟着我们从外地过来打工，想转进来读书，学校说没有学位", "在这边交了社保也租了房，材料都齐"),
    ],
    "卫生计生": [
        ("我母亲住院半个月，出院结账时清单上多出好几项从来没做过的检查", "去问收费处，让我们去找科室"),
        ("夜里孩子高烧去急诊，等了两个多小时才见到医生，护士态度还特别差", "孩子烧到三十九度多在走廊里躺着"),
        ("村卫生室的大夫给我爹开了一堆药，吃了以后浑身起疹子", "后来才知道他没有行医的资格"),
        ("我们是失独家庭，两口子都六十多了，听说国家有扶助政策", "去街道问，说要县里统一审批，一等就是一年"),
        ("社区里有家诊所天天给老人输液，说是能通血管", "好几个老人输完都不舒服了"),
        ("孩子出生半年了，想办生育服务的登记，网上系统一直提示信息不符", "跑了两趟窗口，让回户籍地去办"),
        ("楼下的垃圾站老鼠成群，大白天都在楼道里跑", "家里有小孩，真担心传上什么病"),
        ("在外地住院花了四万多，回来报销时说转诊手续不全，只给报了一点", "当时情况紧急，哪来得及办手续"),
    ],
    "交通运输": [
        ("我们新区到老城区只有一趟车，四十分钟才来一班，下午六点就收车了", "上夜班的人只能走路回家"),
        ("那趟车的司机开得飞快，老人还没坐稳就起步，上个月有个大妈摔倒了", "跟车队反映过，换了个司机还是一样"),
        ("在火车站出口，几个人围着拉客，说打表走不了，一口价八十", "实际距离也就五公里"),
        ("村里通往镇上的那条路被大车压得全是坑，下雨天积水半尺深", "孩子们上学坐的车经常陷进去"),
        ("每天凌晨都有拉煤的重车从镇中心穿过，一辆接一辆，路都压烂了", "房子跟着震，墙上都有裂缝了"),
        ("在驾校交了钱报名，半年了才练过三次车，教练总说没有车", "想退费，驾校说合同里写了不退"),
        ("小区门口的共享单车堆成了山，人行道完全走不了", "还有好多坏车扔在绿化带里"),
        ("打了个网约车，司机中途说要加钱才去，不加就让我下车", "在软件上投诉了也没有回音"),
    ],
    "商贸旅游": [
        ("五一带老人去了个景区，门票买了进去一半的地方在装修不开放", "售票时一个字都没提，也不给退"),
        ("跟团去草原，导游中途把我们拉到一个卖牛肉干的店，不买就不开车", "团费是便宜，可这样太欺负人了"),
        ("住的宾馆房间里有霉味，床单上还有别人的头发", "去前台换房，说都满了，退钱也不给"),
        ("我们这片唯一的菜场关了以后，买菜要去很远的超市", "老人们每天拎着菜走半个多小时"),
        ("超市里标的特价，结账时还是按原价收的，一查小票好几样都多收了", "找服务台，说是系统没改过来"),
        ("找家政公司请了个阿姨，干了三天把家里的东西弄坏了，公司说不负责", "合同上写得好好的出了问题公司承担"),
        ("小区附近开了一个收废品的，纸壳塑料堆得比墙还高，旁边就是住户", "夏天味道大，也担心着火"),
        ("饭店结账时发现收了我们一百多的包间费，点菜时根本没说", "老板说墙上贴着，可谁会去看墙"),
    ],
    "环境保护": [
        ("一到半夜，附近那家厂就开始往外排，第二天早上车顶上一层灰", "窗户关得再严，屋里也一股呛人的味"),
        ("河边新开了个洗车点，污水直接顺着沟流进河里，水面上漂着一层油", "以前还有人在那钓鱼，现在鱼都没了"),
        ("楼下那家烧烤店的排烟管正对着我们的窗户，夏天根本不敢开窗", "墙面都熏黑了"),
        ("小区对面的石材厂切割石头的声音从早响到晚，周末也不停", "家里老人心脏不好，被吵得整夜睡不着"),
        ("村后的山坡上有人偷偷挖沙，树都被推倒了一大片", "一下雨泥水就冲到村里"),
        ("有人趁夜里把一桶一桶的不知道什么液体倒在荒地里", "那片地现在寸草不生，味道特别冲"),
        ("每到秋天收完庄稼，周边村子就开始烧，整个城区都笼罩在烟里", "孩子们咳嗽了好几个星期"),
        ("小区楼顶新装了几个大铁架子，说是通信用的，居民事先一点都不知道", "家里有孕妇，大家都很担心"),
    ],
}

PLACES = ["B区B4街道", "C县城关镇", "B区B2街道", "西城区", "D县东关村", "B区B7片区", "开发区"]
OFFICIALS = ["局长", "区长", "书记", "主任", "有关领导"]
DATES = ["前年秋天", "去年三月", "今年元旦", "上个星期", "9月初", "2019年12月", "2020年4月"]
FEELINGS = ["大家心里都很着急", "真不知道还能找谁", "日子过得提心吊胆", "已经快没有耐心了"]
SECOND = [
    "还有一件小事：小区的路灯坏了好几盏。",
    "顺带反映：楼道里的电动车越停越多。",
    "另外，附近的公厕也长期没人打扫。",
    "",
    "",
]


def letter_question(rng: random.Random, situation: tuple[str, str]) -> tuple[str, str]:
    what, detail = situation
    title = f"请问{rng.choice(OFFICIALS)}：{rng.choice(PLACES)}的这个问题怎么办"
    text = (
        f"{rng.choice(OFFICIALS)}您好！我住在{rng.choice(PLACES)}。{what}，{detail}。"
        f"{rng.choice(SECOND)}请问这种情况应该由哪个部门负责？什么时候能有个结果？"
    )
    return title, text


def letter_timeline(rng: random.Random, situation: tuple[str, str]) -> tuple[str, str]:
    what, detail = situation
    d1, d2 = rng.sample(DATES, k=2)
    title = f"{rng.choice(PLACES)}一位居民的经历"
    text = (
        f"事情要从{d1}说起。{what}。\n{d2}，我们又去问，{detail}。\n"
        f"到现在也没有人给个说法，{rng.choice(FEELINGS)}。{rng.choice(SECOND)}"
    )
    return title, text


def letter_report(rng: random.Random, situation: tuple[str, str]) -> tuple[str, str]:
    what, detail = situation
    n = rng.randint(3, 60)
    title = f"{rng.choice(PLACES)}{n}户群众的情况汇报"
    text = (
        f"各位领导：\n现将我们{rng.choice(PLACES)}{n}户居民遇到的困难汇报如下：\n"
        f"（1）{what}；\n（2）{detail}；\n（3）{rng.choice(FEELINGS)}。\n以上情况属实，恳请领导在百忙之中过问。"
    )
    return title, text


def letter_quote(rng: random.Random, situation: tuple[str, str]) -> tuple[str, str]:
    what, detail = situation
    quote = rng.choice(["再这样下去可怎么办啊", "我们老百姓就想过个安生日子", "找了一圈，谁都说不归自己管"])
    title = f"“{quote}”"
    text = f"“{quote}。”这是{rng.choice(PLACES)}一位老人的原话。{what}，{detail}。{rng.choice(SECOND)}希望能引起重视。"
    return title, text


SHAPES = [letter_question, letter_timeline, letter_report, letter_quote]


def letters_build(seed: int = SEED) -> list[dict[str, str]]:
    """Every situation in every shape: 7 classes × 8 situations × 4 shapes = 224 letters."""
    rng = random.Random(seed)
    rows = []
    for label, situations in SITUATIONS.items():
        for situation in situations:
            for shape in SHAPES:
                title, text = shape(rng, situation)
                rows.append({"title": title, "text": text, "label": label})
    return rows


def main() -> None:
    rows = letters_build()
    with (HERE / "letters_heldout.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["title", "text", "label"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"letters_heldout.csv: {len(rows)} letters")


if __name__ == "__main__":
    main()
