"""Demo staff (predictable logins, one password), role groups, reject reasons and reply templates.

Refused when ``settings.PRODUCTION``: demo logins must never exist on a real centre's system.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.models import RejectReason, ReplyTemplate
from shanzhi.core.errors import PermissionDenied
from shanzhi.orgs.models import Role, Unit, UnitKind, User
from shanzhi.orgs.sign_in import DEMO_PASSWORD

LIAISON_PREFIX = "liaison-"


@dataclass(frozen=True)
class StaffSpec:
    """One named demo login. ``unit`` is a unit code; "centre" means the configured centre."""

    username: str
    display_name: str
    unit: str
    roles: tuple[str, ...]
    personal_data: bool = False
    superuser: bool = False


CENTRE = "centre"

# The README in this folder lists the same accounts; keep the two in step.
STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("admin", "赵志刚", CENTRE, (Role.ADMIN,), personal_data=True, superuser=True),
    StaffSpec("operator1", "李晓燕", CENTRE, (Role.OPERATOR,), personal_data=True),
    StaffSpec("operator2", "王丽娟", CENTRE, (Role.OPERATOR,)),
    StaffSpec("operator3", "张敏", CENTRE, (Role.OPERATOR,)),
    StaffSpec("operator4", "刘婷", CENTRE, (Role.OPERATOR,)),
    StaffSpec("dispatcher1", "陈建华", CENTRE, (Role.DISPATCHER,), personal_data=True),
    StaffSpec("dispatcher2", "杨帆", CENTRE, (Role.DISPATCHER,)),
    StaffSpec("leader", "孙永平", CENTRE, (Role.LEADER,), personal_data=True),
    StaffSpec("analyst", "周静", CENTRE, (Role.ANALYST,)),
    StaffSpec("integration", "12345平台接口", CENTRE, (Role.INTEGRATION,)),
    StaffSpec("mediator", "高秀兰", "D-SF", (Role.MEDIATOR,), personal_data=True),
    StaffSpec("zj_handler", "马俊", "D-ZJ", (Role.HANDLER,)),
    StaffSpec("zj_head", "郭海军", "D-ZJ", (Role.UNIT_HEAD,)),
    StaffSpec("cg_handler", "何鹏", "D-CG", (Role.HANDLER,)),
    StaffSpec("cg_head", "罗志强", "D-CG", (Role.UNIT_HEAD,)),
    StaffSpec("ga_handler", "韩磊", "D-GA", (Role.HANDLER,)),
    StaffSpec("sj_handler", "冯雪", "D-SJ", (Role.HANDLER,)),
    StaffSpec("rs_handler", "曹颖", "D-RS", (Role.HANDLER,)),
    StaffSpec("hb_handler", "邓立新", "D-HB", (Role.HANDLER,)),
    StaffSpec("gr_handler", "许宝山", "U-GR", (Role.HANDLER,)),
    StaffSpec("fhl_handler", "宋佳", "150302001000", (Role.HANDLER,)),
    StaffSpec("fhl_head", "唐国庆", "150302001000", (Role.UNIT_HEAD,)),
    StaffSpec("xh_handler", "于洋", "150302003000", (Role.HANDLER,)),
    StaffSpec("qls_handler", "白玉梅", "150302101000", (Role.HANDLER,)),
    StaffSpec("heping_handler", "苏红", "150302001002", (Role.HANDLER,)),
    StaffSpec("qingquan_handler", "蒋文华", "150302003012", (Role.HANDLER,)),
    StaffSpec("grid1", "田桂英", "150302001002001", (Role.GRID_WORKER,)),
    StaffSpec("grid2", "潘晓东", "150302001002002", (Role.GRID_WORKER,)),
    StaffSpec("grid3", "贾春燕", "150302003012001", (Role.GRID_WORKER,)),
    StaffSpec("grid4", "乌兰", "150302101203001", (Role.GRID_WORKER,)),
)

REJECT_REASONS: tuple[tuple[str, str], ...] = (
    ("out_of_scope", "不属于受理范围"),
    ("info_incomplete", "诉求人信息不全且无法联系"),
    ("duplicate", "重复诉求"),
    ("legal_procedure", "涉及诉讼、仲裁、行政复议等法定程序"),
    ("other_region", "不属于本区管辖范围"),
    ("no_substance", "无实质诉求内容"),
    ("abusive", "恶意骚扰或辱骂"),
)

REPLY_TEMPLATES: tuple[tuple[str, str], ...] = (
    (
        "通用答复",
        "您好！您反映的问题（编号{tracking_no}）已转{unit}办理。经办理：{feedback}感谢您对海勃湾区工作的关心和支持。",
    ),
    (
        "已解决",
        "您好！您反映的问题（编号{tracking_no}）已由{unit}处理完毕：{feedback}如仍有问题，欢迎再次反映。",
    ),
    (
        "解释说明",
        "您好！关于您反映的问题（编号{tracking_no}），经{unit}核实：{feedback}相关情况已向您解释说明，敬请理解。",
    ),
    (
        "暂不具备解决条件",
        "您好！您反映的问题（编号{tracking_no}）经{unit}研究：{feedback}该问题暂不具备解决条件，"
        "已列入工作计划，我们将持续跟踪并及时告知进展。",
    ),
)


def refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise PermissionDenied(_("生产环境不能创建演示账号和演示数据"), code="demo_refused_in_production")


def role_groups_ensure() -> dict[str, Group]:
    """One Django group per role code (the roles are the groups' names)."""
    return {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}


def handling_units() -> list[Unit]:
    """Units that receive assignments: departments, utilities, and the non-virtual towns and communities."""
    return list(
        Unit.objects.filter(
            kind__in=[UnitKind.DEPARTMENT, UnitKind.UTILITY, UnitKind.TOWN, UnitKind.COMMUNITY],
            is_virtual=False,
            is_active=True,
        ).order_by("sort", "code")
    )


def liaison_username(unit: Unit) -> str:
    return f"{LIAISON_PREFIX}{unit.code.lower()}"


@transaction.atomic
def demo_staff_create() -> dict[str, int]:
    """The named demo logins and one liaison (联络员, role handler) for every other handling unit.

    Idempotent: existing usernames are left as they are (their passwords too). All new accounts share the password
    :data:`DEMO_PASSWORD`, hashed once.
    """
    refuse_in_production()
    groups = role_groups_ensure()
    personal = Permission.objects.get(codename="view_personal_data", content_type__app_label="orgs")
    centre_code = str(settings.SHANZHI["CENTRE_CODE"])
    units = {u.code: u for u in Unit.objects.all()}
    password = make_password(DEMO_PASSWORD)
    existing = set(User.objects.values_list("username", flat=True))
    created = 0
    named_units: set[str] = set()
    for spec in STAFF:
        unit_code = centre_code if spec.unit == CENTRE else spec.unit
        if Role.HANDLER in spec.roles:
            named_units.add(unit_code)
        if spec.username in existing:
            continue
        unit = units.get(unit_code)
        if unit is None:
            raise ValueError(f"demo staff {spec.username}: unit {unit_code} is not loaded")
        user = User.objects.create(
            username=spec.username,
            password=password,
            display_name=spec.display_name,
            first_name=spec.display_name,
            unit=unit,
            is_staff=spec.superuser,
            is_superuser=spec.superuser,
        )
        user.groups.set([groups[r] for r in spec.roles])
        if spec.personal_data:
            user.user_permissions.add(personal)
        created += 1
    liaisons = 0
    for unit in handling_units():
        username = liaison_username(unit)
        if unit.code in named_units or username in existing:
            continue
        user = User.objects.create(username=username, password=password, display_name=f"{unit.name}联络员", unit=unit)
        user.groups.set([groups[Role.HANDLER]])
        liaisons += 1
    return {"staff": created, "liaisons": liaisons}


@transaction.atomic
def reference_lists_ensure() -> dict[str, int]:
    """The reject reasons and reply templates, added when missing (never overwritten)."""
    reasons = 0
    for code, text in REJECT_REASONS:
        reasons += RejectReason.objects.get_or_create(code=code, defaults={"text": text})[1]
    templates = 0
    for name, body in REPLY_TEMPLATES:
        templates += ReplyTemplate.objects.get_or_create(name=name, defaults={"body": body})[1]
    return {"reject_reasons": reasons, "reply_templates": templates}
