"""督办 on a dispute case. The appeal desk's :class:`~shanzhi.supervision.models.SupervisionOrder` hangs on an
appeal's assignment (both foreign keys required), so a case cannot take one without changing that model; a case has
its own order here, with the same levels, triggers and states (the supervision app's choices) and the same rules:
the warning level from :func:`shanzhi.sla.rules.warning_level`, the reply due one working day after issue
(:func:`shanzhi.sla.rules.add_working_days` on the centre's calendar), one automatic order per case and trigger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.orgs.models import Unit
from shanzhi.supervision.models import SupervisionLevel, SupervisionState, SupervisionTrigger

#: Orders still pressing the unit.
LIVE_SUPERVISION_STATES = (SupervisionState.OPEN, SupervisionState.REPLIED)


class CaseSupervision(models.Model):
    """案件督办单: the centre presses the committee (or the case's area) about one case."""

    case = models.ForeignKey("mediation.Case", verbose_name=_("案件"), on_delete=models.CASCADE,
                             related_name="supervisions")  # fmt: skip
    unit = models.ForeignKey(Unit, verbose_name=_("被督办单位"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("督办级别"), max_length=8, choices=SupervisionLevel.choices)
    trigger = models.CharField(
        _("督办原因类型"), max_length=14, choices=SupervisionTrigger.choices, default=SupervisionTrigger.MANUAL
    )
    reason = models.TextField(_("督办事由"))
    issued_at = models.DateTimeField(_("督办时间"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督办人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")  # fmt: skip
    reply_due_at = models.DateTimeField(_("回复时限"))
    reply = models.TextField(_("督办回复"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    state = models.CharField(_("状态"), max_length=8, choices=SupervisionState.choices, default=SupervisionState.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip

    class Meta:
        verbose_name = _("案件督办单")
        verbose_name_plural = verbose_name
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "trigger"], condition=~Q(trigger="manual"), name="case_supervision_auto_once"
            ),
            models.CheckConstraint(condition=Q(state__in=SupervisionState.values), name="case_supervision_state"),
        ]
        indexes = [models.Index(fields=["state", "issued_at"], name="case_supervision_state_idx")]

    def __str__(self) -> str:
        return f"案件督办单 {self.pk} · {self.get_level_display()}"
