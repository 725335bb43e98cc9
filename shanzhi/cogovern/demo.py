"""Demo data of co-governance (called by ``shanzhi demo``): for each community a few social forces, resources,
demands in every state with their projects, a volunteer team with volunteers, activities and check-ins, and the
centres' checklist partly met. Idempotent: a community that already has its demo resource is left as it is.

Phones are synthetic (199 0000 xxxx); names are made up."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from shanzhi.cogovern.checklist import seed_checklist
from shanzhi.cogovern.models import (
    Activity,
    ActivityKind,
    CentreCheck,
    CheckIn,
    ChecklistItem,
    Demand,
    DemandSource,
    DemandState,
    Milestone,
    Project,
    ProjectState,
    PublicityDaily,
    PublicityItem,
    Resource,
    SocialForce,
    SocialForceKind,
    TeamKind,
    Volunteer,
    VolunteerTeam,
)
from shanzhi.orgs.models import Unit, UnitKind, User

DEMANDS = (
    ("老旧小区加装电梯意愿征集", "楼里老人多，上下楼困难，希望社区牵头征集加装电梯意愿。"),
    ("独居老人定期探访", "几位独居老人子女不在身边，希望有志愿者每周上门看看。"),
    ("小区增设电动车充电桩", "电动车没处充电，有人从楼道拉线，很不安全。"),
    ("开设四点半课堂", "双职工家庭孩子放学没人看，希望社区开设课后托管。"),
    ("楼道堆物清理", "楼道堆放杂物影响通行和消防安全，希望组织清理。"),
    ("社区助餐点", "高龄老人做饭不便，希望社区有平价助餐点。"),
)
RESOURCES = (
    ("venue", "党群服务中心活动室", "可容纳 60 人，工作日开放"),
    ("volunteer_team", "平安志愿服务队", "夜间巡逻、上门探访"),
    ("service", "物业维修服务", "共建企业提供免费小修"),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1990000{rng.randrange(10000):04d}"


def demo_load(*, seed: int, now: dt.datetime, scale: str) -> list[str]:
    seed_checklist(ChecklistItem)
    communities = list(Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True, is_virtual=False).order_by("path"))
    if scale != "district":
        communities = communities[:6]
    rng = random.Random(seed + 18)
    counts = {"communities": 0, "demands": 0, "projects": 0, "volunteers": 0, "checkins": 0}
    for community in communities:
        if Resource.objects.filter(community=community, name__endswith=RESOURCES[0][1]).exists():
            continue
        staff = User.objects.filter(unit=community, is_active=True).order_by("pk").first()
        if staff is None:
            continue
        _community_load(community, staff, rng, now, counts)
    items = list(ChecklistItem.objects.filter(is_active=True))
    for unit in Unit.objects.filter(kind__in=[UnitKind.TOWN, UnitKind.COMMUNITY], is_virtual=False)[:60]:
        level = "town" if unit.kind == UnitKind.TOWN else "community"
        for item in (i for i in items if i.level == level):
            if rng.random() < 0.7:
                CentreCheck.objects.get_or_create(
                    unit=unit,
                    item=item,
                    defaults={"is_met": True, "evidence": "现场核查、台账齐全", "reviewed_at": now},
                )
    publicity_items = _publicity_load(rng, now)
    return [
        f"co-governance: {counts['communities']} communities, {counts['demands']} demands, "
        f"{counts['projects']} projects, {counts['volunteers']} volunteers, {counts['checkins']} check-ins, "
        f"{publicity_items} legal-publicity items"
    ]


def _community_load(community: Unit, staff: User, rng: random.Random, now: dt.datetime, counts: dict[str, int]) -> None:
    counts["communities"] += 1
    short = community.name.replace("居委会", "").replace("村委会", "")
    enterprise = SocialForce.objects.create(
        community=community,
        kind=SocialForceKind.ENTERPRISE,
        name=f"{short}共建物业公司",
        services="免费小修、楼道清理",
        contact_name=_name(rng),
        contact_phone=_phone(rng),
        created_at=now,
    )
    for kind, what in (
        (SocialForceKind.FIVE_ELDERS, "调解邻里纠纷、关心下一代"),
        (SocialForceKind.DEPUTY, "收集民意、督办民生实事"),
        (SocialForceKind.LAWYER, "每月一次法律咨询"),
    ):
        SocialForce.objects.create(
            community=community, kind=kind, name=_name(rng), services=what, contact_phone=_phone(rng), created_at=now
        )
    resources = [
        Resource.objects.create(
            community=community,
            kind=kind,
            name=f"{short}{name}",
            description=text,
            provider=enterprise if kind == "service" else None,
            capacity=3,
            created_at=now,
        )
        for kind, name, text in RESOURCES
    ]
    team = VolunteerTeam.objects.create(
        community=community, name=f"{short}平安志愿者队", kind=TeamKind.SAFETY, created_at=now
    )
    volunteers = [
        Volunteer.objects.create(team=team, name=_name(rng), phone=_phone(rng), skills="巡逻", created_at=now)
        for _ in range(rng.randint(4, 8))
    ]
    counts["volunteers"] += len(volunteers)
    states = [DemandState.SUBMITTED, DemandState.MATCHED, DemandState.IN_PROJECT, DemandState.DONE]
    for n, (title, content) in enumerate(rng.sample(DEMANDS, 4)):
        created = now - dt.timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 10))
        state = states[n]
        resource = resources[n % len(resources)] if state != DemandState.SUBMITTED else None
        demand = Demand.objects.create(
            community=community,
            title=title,
            content=content,
            source=rng.choice([DemandSource.PORTAL, DemandSource.GRID, DemandSource.COMMUNITY]),
            resident_phone=_phone(rng),
            state=state,
            resource=resource,
            votes=rng.randint(0, 30),
            created_at=created,
            matched_at=created + dt.timedelta(days=1) if resource else None,
            matched_by=staff if resource else None,
            done_at=created + dt.timedelta(days=2) if state == DemandState.DONE else None,
        )
        counts["demands"] += 1
        if state in (DemandState.IN_PROJECT, DemandState.DONE) and resource is not None:
            finished = state == DemandState.DONE
            project = Project.objects.create(
                community=community,
                demand=demand,
                resource=resource,
                title=title.replace("意愿征集", "") + "项目",
                owner=staff,
                budget=Decimal(rng.randint(5, 80) * 100),
                beneficiaries=rng.randint(10, 200),
                state=ProjectState.FINISHED if finished else ProjectState.RUNNING,
                result="已完成并向居民公示" if finished else "",
                created_at=created + dt.timedelta(days=1),
                started_at=created + dt.timedelta(days=1),
                finished_at=created + dt.timedelta(days=2) if finished else None,
            )
            for k, step in enumerate(("方案公示", "组织实施", "居民评议")):
                done_at = created + dt.timedelta(days=1 + k) if finished or k == 0 else None
                Milestone.objects.create(project=project, title=step, done_at=done_at)
            counts["projects"] += 1
    for k in range(2):
        starts = (now - dt.timedelta(days=7 * (k + 1))).replace(minute=0, second=0, microsecond=0)
        activity = Activity.objects.create(
            community=community,
            team=team,
            kind=ActivityKind.PATROL if k == 0 else ActivityKind.SERVICE,
            title="夜间平安巡逻" if k == 0 else "敬老院志愿服务",
            place=short,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            hours=Decimal("2"),
            created_at=starts - dt.timedelta(days=3),
        )
        for volunteer in rng.sample(volunteers, min(len(volunteers), rng.randint(3, 6))):
            CheckIn.objects.create(
                activity=activity, volunteer=volunteer, hours=activity.hours, at=starts + dt.timedelta(minutes=5)
            )
            counts["checkins"] += 1


PUBLICITY = (
    ("article", "legal_aid", "民法典", "民法典里的相邻关系：通行、采光与排水", "区法律援助中心"),
    ("video", "judicial", "反诈骗", "三分钟识破冒充客服诈骗", "区人民法院"),
    ("article", "mediation", "婚姻家庭", "家事纠纷可以先找人民调解", "区人民调解委员会"),
    ("video", "administrative", "安全生产", "燃气使用安全须知", "区应急管理局"),
    ("article", "administrative", "劳动权益", "被拖欠工资怎么办", "区人力资源和社会保障局"),
    ("video", "legal_aid", "劳动权益", "农民工讨薪的法律途径", "区法律援助中心"),
)


def _publicity_load(rng: random.Random, now: dt.datetime) -> int:
    """Six published items with reads and plays on the last 60 days (about 24,000 plays in all at district scale
    would come from the real portal; the demo has a few thousand)."""
    author = User.objects.filter(is_active=True, unit__isnull=False).order_by("pk").first()
    if author is None or PublicityItem.objects.filter(title=PUBLICITY[0][3]).exists():
        return 0
    for kind, force, topic, title, publisher in PUBLICITY:
        item = PublicityItem.objects.create(
            kind=kind,
            force=force,
            topic=topic,
            title=title,
            body=f"{title}。本期由{publisher}解读相关法律规定和常见问题。",
            video_url="https://media.example.cn/pufa/demo.mp4" if kind == "video" else "",
            publisher=publisher,
            is_published=True,
            published_at=now - dt.timedelta(days=60),
            created_by=author,
            created_at=now - dt.timedelta(days=61),
        )
        reads = plays = 0
        for back in range(60):
            day = (now - dt.timedelta(days=back)).date()
            r = rng.randint(5, 40)
            p = rng.randint(10, 120) if kind == "video" else 0
            PublicityDaily.objects.create(item=item, day=day, reads=r, plays=p)
            reads, plays = reads + r, plays + p
        PublicityItem.objects.filter(pk=item.pk).update(reads=reads, plays=plays)
    return len(PUBLICITY)
