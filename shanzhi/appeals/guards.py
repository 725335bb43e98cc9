"""Guards shared by the lifecycle services: lock the appeal, check the state and the actor's role and unit."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shanzhi.appeals import rules
from shanzhi.appeals.models import Appeal, Assignment
from shanzhi.appeals.principals import PRINCIPALS, Actor, Principal
from shanzhi.core.errors import Conflict, NotFound, PermissionDenied, TransitionNotAllowed
from shanzhi.orgs.models import User


def lock_appeal(appeal: Appeal | int) -> Appeal:
    """Re-read and lock the appeal row (always first: appeal, then its assignments — one fixed order)."""
    pk = appeal.pk if isinstance(appeal, Appeal) else appeal
    locked = (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("category", "area", "lead_unit")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise NotFound()
    return locked


def lock_appeal_at_version(appeal: Appeal | int, version: int) -> Appeal:
    """Lock the appeal and refuse (``Conflict``) unless it is still at ``version`` — the version the caller's page
    or form was drawn from (optimistic locking: a stale form never overwrites someone else's change). Call it in
    the transaction of the change; the lock is held until it commits."""
    locked = lock_appeal(appeal)
    if locked.version != version:
        raise Conflict(
            _("诉求 %(no)s 已被他人更新，请刷新页面查看最新情况后再操作") % {"no": locked.tracking_no},
            code="stale_version",
            expected=version,
            current=locked.version,
        )
    return locked


def lock_assignment(assignment: Assignment | int) -> tuple[Appeal, Assignment]:
    pk = assignment.pk if isinstance(assignment, Assignment) else assignment
    appeal_id = Assignment.objects.filter(pk=pk).values_list("appeal_id", flat=True).first()
    if appeal_id is None:
        raise NotFound()
    appeal = lock_appeal(appeal_id)
    locked = Assignment.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)
    return appeal, locked


def actor_roles(actor: Actor | None) -> frozenset[str]:
    """The codes the rules table is asked about: a staff member's roles, or a principal's own code.

    ``None`` is refused: every action names who takes it (a citizen or a system process is a :class:`Principal`)."""
    if isinstance(actor, Principal):
        return actor.role_codes
    if isinstance(actor, User):
        # A group that happens to be named like a principal ("citizen") gives a staff member nothing.
        return actor.role_codes.difference(PRINCIPALS)
    raise PermissionDenied(_("缺少操作人，不能执行该操作"), code="actor_required")


def check(action: str, *, actor: Actor | None, appeal: Appeal, assignment: Assignment | None = None) -> None:
    """Raise a coded error unless ``actor`` may take ``action`` on ``appeal`` (and ``assignment``) now."""
    spec = rules.ACTIONS[action]
    if not rules.role_may(action, actor_roles(actor)):
        raise PermissionDenied(
            _("您的角色不能执行“%(action)s”") % {"action": spec.label},
            code="role_not_allowed",
            action=action,
        )
    if spec.needs_assignment and (
        not isinstance(actor, User) or assignment is None or assignment.unit_id != actor.unit_id
    ):
        raise PermissionDenied(_("该派单不属于您的单位"), code="not_your_assignment", action=action)
    if not rules.action_allowed_from(action, appeal.state):
        raise TransitionNotAllowed(
            _("诉求当前为“%(state)s”，不能执行“%(action)s”")
            % {"state": appeal.get_state_display(), "action": spec.label},
            code="transition_not_allowed",
            action=action,
            state=appeal.state,
        )
