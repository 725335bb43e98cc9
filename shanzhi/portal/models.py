"""The citizen portal's own records: sign-in codes, throttle hits, anonymous tickets, submissions and ratings.

Citizens have no user accounts. A verified phone number is kept in the Django session under the key
``citizen_phone`` (see :mod:`shanzhi.portal.citizen`); an anonymous submitter proves ownership of one appeal with
its tracking number and a query code (:class:`PortalTicket`). Phones and IP addresses are personal data: the
portal's own tables store only keyed hashes of them (:func:`shanzhi.portal.rules.digest`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shanzhi.appeals.models import Rating


class OneTimeCode(models.Model):
    """A sign-in code sent by SMS. Only its keyed hash is stored; it expires and counts wrong attempts."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "登录验证码"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["phone_hash", "created_at"], name="portal_otp_phone_idx")]


class ThrottleHit(models.Model):
    """One counted action (a code request, a failed code, a submission…) for a sliding-window limit.

    Kept in the database so that every web process sees the same counts without a shared cache (the embedded
    profile has no Redis); old rows are pruned as new ones are written.
    """

    bucket = models.CharField(max_length=24)
    key_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        verbose_name = "限流记录"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["bucket", "key_hash", "at"], name="portal_throttle_idx")]


class PortalTicket(models.Model):
    """The query code of an anonymous appeal: tracking number + code open that one appeal in the portal."""

    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.CASCADE, related_name="portal_ticket")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "匿名查询码"
        verbose_name_plural = verbose_name


class PortalSubmission(models.Model):
    """One submit of the portal's appeal form, keyed by the form's idempotency key: a double submit finds it."""

    key = models.CharField(max_length=80, unique=True)
    appeal = models.ForeignKey(
        "appeals.Appeal", null=True, blank=True, on_delete=models.CASCADE, related_name="portal_submissions"
    )
    owner_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "门户提交记录"
        verbose_name_plural = verbose_name


class RatingOutcome(models.TextChoices):
    CLOSED = "closed", "已办结"
    REOPENED = "reopened", "重新办理"
    RECORDED = "recorded", "已记录(待中心回访)"


class PortalRating(models.Model):
    """The citizen's own rating of the unified reply, given in the portal (the centre's 回访 is separate)."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="portal_ratings")
    round = models.PositiveSmallIntegerField()
    rating = models.CharField("评价", max_length=18, choices=Rating.choices)
    resolved = models.BooleanField("是否解决")
    comment = models.CharField("意见", max_length=500, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=RatingOutcome.choices)
    at = models.DateTimeField()

    class Meta:
        verbose_name = "市民评价"
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "round"], name="portal_rating_once_per_round"),
            models.CheckConstraint(condition=Q(outcome__in=RatingOutcome.values), name="portal_rating_outcome"),
        ]
