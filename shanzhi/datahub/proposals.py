"""Corrections of the hub's persons and buildings from the ground (信息更正): a grid worker (or anyone who works in the
element's area) proposes new values, someone of the community or the centre reviews, and only an approved proposal
changes the hub. Old and new values are kept on the proposal; a phone number is kept encrypted and shown masked.

- Who proposes: a hub user who sees the element (``selectors``: their grid, community, town, or the centre).
- Who reviews: a unit head of a community or town, or the centre's data staff, who sees the element — never the
  person who proposed it.
- An approval re-checks that the element still has the old values the proposal was made against; if someone (an
  import, another proposal) changed them since, the proposal is marked 已失效 and nothing is applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shanzhi.core import clock, pii
from shanzhi.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from shanzhi.datahub import selectors
from shanzhi.datahub.models import (
    BuildingUse,
    ChangeProposal,
    HubBuilding,
    Person,
    ProposalState,
    Relation,
    Residence,
)
from shanzhi.orgs import permissions
from shanzhi.orgs.models import UnitKind, User


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # "choice", "int", "text", "phone"
    choices: tuple[tuple[str, str], ...] = ()
    low: int = 0
    high: int = 0
    max_length: int = 0
    blank: bool = False


FIELDS: dict[str, tuple[Field, ...]] = {
    "person": (
        Field("residence", "人口类型", "choice", tuple(Residence.choices)),
        Field("relation", "与户主关系", "choice", tuple(Relation.choices), blank=True),
        Field("phone", "电话", "phone", blank=True),
    ),
    "building": (
        Field("name", "名称", "text", max_length=100),
        Field("address_text", "地址", "text", max_length=200, blank=True),
        Field("use", "用途", "choice", tuple(BuildingUse.choices)),
        Field("floors", "层数", "int", low=1, high=200),
        Field("entrances", "单元数", "int", low=1, high=50),
    ),
}
MODELS = {"person": Person, "building": HubBuilding}


# --- pure rules ---------------------------------------------------------------------------------------------------


def clean_value(spec: Field, raw: Any) -> Any:
    """One proposed value as it would be stored, or a coded refusal naming the field."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        if spec.blank:
            return ""
        raise ValidationFailed(
            _("「%(f)s」不能为空") % {"f": spec.label}, code="proposal_value_required", field=spec.name
        )
    if spec.kind == "choice":
        for code, label in spec.choices:
            if text in (code, label):
                return code
        raise ValidationFailed(
            _("「%(f)s」的取值无效") % {"f": spec.label}, code="proposal_choice_invalid", field=spec.name
        )
    if spec.kind == "int":
        if not text.isdigit() or not spec.low <= int(text) <= spec.high:
            raise ValidationFailed(
                _("「%(f)s」应为 %(lo)s–%(hi)s 的整数") % {"f": spec.label, "lo": spec.low, "hi": spec.high},
                code="proposal_out_of_range",
                field=spec.name,
            )
        return int(text)
    if spec.kind == "phone":
        phone = pii.normalize_phone(text)
        if not pii.citizen_phone_is_valid(phone):
            raise ValidationFailed(_("电话号码无效"), code="proposal_phone_invalid", field=spec.name)
        return phone
    if len(text) > spec.max_length:
        raise ValidationFailed(
            _("「%(f)s」不能超过 %(n)s 字") % {"f": spec.label, "n": spec.max_length},
            code="proposal_too_long",
            field=spec.name,
        )
    return text


def shown(spec: Field, value: Any) -> str:
    """A value as the review page shows it: a choice by its label, a phone masked."""
    if value in ("", None):
        return "—"
    if spec.kind == "choice":
        return dict(spec.choices).get(str(value), str(value))
    if spec.kind == "phone":
        return pii.mask_phone(str(value))
    return str(value)


# --- reading the element ------------------------------------------------------------------------------------------


def _current(kind: str, element: Any, spec: Field) -> Any:
    if spec.kind == "phone":
        return element.phone_clear() if element.phone_cipher else ""
    return getattr(element, spec.name)


def element_get(user: User, kind: str, pk: int) -> Any:
    if kind == "person":
        return selectors.person_get(user, pk)
    if kind == "building":
        return selectors.building_get(user, pk)
    raise NotFound(code="proposal_kind_unknown")


# --- who may ----------------------------------------------------------------------------------------------------


def may_review(user: User) -> bool:
    if permissions.holds(user, permissions.WHOLE_DISTRICT_ROLES):
        return True
    unit = getattr(user, "unit", None)
    return bool(
        unit is not None
        and unit.kind in (UnitKind.COMMUNITY, UnitKind.TOWN)
        and permissions.is_territorial_staff(user)
        and permissions.holds(user, {"unit_head"})
    )


# --- services ---------------------------------------------------------------------------------------------------


