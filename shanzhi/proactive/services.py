"""Duplicate proposals (a dispatcher accepts → the appeals are merged) and hotspot detection and handling."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.appeals import rules
from shanzhi.appeals.events import record_event
from shanzhi.appeals.guards import lock_appeal
from shanzhi.appeals.models import Appeal, EventKind
from shanzhi.appeals.principals import SYSTEM_PROACTIVE
from shanzhi.appeals.services import appeal_merge
from shanzhi.core import clock
from shanzhi.core.errors import PermissionDenied, TransitionNotAllowed
from shanzhi.notifications.unit_alerts import unit_alert_queue
from shanzhi.orgs import permissions
from shanzhi.orgs.models import Unit, UnitKind, User
from shanzhi.proactive.duplicates import MERGEABLE_STATES, DuplicateSettings, duplicates_find
from shanzhi.proactive.hotspots import Cluster, clusters_find, hotspot_facts, min_text_configured, windows_configured
from shanzhi.proactive.models import (
    LIVE_HOTSPOT_STATES,
    DuplicateProposal,
    Hotspot,
    HotspotEvent,
    HotspotEventKind,
    HotspotState,
    ProposalState,
)
from shanzhi.routing.models import Category

logger = logging.getLogger(__name__)

MAX_PROPOSALS = 3


# --- duplicates -------------------------------------------------------------------------------------------------


def duplicates_propose_for(appeal: Appeal, *, conf: DuplicateSettings | None = None) -> list[DuplicateProposal]:
    """Record merge proposals for ``appeal`` (the best few earlier appeals it repeats); idempotent.

    A pair proposed before keeps its state: a dismissed proposal is never raised again, a pending one gets the
    new score and reasons. Returns the pending proposals of ``appeal``, best first.
    """
    if appeal.state not in MERGEABLE_STATES or appeal.master_id:
        return []
    now = clock.now()
    for match in duplicates_find(appeal, conf=conf)[:MAX_PROPOSALS]:
        reasons = match.explanation[:300]
        proposal, created = DuplicateProposal.objects.get_or_create(
            appeal_id=match.appeal_id,
            master_id=match.master_id,
            defaults={"score": match.score, "reasons": reasons, "created_at": now},
        )
        if (
            not created
            and proposal.state == ProposalState.PROPOSED
            and (proposal.score, proposal.reasons)
            != (
                match.score,
                reasons,
            )
        ):
            proposal.score, proposal.reasons = match.score, reasons
            proposal.save(update_fields=["score", "reasons"])
    return list(
        DuplicateProposal.objects.filter(appeal=appeal, state=ProposalState.PROPOSED)
        .select_related("master")
        .order_by("-score", "master_id")
    )


def duplicates_sweep(*, now: dt.datetime, since: dt.timedelta = dt.timedelta(hours=2)) -> int:
    """Propose for every live appeal registered in the last ``since``; returns how many appeals were looked at."""
    appeals = Appeal.objects.filter(
        created_at__gte=now - since, state__in=MERGEABLE_STATES, master__isnull=True
    ).select_related("area", "category")
    count = 0
    for appeal in appeals.iterator(chunk_size=200):
        duplicates_propose_for(appeal)
        count += 1
    return count


def _lock_proposal(proposal: DuplicateProposal) -> DuplicateProposal:
    locked = DuplicateProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != ProposalState.PROPOSED:
        raise TransitionNotAllowed(_("该重复件建议已处理"), code="proposal_decided", state=locked.state)
    return locked


@transaction.atomic
def duplicate_accept(*, actor: User, proposal: DuplicateProposal) -> DuplicateProposal:
    """合并: the appeal joins its master (through :func:`appeal_merge`, which checks role and states)."""
    first, second = sorted([proposal.appeal_id, proposal.master_id])
    lock_appeal(first), lock_appeal(second)  # the appeals first, by id (one lock order), then the proposal
    proposal = _lock_proposal(proposal)
    appeal_merge(
        actor=actor,
        appeal=proposal.appeal,
        master=proposal.master,
        reason=str(_("系统提示重复件（%(reasons)s），派单员确认合并")) % {"reasons": proposal.reasons},
    )
    at = clock.now()
    proposal.state, proposal.decided_by, proposal.decided_at = ProposalState.ACCEPTED, actor, at
    proposal.save(update_fields=["state", "decided_by", "decided_at"])
    # The merged appeal can neither be merged again nor be anybody's master.
    others = DuplicateProposal.objects.filter(state=ProposalState.PROPOSED).filter(
        Q(appeal_id=proposal.appeal_id) | Q(master_id=proposal.appeal_id)
    )
    dismissed = sorted(others.values_list("pk", flat=True))
    others.filter(pk__in=dismissed).update(state=ProposalState.DISMISSED, decided_by=actor, decided_at=at)
    record_event(
        appeal=proposal.appeal,
        kind=EventKind.NOTE,
        at=at,
        actor=actor,
        reason=str(_("确认重复件建议并合并")),
        payload={"duplicate_proposal": proposal.pk, "decision": "accepted", "dismissed_with_it": dismissed},
        is_public=False,
    )
    return proposal


@transaction.atomic
def duplicate_dismiss(*, actor: User, proposal: DuplicateProposal) -> DuplicateProposal:
    """Not a duplicate: the pair is not proposed again."""
    if not rules.role_may("merge", actor.role_codes):
        raise PermissionDenied(_("您的角色不能处理重复件"), code="role_not_allowed", action="merge")
    lock_appeal(proposal.appeal_id)  # the appeal first (one lock order), then the proposal
    proposal = _lock_proposal(proposal)
    proposal.state, proposal.decided_by, proposal.decided_at = ProposalState.DISMISSED, actor, clock.now()
    proposal.save(update_fields=["state", "decided_by", "decided_at"])
    record_event(
        appeal=proposal.appeal,
        kind=EventKind.NOTE,
        at=proposal.decided_at,
        actor=actor,
        reason=str(_("重复件建议已忽略（主诉求 %(no)s）")) % {"no": proposal.master.tracking_no},
        payload={"duplicate_proposal": proposal.pk, "decision": "dismissed", "master": proposal.master.tracking_no},
        is_public=False,
    )
    return proposal


# --- hotspots ---------------------------------------------------------------------------------------------------


@dataclass
class DetectReport:
    created: int = 0
    extended: int = 0
    unchanged: int = 0
    closed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _hotspot_event(
    hotspot: Hotspot,
    kind: str,
    *,
    at: dt.datetime,
    actor: User | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    payload: dict | None = None,
) -> HotspotEvent:
    """Append one line to the hotspot's history (``by`` names the system when no staff member acted)."""
    return HotspotEvent.objects.create(
        hotspot=hotspot,
        kind=kind,
        actor=actor,
        by="" if actor is not None else SYSTEM_PROACTIVE.code,
        from_state=from_state,
        to_state=to_state,
        note=note[:300],
        payload=payload or {},
        created_at=at,
    )


