"""Demo data of mediation, gathered by ``shanzhi demo`` (:mod:`shanzhi.demo.extensions`): two committees (the
district's, seated at the 司法局, and 凤凰岭街道's), their rooms and the next working days' slots, the demo
``mediator`` and a second mediator, screening reports from the grid workers, and cases at every step of the loop —
all made through the services, so each has its timeline. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import Group

from shanzhi.core import clock
from shanzhi.mediation import appointments, services
from shanzhi.mediation.models import Case, Committee, Mediator, MediatorKind, Room, Slot
from shanzhi.mediation.services import PartyIn
from shanzhi.orgs.models import Role, Unit, User

DISPUTES = (
    ("neighbours", "楼上漏水损坏楼下装修", "601室卫生间漏水致501室天花板受损，双方就维修和赔偿争执不下。", "3000"),
    ("property", "物业费与停车位纠纷", "业主以电梯长期故障为由拒缴物业费，物业公司限制其车辆进入小区。", "2400"),
    ("labour", "装修工人工资拖欠", "装修队6名工人完工后未领到工资，包工头称业主未结清工程款。", "36000"),
    ("family", "赡养老人费用分担", "三兄妹就母亲住院费用和日常赡养费分担发生争执。", "12000"),
    ("tenancy", "退租押金纠纷", "租客提前一个月退租，房东以墙面损坏为由扣留全部押金。", "4500"),
    ("environment", "夜间烧烤噪声扰民", "临街烧烤店营业至凌晨，楼上住户多次投诉未果发生口角。", ""),
)
APPLICANTS = ("李建国", "王桂芳", "张志强", "刘淑珍", "陈海涛", "杨秀兰")
APPOINTMENTS = (
    ("刘芳", "13847300001", "tenancy", "退租时房东以墙面污损为由扣留押金3000元，协商不成。"),
    ("马成功", "13847300002", "consumer", "在小区门口健身房办年卡后门店关闭，退费无门。"),
)
RESPONDENTS = ("赵德明", "某物业服务有限公司", "孙宏伟", "周晓梅", "吴建军", "某烧烤店")


def _mediator(username: str, display_name: str, unit: Unit, committee: Committee, domains: list[str]) -> Mediator:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=None, unit=unit, display_name=display_name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get_or_create(name=Role.MEDIATOR)[0])
    mediator, _ = Mediator.objects.get_or_create(
        user=user, defaults={"committee": committee, "domains": domains, "kind": MediatorKind.RESIDENT}
    )
    return mediator


def _slots(room: Room, now: dt.datetime, days: int) -> None:
    tz = clock.centre_tz()
    day = now.astimezone(tz).date()
    made = 0
    while made < days:
        day += dt.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        made += 1
        for hour in (9, 14, 16):
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
            Slot.objects.get_or_create(room=room, starts_at=start, defaults={"ends_at": start + dt.timedelta(hours=1)})


def demo_load(*, seed: int, now: dt.datetime, scale: str) -> list[str]:
    justice = Unit.objects.filter(code="D-SF").first()
    town = Unit.objects.filter(code="150302001000").first()
    mediator_user = User.objects.filter(username="mediator").first()
    leader = User.objects.filter(username="leader").first()
    grid_worker = User.objects.filter(username="grid1").first()
    if not (justice and town and mediator_user and leader and grid_worker and grid_worker.unit):
        return ["调解：缺少演示单位或人员，跳过"]
    district_committee, _ = Committee.objects.get_or_create(
        code="TW-QU",
        defaults={"name": "海勃湾区矛盾纠纷多元化解中心人民调解委员会", "unit": justice, "area": justice.parent},
    )
    town_committee, _ = Committee.objects.get_or_create(
        code="TW-FHL", defaults={"name": "凤凰岭街道人民调解委员会", "unit": town}
    )
    rooms = [
        Room.objects.get_or_create(committee=district_committee, name=name)[0] for name in ("第一调解室", "第二调解室")
    ]
    rooms.append(Room.objects.get_or_create(committee=town_committee, name="街道调解室")[0])
    for room in rooms:
        _slots(room, now, 10)
    Mediator.objects.get_or_create(
        user=mediator_user,
        defaults={"committee": district_committee, "domains": ["neighbours", "property", "family", "tenancy"]},
    )
    _mediator("mediator2", "包红梅", justice, district_committee, ["labour", "debt", "consumer", "environment"])
    _mediator("mediator3", "石建平", town, town_committee, ["neighbours", "family"])
    if Case.objects.exists():
        return [f"调解：已有 {Case.objects.count()} 件案件，未新增"]

    rng = random.Random(seed)
    count = 6 if scale == "demo" else 60
    today = clock.local_date(now)
    free = list(Slot.objects.filter(room__committee=district_committee).order_by("starts_at"))
    made = 0
    for i in range(count):
        domain, title, facts, amount = DISPUTES[i % len(DISPUTES)]
        report = services.screening_report_file(
            actor=grid_worker,
            unit=grid_worker.unit,
            period_start=today - dt.timedelta(days=7),
            period_end=today,
            domain=domain,
            risk_level=("high", "medium", "low")[i % 3],
            summary=facts,
        )
        parties = [
            PartyIn("applicant", APPLICANTS[i % len(APPLICANTS)], f"139{rng.randrange(10**8):08d}"),
            PartyIn("respondent", RESPONDENTS[i % len(RESPONDENTS)]),
        ]
        case = services.case_from_screening(
            actor=mediator_user, report=report, title=title, facts=facts, parties=parties,
            amount=Decimal(amount) if amount else None,
        )  # fmt: skip
        made += 1
        stage = i % 6
        if stage == 0:
            continue  # registered, waiting to be assigned
        case = services.case_assign(actor=leader, case=case, committee=district_committee)
        if stage == 1 or not free:
            continue
        session = services.session_book(actor=case.mediator.user if case.mediator else mediator_user, case=case,
                                         slot=free.pop(0))  # fmt: skip
        if stage == 2:
            continue
        actor = case.mediator.user if case.mediator else mediator_user
        services.session_record(actor=actor, session=session, record="双方到场，各自陈述事实和诉求，调解员释法说理。")
        if stage == 5:
            services.case_refer(actor=actor, case=case, route="litigation", reason="双方对赔偿金额分歧过大，引导诉讼")
            continue
        services.agreement_make(
            actor=actor,
            case=case,
            terms=f"被申请人于十五日内一次性支付申请人{amount or '相关'}元，双方就此事再无其他争议。",
            performance_method="银行转账",
            performance_place="海勃湾区矛盾纠纷多元化解中心",
            performance_due=today + dt.timedelta(days=15),
        )
        if stage == 3:
            continue
        services.follow_up_record(actor=actor, case=case, performance="full", note="已按约履行，双方无异议。")
        services.case_evaluate(actor=leader, case=case, satisfaction="satisfied", review="调解及时，协议已履行。")
    booked = 0
    for name, phone, domain, text in APPOINTMENTS:
        if not free:
            break
        appointments.appointment_book(phone=phone, name=name, slot=free.pop(), domain=domain, description=text)
        booked += 1
    steps = "排、分、调、处、评各环节"
    return [f"调解：2 个调解委员会、{len(rooms)} 间调解室、{made} 件纠纷案件（{steps}）、{booked} 个群众预约"]
