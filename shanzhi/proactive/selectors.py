"""Reads for the dispatcher's screen and the dashboard."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shanzhi.appeals.models import Appeal
from shanzhi.orgs.models import Unit
from shanzhi.proactive.duplicates import EXCLUDED_STATES
from shanzhi.proactive.models import LIVE_HOTSPOT_STATES, DuplicateProposal, Hotspot, ProposalState


def proposals_for_appeal(appeal: Appeal) -> QuerySet[DuplicateProposal]:
    """Pending merge proposals of one appeal whose master is still live, best first (for the appeal's page)."""
    return (
        DuplicateProposal.objects.filter(appeal=appeal, state=ProposalState.PROPOSED)
        .exclude(master__state__in=EXCLUDED_STATES)
        .select_related("master", "master__area", "master__category")
        .order_by("-score", "master_id")
    )


def proposals_pending() -> QuerySet[DuplicateProposal]:
    """Every pending proposal (the dispatcher's 疑似重复件 queue), newest first."""
    return (
        DuplicateProposal.objects.filter(state=ProposalState.PROPOSED)
        .exclude(master__state__in=EXCLUDED_STATES)
        .exclude(appeal__state__in=EXCLUDED_STATES)
        .select_related("appeal", "master")
        .order_by("-created_at", "-score")
    )


def hotspots_live(*, unit: Unit | None = None) -> QuerySet[Hotspot]:
    """Open and acknowledged hotspots, latest activity first; with ``unit``, those in or alerted to its area."""
    query = Hotspot.objects.filter(state__in=LIVE_HOTSPOT_STATES)
    if unit is not None:
        query = query.filter(Q(area__path__startswith=unit.path) | Q(alert_unit=unit))
    return query.select_related("area", "community", "alert_unit", "category").order_by("-last_at")


def hotspot_members(hotspot: Hotspot) -> QuerySet[Appeal]:
    return hotspot.appeals.select_related("area", "category").order_by("-created_at")