def _alert_text(hotspot: Hotspot) -> str:
    return str(
        _("【热点预警】%(area)s %(window)s内%(callers)s人反映“%(summary)s”（%(count)s件），请登录工作台处置")
    ) % {
        "area": hotspot.area.name,
        "window": hotspot.get_window_display(),
        "callers": hotspot.caller_count,
        "summary": hotspot.summary,
        "count": hotspot.appeal_count,
    }


def _alert(hotspot: Hotspot, unit: Unit, *, now: dt.datetime) -> None:
    """The alert reaches the territorial unit twice: on its console's hotspot board (the row, alerted to ``unit``)
    and by SMS to its duty phone through the outbox (delivered after commit, with retries)."""
    message = unit_alert_queue(phone=unit.phone, text=_alert_text(hotspot), dedupe_key=f"hotspot:{hotspot.pk}")
    _hotspot_event(
        hotspot,
        HotspotEventKind.ALERTED,
        at=now,
        payload={"unit": unit.code, "outbox_message": message.pk if message else None, "sms": message is not None},
    )


def _summary(cluster: Cluster, category: Category | None) -> str:
    if category is not None:
        return category.path[:200]
    first = Appeal.objects.filter(pk=cluster.member_ids[0]).values_list("title", flat=True).first() or ""
    return f"相似诉求：{first}"[:200]


def _territorial_unit(community: Unit) -> Unit:
    """Who is alerted: the town (街道/镇) over the community, else the community itself."""
    parent = community.parent
    return parent if parent is not None and parent.kind == UnitKind.TOWN else community


def _live_match(cluster: Cluster) -> Hotspot | None:
    live = Hotspot.objects.select_for_update().filter(
        community__code=cluster.community_code, window=cluster.window, key=cluster.key, state__in=LIVE_HOTSPOT_STATES
    )
    if cluster.key == "text":
        live = live.filter(appeals__id__in=cluster.member_ids)
    return live.order_by("created_at").first()


def _extend(hotspot: Hotspot, cluster: Cluster, *, now: dt.datetime) -> bool:
    known = set(hotspot.appeals.values_list("id", flat=True))
    new = [i for i in cluster.member_ids if i not in known]
    if not new:
        return False
    hotspot.appeals.add(*new)
    ids = known | set(new)
    phones = Appeal.objects.filter(id__in=ids).values_list("id", "citizen_phone")
    hotspot.appeal_count = len(ids)
    hotspot.caller_count = len({phone or f"#{pk}" for pk, phone in phones})
    hotspot.first_at = min(hotspot.first_at, cluster.first_at)
    hotspot.last_at = max(hotspot.last_at, cluster.last_at)
    if hotspot.area.code != cluster.area_code:
        hotspot.area = hotspot.community  # the members now span more than one grid
    hotspot.updated_at = now
    hotspot.save()
    _hotspot_event(hotspot, HotspotEventKind.EXTENDED, at=now, payload={"appeals": new, "count": len(ids)})
    return True


