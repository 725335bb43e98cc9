"""Use cases of co-governance, each ``<entity>_<verb>(*, actor, ...)``. Every one checks who may act and what the
state allows (:mod:`shanzhi.cogovern.rules`), writes in one transaction, and refuses with a coded Chinese error.

Residents are not users: their use cases take the verified phone of the portal session (``phone``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals.attachments import read_limited, sniff
from shanzhi.cogovern import access, rules
from shanzhi.cogovern.models import (
    Activity,
    ActivityKind,
    CentreCheck,
    CentreEvidence,
    CheckIn,
    ChecklistItem,
    Demand,
    DemandComment,
    DemandSource,
    DemandState,
    DemandVote,
    Milestone,
    Project,
    ProjectState,
    Resource,
    ResourceKind,
    SignUp,
    SocialForce,
    SocialForceKind,
    TeamKind,
    Volunteer,
    VolunteerTeam,
)
from shanzhi.core import pii
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.orgs.models import Unit, UnitKind, User

MAX_EVIDENCE_PER_ITEM = 10

CHECKIN_SALT = "shanzhi.cogovern.checkin"


# --- helpers ------------------------------------------------------------------------------------------------------


def _require_work(actor: User, community: Unit) -> None:
    if not access.may_work_in(actor, community):
        raise PermissionDenied(_("您无权处理该社区的共治事项"), code="cogovern_forbidden")


def _community(unit: Unit | None) -> Unit:
    if unit is None or unit.kind != UnitKind.COMMUNITY or not unit.is_active:
        raise ValidationFailed(_("请选择所在的村(社区)"), code="community_required")
    return unit


def _text(value: str, *, field: str | Promise, minimum: int, maximum: int) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise ValidationFailed(_("%(field)s至少 %(n)s 个字") % {"field": field, "n": minimum}, code="text_too_short")
    if len(text) > maximum:
        raise ValidationFailed(_("%(field)s不能超过 %(n)s 个字") % {"field": field, "n": maximum}, code="text_too_long")
    return text


def _resident_phone(phone: str) -> str:
    number = pii.normalize_phone(phone or "")
    if not pii.MOBILE_RE.match(number):
        raise PermissionDenied(_("请先用手机号登录"), code="signin_required")
    return number


def _money(value: Decimal | str | int | None) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation as exc:
        raise ValidationFailed(_("金额格式不正确"), code="invalid_amount") from exc
    if amount < 0 or amount >= Decimal("10000000000"):
        raise ValidationFailed(_("金额格式不正确"), code="invalid_amount")
    return amount.quantize(Decimal("0.01"))


def _move_demand(demand: Demand, target: str) -> None:
    if not rules.demand_may_move(demand.state, target):
        raise TransitionNotAllowed(
            _("需求当前为“%(state)s”，不能执行此操作") % {"state": demand.get_state_display()},
            code="demand_transition_not_allowed",
        )
    demand.state = target


def _move_project(project: Project, target: str) -> None:
    if not rules.project_may_move(project.state, target):
        raise TransitionNotAllowed(
            _("项目当前为“%(state)s”，不能执行此操作") % {"state": project.get_state_display()},
            code="project_transition_not_allowed",
        )
    project.state = target


# --- demands (需求清单) ---------------------------------------------------------------------------------------------


def demand_post(*, phone: str, community: Unit | None, title: str, content: str, now: dt.datetime) -> Demand:
    """A resident signed in to the portal posts a demand for their community (at most
    :data:`rules.DEMANDS_PER_DAY` a day per phone)."""
    number = _resident_phone(phone)
    recent = Demand.objects.filter(resident_phone=number, created_at__gt=now - dt.timedelta(days=1)).count()
    if not rules.may_post_demand(recent_demands=recent):
        raise ValidationFailed(_("今天提交的需求已达上限，请明天再提"), code="too_many_demands")
    return Demand.objects.create(
        community=_community(community),
        title=_text(title, field=_("需求"), minimum=4, maximum=100),
        content=_text(content, field=_("详细说明"), minimum=5, maximum=2000),
        source=DemandSource.PORTAL,
        resident_phone=number,
        created_at=now,
    )


def demand_record(
    *, actor: User, community: Unit | None, title: str, content: str, source: str, now: dt.datetime
) -> Demand:
    """Staff (a grid worker, the community) record a demand they collected."""
    unit = _community(community)
    _require_work(actor, unit)
    if source not in (DemandSource.GRID, DemandSource.COMMUNITY):
        raise ValidationFailed(_("需求来源无效"), code="invalid_source")
    return Demand.objects.create(
        community=unit,
        title=_text(title, field=_("需求"), minimum=4, maximum=100),
        content=_text(content, field=_("详细说明"), minimum=5, maximum=2000),
        source=source,
        created_by=actor,
        created_at=now,
    )


def demand_vote(*, phone: str, demand: Demand, now: dt.datetime) -> bool:
    """A resident supports a demand; once per demand and phone. True when the vote is new."""
    number = _resident_phone(phone)
    if demand.state not in rules.OPEN_STATES:
        raise TransitionNotAllowed(_("该需求已结束，不能再支持"), code="demand_closed")
    try:
        with transaction.atomic():
            DemandVote.objects.create(demand=demand, voter_hash=pii.blind_index(number), created_at=now)
            Demand.objects.filter(pk=demand.pk).update(votes=F("votes") + 1)
    except IntegrityError:
        return False
    return True


def demand_comment(*, phone: str, demand: Demand, text: str, now: dt.datetime) -> DemandComment:
    number = _resident_phone(phone)
    if demand.state not in rules.OPEN_STATES:
        raise TransitionNotAllowed(_("该需求已结束，不能再评论"), code="demand_closed")
    return DemandComment.objects.create(
        demand=demand, author_phone=number, text=_text(text, field=_("评论"), minimum=2, maximum=500), created_at=now
    )


@transaction.atomic
def demand_match(*, actor: User, demand: Demand, resource: Resource, note: str = "", now: dt.datetime) -> Demand:
    """Community staff match a demand to a resource of the same community (or of the town above it)."""
    demand = Demand.objects.select_for_update(of=("self",)).select_related("community").get(pk=demand.pk)
    _require_work(actor, demand.community)
    resource = Resource.objects.select_related("community").get(pk=resource.pk)
    if not demand.community.path.startswith(resource.community.path):
        raise ValidationFailed(_("只能匹配本社区的资源"), code="resource_out_of_community")
    open_projects = resource.projects.filter(state__in=[ProjectState.PLANNED, ProjectState.RUNNING]).count()
    if not rules.resource_has_room(
        capacity=resource.capacity, open_projects=open_projects, is_available=resource.is_available
    ):
        raise ValidationFailed(_("该资源当前不可用或已满负荷"), code="resource_unavailable")
    _move_demand(demand, DemandState.MATCHED)
    demand.resource = resource
    demand.match_note = (note or "").strip()[:300]
    demand.matched_at = now
    demand.matched_by = actor
    demand.save(update_fields=["state", "resource", "match_note", "matched_at", "matched_by"])
    return demand


@transaction.atomic
def demand_decline(*, actor: User, demand: Demand, reason: str, now: dt.datetime) -> Demand:
    demand = Demand.objects.select_for_update(of=("self",)).select_related("community").get(pk=demand.pk)
    _require_work(actor, demand.community)
    reason = _text(reason, field=_("未采纳原因"), minimum=2, maximum=300)
    _move_demand(demand, DemandState.DECLINED)
    demand.decline_reason = reason
    demand.save(update_fields=["state", "decline_reason"])
    return demand


# --- resources (资源清单) and social forces ---------------------------------------------------------------------------


def resource_create(
    *,
    actor: User,
    community: Unit | None,
    kind: str,
    name: str,
    description: str = "",
    provider: SocialForce | None = None,
    capacity: int = 1,
    is_available: bool = True,
    now: dt.datetime,
) -> Resource:
    unit = _community(community)
    _require_work(actor, unit)
    if kind not in ResourceKind.values:
        raise ValidationFailed(_("资源类型无效"), code="invalid_resource_kind")
    if provider is not None and provider.community_id != unit.pk:
        raise ValidationFailed(_("提供方须在本社区登记"), code="provider_out_of_community")
    if capacity < 1 or capacity > 10000:
        raise ValidationFailed(_("容量须在 1 到 10000 之间"), code="invalid_capacity")
    return Resource.objects.create(
        community=unit,
        kind=kind,
        name=_text(name, field=_("名称"), minimum=2, maximum=100),
        description=(description or "").strip()[:500],
        provider=provider,
        capacity=capacity,
        is_available=is_available,
        created_at=now,
    )


def resource_set_available(*, actor: User, resource: Resource, is_available: bool) -> Resource:
    _require_work(actor, resource.community)
    resource.is_available = is_available
    resource.save(update_fields=["is_available"])
    return resource


def social_force_register(
    *,
    actor: User,
    community: Unit | None,
    kind: str,
    name: str,
    services: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    now: dt.datetime,
) -> SocialForce:
    unit = _community(community)
    _require_work(actor, unit)
    if kind not in SocialForceKind.values:
        raise ValidationFailed(_("社会力量类别无效"), code="invalid_force_kind")
    phone = pii.normalize_phone(contact_phone or "")
    if phone and not pii.citizen_phone_is_valid(phone):
        raise ValidationFailed(_("联系电话格式不正确"), code="invalid_phone")
    return SocialForce.objects.create(
        community=unit,
        kind=kind,
        name=_text(name, field=_("名称"), minimum=2, maximum=100),
        services=(services or "").strip()[:300],
        contact_name=(contact_name or "").strip()[:50],
        contact_phone=phone,
        created_at=now,
    )


# --- projects (项目清单) ---------------------------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    actor: User,
    demand: Demand,
    title: str,
    owner: User | None = None,
    budget: Decimal | str | int | None = None,
    beneficiaries: int = 0,
    milestones: list[tuple[str, dt.date | None]] | None = None,
    now: dt.datetime,
) -> Project:
    """A matched demand becomes a project (立项) with its resource, owner, budget and milestones."""
    demand = Demand.objects.select_for_update(of=("self",)).select_related("community", "resource").get(pk=demand.pk)
    _require_work(actor, demand.community)
    if demand.resource is None:
        raise TransitionNotAllowed(_("需求尚未匹配资源，不能立项"), code="demand_not_matched")
    if Project.objects.filter(demand=demand).exclude(state=ProjectState.CANCELLED).exists():
        raise TransitionNotAllowed(_("该需求已立项"), code="project_exists")
    _move_demand(demand, DemandState.IN_PROJECT)
    if owner is not None and not (owner.is_active and access.may_work_in(owner, demand.community)):
        raise ValidationFailed(_("项目负责人须为本社区的工作人员"), code="invalid_owner")
    if beneficiaries < 0 or beneficiaries > 10_000_000:
        raise ValidationFailed(_("受益人数不正确"), code="invalid_beneficiaries")
    project = Project.objects.create(
        community=demand.community,
        demand=demand,
        resource=demand.resource,
        title=_text(title or demand.title, field=_("项目名称"), minimum=2, maximum=100),
        owner=owner or actor,
        budget=_money(budget),
        beneficiaries=beneficiaries,
        created_at=now,
    )
    for name, due in milestones or []:
        if name.strip():
            Milestone.objects.create(project=project, title=name.strip()[:100], due_on=due)
    demand.save(update_fields=["state"])
    return project


def _project_locked(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).select_related("community", "demand").get(pk=project.pk)


@transaction.atomic
def project_start(*, actor: User, project: Project, now: dt.datetime) -> Project:
    project = _project_locked(project)
    _require_work(actor, project.community)
    _move_project(project, ProjectState.RUNNING)
    project.started_at = now
    project.save(update_fields=["state", "started_at"])
    return project


@transaction.atomic
def project_finish(*, actor: User, project: Project, result: str, now: dt.datetime) -> Project:
    """The project is done: its demand is done, and the resident sees it in the portal."""
    project = _project_locked(project)
    _require_work(actor, project.community)
    result = _text(result, field=_("完成情况"), minimum=2, maximum=500)
    _move_project(project, ProjectState.FINISHED)
    project.result = result
    project.finished_at = now
    project.save(update_fields=["state", "result", "finished_at"])
    demand = Demand.objects.select_for_update(of=("self",)).get(pk=project.demand_id)
    _move_demand(demand, rules.demand_state_after_project(ProjectState.FINISHED))
    demand.done_at = now
    demand.save(update_fields=["state", "done_at"])
    return project


@transaction.atomic
def project_cancel(*, actor: User, project: Project, reason: str, now: dt.datetime) -> Project:
    """Withdraw a project: the demand goes back to matched, to be planned again."""
    project = _project_locked(project)
    _require_work(actor, project.community)
    reason = _text(reason, field=_("撤销原因"), minimum=2, maximum=500)
    _move_project(project, ProjectState.CANCELLED)
    project.result = reason
    project.save(update_fields=["state", "result"])
    demand = Demand.objects.select_for_update(of=("self",)).get(pk=project.demand_id)
    _move_demand(demand, rules.demand_state_after_project(ProjectState.CANCELLED))
    demand.save(update_fields=["state"])
    return project


def milestone_done(*, actor: User, milestone: Milestone, now: dt.datetime) -> Milestone:
    project = milestone.project
    _require_work(actor, project.community)
    if project.state not in (ProjectState.PLANNED, ProjectState.RUNNING):
        raise TransitionNotAllowed(_("项目已结束，不能更新节点"), code="project_closed")
    if milestone.done_at is None:
        milestone.done_at = now
        milestone.save(update_fields=["done_at"])
    return milestone


# --- volunteers, activities, QR check-in ----------------------------------------------------------------------


def team_create(*, actor: User, community: Unit | None, name: str, kind: str, now: dt.datetime) -> VolunteerTeam:
    unit = _community(community)
    _require_work(actor, unit)
    if kind not in TeamKind.values:
        raise ValidationFailed(_("队伍类型无效"), code="invalid_team_kind")
    name = _text(name, field=_("队伍名称"), minimum=2, maximum=100)
    if VolunteerTeam.objects.filter(community=unit, name=name).exists():
        raise ValidationFailed(_("本社区已有同名队伍"), code="team_exists")
    return VolunteerTeam.objects.create(community=unit, name=name, kind=kind, created_at=now)


def volunteer_register(
    *, actor: User, team: VolunteerTeam, name: str, phone: str, skills: str = "", now: dt.datetime
) -> Volunteer:
    _require_work(actor, team.community)
    number = pii.normalize_phone(phone or "")
    if not pii.MOBILE_RE.match(number):
        raise ValidationFailed(_("请填写正确的手机号"), code="invalid_phone")
    if Volunteer.objects.filter(team=team, phone=number).exists():
        raise ValidationFailed(_("该手机号已在本队登记"), code="volunteer_exists")
    return Volunteer.objects.create(
        team=team,
        name=_text(name, field=_("姓名"), minimum=2, maximum=50),
        phone=number,
        skills=(skills or "").strip()[:200],
        created_at=now,
    )


@dataclass(frozen=True)
class ActivityPlan:
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal
    place: str = ""
    kind: str = ActivityKind.SERVICE
    capacity: int = 20


def activity_create(
    *, actor: User, community: Unit | None, team: VolunteerTeam | None, plan: ActivityPlan, now: dt.datetime
) -> Activity:
    unit = _community(community)
    _require_work(actor, unit)
    if team is not None and team.community_id != unit.pk:
        raise ValidationFailed(_("组织队伍须属于本社区"), code="team_out_of_community")
    if plan.ends_at <= plan.starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间"), code="invalid_period")
    if plan.kind not in ActivityKind.values:
        raise ValidationFailed(_("活动类型无效"), code="invalid_activity_kind")
    hours = Decimal(str(plan.hours))
    if hours <= 0 or hours > 24:
        raise ValidationFailed(_("服务时长须在 0 到 24 小时之间"), code="invalid_hours")
    return Activity.objects.create(
        community=unit,
        team=team,
        kind=plan.kind,
        title=_text(plan.title, field=_("活动名称"), minimum=2, maximum=100),
        place=plan.place.strip()[:200],
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        hours=hours.quantize(Decimal("0.1")),
        capacity=max(1, plan.capacity),
        created_at=now,
    )


def checkin_token(activity: Activity) -> str:
    """The signed token of an activity's QR code (one per activity; it names the activity and cannot be forged)."""
    return signing.dumps({"a": activity.pk}, salt=CHECKIN_SALT, compress=False)