def proposal_submit(
    *, actor: User, kind: str, element_id: int, values: Mapping[str, Any], note: str = ""
) -> ChangeProposal:
    """Propose new values for the fields given (only those that differ are kept); nothing changes in the hub yet."""
    if not selectors.may_use_hub(actor):
        raise PermissionDenied(_("您不能更正治理数据"), code="proposal_forbidden")
    try:
        element = element_get(actor, kind, element_id)
    except NotFound:
        raise NotFound(_("要素不存在或不在您的管辖范围内"), code="proposal_element_not_found") from None
    changes: dict[str, dict[str, str]] = {}
    clean: dict[str, Any] = {}
    phone_cipher = ""
    for spec in FIELDS[kind]:
        if spec.name not in values:
            continue
        new = clean_value(spec, values[spec.name])
        old = _current(kind, element, spec)
        if new == old:
            continue
        changes[spec.name] = {"old": shown(spec, old), "new": shown(spec, new)}
        if spec.kind == "phone":
            phone_cipher = pii.encrypt(new) if new else ""
            clean[spec.name] = {"old_hash": pii.blind_index(old) if old else "", "clear": bool(new)}
        else:
            clean[spec.name] = {"old": old, "new": new}
    if not changes:
        raise ValidationFailed(_("没有需要更正的内容"), code="proposal_no_change")
    return ChangeProposal.objects.create(
        element_kind=kind,
        element_id=element.pk,
        area_path=element.area_path,
        changes=changes,
        values=clean,
        phone_cipher=phone_cipher,
        note=note.strip()[:300],
        proposed_by=actor,
        proposed_at=clock.now(),
    )


def proposals_to_review(user: User) -> QuerySet[ChangeProposal]:
    """Pending proposals about elements in ``user``'s scope (a reviewer's list); nobody else gets any."""
    if not may_review(user):
        return ChangeProposal.objects.none()
    return ChangeProposal.objects.filter(selectors.scope_q(user), state=ProposalState.PENDING).select_related(
        "proposed_by"
    )


def proposals_made_by(user: User) -> QuerySet[ChangeProposal]:
    return ChangeProposal.objects.filter(proposed_by=user)


def _still_as_proposed(kind: str, element: Any, proposal: ChangeProposal) -> bool:
    for spec in FIELDS[kind]:
        entry = proposal.values.get(spec.name)
        if entry is None:
            continue
        current = _current(kind, element, spec)
        if spec.kind == "phone":
            if (pii.blind_index(current) if current else "") != entry["old_hash"]:
                return False
        elif current != entry["old"]:
            return False
    return True


def proposal_review(*, actor: User, proposal_id: int, approve: bool, note: str = "") -> ChangeProposal:
    """Approve (apply the new values) or reject a pending proposal; a stale one is marked so and applies nothing."""
    if not may_review(actor):
        raise PermissionDenied(_("只有社区、街道负责人或中心数据人员可以审核"), code="proposal_review_forbidden")
    with transaction.atomic():
        proposal = ChangeProposal.objects.select_for_update().filter(selectors.scope_q(actor), pk=proposal_id).first()
        if proposal is None:
            raise NotFound(_("更正申请不存在"), code="proposal_not_found")
        if proposal.state != ProposalState.PENDING:
            raise TransitionNotAllowed(_("该更正申请已审核"), code="proposal_already_reviewed")
        if proposal.proposed_by_id == actor.pk:
            raise PermissionDenied(_("不能审核自己提出的更正"), code="proposal_own")
        if not approve and not note.strip():
            raise ValidationFailed(_("不采纳时请填写审核意见"), code="proposal_note_required", field="note")
        kind = proposal.element_kind
        model = MODELS[kind]
        element: Any = model._default_manager.select_for_update().filter(pk=proposal.element_id).first()  # type: ignore[attr-defined]
        proposal.reviewed_by, proposal.reviewed_at, proposal.review_note = actor, clock.now(), note.strip()[:300]
        if not approve:
            proposal.state = ProposalState.REJECTED
        elif element is None or not _still_as_proposed(kind, element, proposal):
            proposal.state = ProposalState.STALE
        else:
            updated: list[str] = []
            for spec in FIELDS[kind]:
                entry = proposal.values.get(spec.name)
                if entry is None:
                    continue
                if spec.kind == "phone":
                    phone = pii.decrypt(proposal.phone_cipher) if entry["clear"] else ""
                    element.phone_cipher = pii.encrypt(phone) if phone else ""
                    element.phone_hash = pii.blind_index(phone) if phone else ""
                    element.phone_masked = pii.mask_phone(phone) if phone else ""
                    updated += ["phone_cipher", "phone_hash", "phone_masked"]
                else:
                    setattr(element, spec.name, entry["new"])
                    updated.append(spec.name)
            element.save(update_fields=[*updated, "updated_at"])
            proposal.state = ProposalState.APPROVED
        proposal.phone_cipher = "" if proposal.state != ProposalState.PENDING else proposal.phone_cipher
        proposal.save()
    if proposal.state == ProposalState.STALE:
        raise TransitionNotAllowed(
            _("该要素在申请提出后已被修改，更正申请已失效，请重新提出"), code="proposal_stale", proposal=proposal.pk
        )
    return proposal