def _create(cluster: Cluster, *, now: dt.datetime) -> Hotspot:
    units = {u.code: u for u in Unit.objects.filter(code__in={cluster.community_code, cluster.area_code})}
    community = Unit.objects.select_related("parent").get(code=cluster.community_code)
    category = Category.objects.filter(pk=cluster.category_l2_id).first() if cluster.category_l2_id else None
    alert_unit = _territorial_unit(community)
    hotspot = Hotspot.objects.create(
        community=community,
        area=units.get(cluster.area_code, community),
        alert_unit=alert_unit,
        category=category,
        key=cluster.key,
        window=cluster.window,
        summary=_summary(cluster, category),
        appeal_count=len(cluster.members),
        caller_count=cluster.callers,
        first_at=cluster.first_at,
        last_at=cluster.last_at,
        created_at=now,
        updated_at=now,
        alert_sent=True,
        alerted_at=now,
    )
    hotspot.appeals.add(*cluster.member_ids)
    _hotspot_event(
        hotspot,
        HotspotEventKind.RAISED,
        at=now,
        to_state=HotspotState.OPEN,
        payload={"appeals": cluster.member_ids, "window": cluster.window, "key": cluster.key},
    )
    _alert(hotspot, alert_unit, now=now)
    logger.warning(
        "hotspot %s raised: unit %s, window %s, %s appeals from %s callers",
        hotspot.pk,
        alert_unit.code,
        cluster.window,
        hotspot.appeal_count,
        hotspot.caller_count,
    )
    return hotspot


def hotspot_upsert(cluster: Cluster, *, now: dt.datetime) -> str:
    """Extend the live hotspot of this cluster, or raise a new one. Returns "created", "extended" or "unchanged"."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                hotspot = _live_match(cluster)
                if hotspot is not None:
                    return "extended" if _extend(hotspot, cluster, now=now) else "unchanged"
                _create(cluster, now=now)
                return "created"
        except IntegrityError:
            continue  # another worker raised it at the same moment: extend theirs
    return "unchanged"


def hotspots_detect(*, now: dt.datetime) -> DetectReport:
    """Find the clusters of every configured window, raise or extend their hotspots, close quiet open ones."""
    report = DetectReport()
    windows = windows_configured()
    if not windows:
        return report
    longest = max(w.length for w in windows)
    facts = hotspot_facts(since=now - longest, until=now)
    min_text = min_text_configured()
    for window in windows:
        for cluster in clusters_find(facts, window=window, now=now, min_text=min_text):
            outcome = hotspot_upsert(cluster, now=now)
            setattr(report, outcome, getattr(report, outcome) + 1)
        report.closed += _close_quiet(window_name=window.name, before=now - window.length, now=now)
    return report


def _close_quiet(*, window_name: str, before: dt.datetime, now: dt.datetime) -> int:
    """Close the open hotspots of a window that had no new appeal within it, each with its event."""
    note = str(_("时间窗内无新增诉求，自动关闭"))
    with transaction.atomic():
        quiet = list(
            Hotspot.objects.select_for_update()
            .filter(state=HotspotState.OPEN, window=window_name, last_at__lt=before)
            .order_by("pk")
        )
        for hotspot in quiet:
            _hotspot_event(
                hotspot,
                HotspotEventKind.CLOSED,
                at=now,
                from_state=hotspot.state,
                to_state=HotspotState.CLOSED,
                note=note,
            )
        Hotspot.objects.filter(pk__in=[h.pk for h in quiet]).update(
            state=HotspotState.CLOSED, note=note, updated_at=now
        )
    return len(quiet)


def _check_hotspot_actor(actor: User, hotspot: Hotspot) -> None:
    if permissions.may_act_on_area_hotspot(actor, area_path=hotspot.area.path):
        return
    raise PermissionDenied(_("您不能处理该热点"), code="hotspot_not_yours")


@transaction.atomic
def hotspot_decide(*, actor: User, hotspot: Hotspot, state: str, note: str = "") -> Hotspot:
    """已关注 (acknowledged) or 已关闭 (closed), by the centre or the territorial unit."""
    hotspot = Hotspot.objects.select_for_update().select_related("area").get(pk=hotspot.pk)
    _check_hotspot_actor(actor, hotspot)
    allowed = {
        HotspotState.OPEN: {HotspotState.ACKNOWLEDGED, HotspotState.CLOSED},
        HotspotState.ACKNOWLEDGED: {HotspotState.CLOSED},
    }
    if state not in allowed.get(HotspotState(hotspot.state), set()):
        raise TransitionNotAllowed(_("热点当前状态下不能执行此操作"), code="hotspot_transition", state=hotspot.state)
    from_state = hotspot.state
    hotspot.state, hotspot.decided_by, hotspot.note = state, actor, note.strip()[:300]
    hotspot.updated_at = clock.now()
    hotspot.save(update_fields=["state", "decided_by", "note", "updated_at"])
    _hotspot_event(
        hotspot, state, at=hotspot.updated_at, actor=actor, from_state=from_state, to_state=state, note=hotspot.note
    )
    return hotspot