def activity_from_token(token: str) -> Activity:
    try:
        payload = signing.loads(token, salt=CHECKIN_SALT)
    except signing.BadSignature as exc:
        raise NotFound(_("签到码无效"), code="invalid_checkin_token") from exc
    activity = Activity.objects.select_related("community").filter(pk=payload.get("a")).first()
    if activity is None:
        raise NotFound(_("签到码无效"), code="invalid_checkin_token")
    return activity


def _volunteer_for(activity: Activity, phone: str) -> Volunteer:
    """The registered volunteer of the activity's community with this phone."""
    volunteer = (
        Volunteer.objects.filter(phone=phone, is_active=True, team__community=activity.community).order_by("pk").first()
    )
    if volunteer is None:
        raise PermissionDenied(_("您尚未在本社区登记为志愿者"), code="not_a_volunteer")
    return volunteer


def activity_sign_up(*, phone: str, activity: Activity, now: dt.datetime) -> SignUp:
    volunteer = _volunteer_for(activity, _resident_phone(phone))
    if now >= activity.ends_at:
        raise TransitionNotAllowed(_("活动已结束"), code="activity_over")
    existing = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if existing:
        return existing
    if activity.signups.count() >= activity.capacity:
        raise ValidationFailed(_("报名人数已满"), code="activity_full")
    return SignUp.objects.create(activity=activity, volunteer=volunteer, created_at=now)


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    created: bool


def volunteer_check_in(*, volunteer: Volunteer, activity: Activity, now: dt.datetime) -> CheckInResult:
    """Count ``volunteer`` present at ``activity``: once, however often the code is scanned. The unique constraint
    (activity, volunteer) holds it even when two scans race."""
    if volunteer.team.community_id != activity.community_id:
        raise PermissionDenied(_("您尚未在本社区登记为志愿者"), code="not_a_volunteer")
    opens = activity.starts_at - dt.timedelta(hours=1)
    closes = activity.ends_at + dt.timedelta(hours=2)
    if not (opens <= now <= closes):
        raise TransitionNotAllowed(_("不在活动签到时间内"), code="checkin_closed")
    existing = CheckIn.objects.filter(activity=activity, volunteer=volunteer).first()
    if existing is not None:
        return CheckInResult(existing, False)
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(activity=activity, volunteer=volunteer, hours=activity.hours, at=now)
    except IntegrityError:
        return CheckInResult(CheckIn.objects.get(activity=activity, volunteer=volunteer), False)
    return CheckInResult(checkin, True)


def check_in_by_staff(*, actor: User, activity: Activity, volunteer: Volunteer, now: dt.datetime) -> CheckInResult:
    """Staff check a volunteer in on the spot (no phone at hand): the same rule, the same once-only count."""
    _require_work(actor, activity.community)
    return volunteer_check_in(volunteer=volunteer, activity=activity, now=now)


def check_in_by_qr(*, token: str, phone: str, now: dt.datetime) -> CheckInResult:
    """A volunteer signed in to the portal scans the activity's QR code."""
    activity = activity_from_token(token)
    volunteer = _volunteer_for(activity, _resident_phone(phone))
    return volunteer_check_in(volunteer=volunteer, activity=activity, now=now)


# --- standardised centres (标准化中心) -----------------------------------------------------------------------------


def centre_check_set(
    *, actor: User, unit: Unit, item: ChecklistItem, is_met: bool, evidence: str, now: dt.datetime
) -> CentreCheck:
    """Record (or review) one centre's standing on one checklist item."""
    _check_centre_item(actor, unit, item)
    if is_met and len((evidence or "").strip()) < 2:
        raise ValidationFailed(_("达标须填写佐证说明"), code="evidence_required")
    check, _created = CentreCheck.objects.update_or_create(
        unit=unit,
        item=item,
        defaults={
            "is_met": is_met,
            "evidence": (evidence or "").strip()[:500],
            "reviewed_by": actor,
            "reviewed_at": now,
        },
    )
    return check


def _check_centre_item(actor: User, unit: Unit, item: ChecklistItem) -> None:
    if not access.may_keep_checklist(actor) and not access.may_work_in(actor, unit):
        raise PermissionDenied(_("您无权评估该中心"), code="cogovern_forbidden")
    expected = {UnitKind.TOWN: "town", UnitKind.COMMUNITY: "community"}.get(UnitKind(unit.kind))
    if expected != item.level or not item.is_active:
        raise ValidationFailed(_("该标准项不适用于此层级的中心"), code="checklist_level_mismatch")


def centre_evidence_add(
    *, actor: User, unit: Unit, item: ChecklistItem, upload: IO[bytes], name: str, now: dt.datetime
) -> CentreEvidence:
    """Store one evidence file (a picture, PDF, Word or Excel file; the type is sniffed from the bytes)."""
    _check_centre_item(actor, unit, item)
    data = read_limited(upload, int(settings.SHANZHI["ATTACHMENT_MAX_BYTES"]))
    mime, ext = sniff(data)
    if CentreEvidence.objects.filter(unit=unit, item=item).count() >= MAX_EVIDENCE_PER_ITEM:
        raise ValidationFailed(
            _("每项最多上传 %(n)s 份佐证材料") % {"n": MAX_EVIDENCE_PER_ITEM}, code="too_many_evidence_files"
        )
    evidence = CentreEvidence(
        unit=unit,
        item=item,
        original_name=(name or f"evidence.{ext}").rsplit("/", 1)[-1][:200],
        content_type=mime,
        size=len(data),
        uploaded_by=actor,
        uploaded_at=now,
    )
    evidence.file.save(
        f"{unit.code}-{item.code}-{hashlib.sha256(data).hexdigest()[:12]}.{ext}", ContentFile(data), save=False
    )
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence
