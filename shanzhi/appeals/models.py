"""The appeal (诉求/工单), its assignments (派单), requests, events, attachments and follow-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from shanzhi.core import pii
from shanzhi.orgs.models import Unit
from shanzhi.routing.models import Category, Urgency


class AppealState(models.TextChoices):
    RECEIVED = "received", "待受理"
    ACCEPTED = "accepted", "已受理"
    DISPATCHED = "dispatched", "已派遣"
    IN_PROGRESS = "in_progress", "办理中"
    FEEDBACK = "feedback", "已反馈(待审核)"
    REPLIED = "replied", "已答复(待回访)"
    CLOSED = "closed", "已办结"
    NEEDS_INFO = "needs_info", "待补充"
    REJECTED = "rejected", "不予受理"
    ANSWERED = "answered", "直接答复"
    MERGED = "merged", "已合并"


OPEN_STATES = (
    AppealState.RECEIVED,
    AppealState.ACCEPTED,
    AppealState.DISPATCHED,
    AppealState.IN_PROGRESS,
    AppealState.FEEDBACK,
    AppealState.REPLIED,
    AppealState.NEEDS_INFO,
)
FINAL_STATES = (AppealState.CLOSED, AppealState.REJECTED, AppealState.ANSWERED, AppealState.MERGED)


class Channel(models.TextChoices):
    HOTLINE = "hotline", "热线"
    CITY_12345 = "city_12345", "12345转办"
    WEB = "web", "网站"
    PORTAL = "portal", "移动端"
    DOORPLATE = "doorplate", "智慧门牌"
    WALK_IN = "walk_in", "来访"
    GRID = "grid", "网格上报"
    IOT = "iot", "物联感知"
    OPEN311 = "open311", "开放接口"
    LETTER = "letter", "信件/邮件"


class AppealType(models.TextChoices):
    CONSULTATION = "consultation", "咨询"
    HELP = "help", "求助"
    COMPLAINT = "complaint", "投诉"
    REPORT = "report", "举报"
    SUGGESTION = "suggestion", "建议"
    PRAISE = "praise", "表扬"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    FAIRLY_SATISFIED = "fairly_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Warning(models.TextChoices):
    NONE = "none", "正常"
    YELLOW = "yellow", "黄牌"
    RED = "red", "红牌"


class Appeal(models.Model):
    """One citizen matter. ``state`` changes only through :mod:`shanzhi.appeals.services`."""

    tracking_no = models.CharField("诉求编号", max_length=24, unique=True)
    channel = models.CharField("来源渠道", max_length=12, choices=Channel.choices)
    appeal_type = models.CharField("诉求类型", max_length=14, choices=AppealType.choices, default=AppealType.HELP)
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.ORDINARY)
    state = models.CharField("状态", max_length=12, choices=AppealState.choices, default=AppealState.RECEIVED)
    title = models.CharField("标题", max_length=120, blank=True)
    content = models.TextField("诉求内容")
    category = models.ForeignKey(
        Category, verbose_name="分类", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )

    # The citizen (personal data: masked by default, see shanzhi.core.pii).
    citizen_name = models.CharField("诉求人", max_length=50, blank=True)
    citizen_phone = models.CharField("联系电话", max_length=20, blank=True)
    citizen_id_enc = models.TextField("身份证号(加密)", blank=True)
    citizen_id_index = models.CharField(max_length=32, blank=True)
    is_anonymous = models.BooleanField("匿名", default=False)
    wants_reply = models.BooleanField("需要回复", default=True)

    # Where.
    address = models.CharField("事发地址", max_length=200, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    latitude = models.FloatField("纬度", null=True, blank=True)
    area = models.ForeignKey(
        Unit,
        verbose_name="所属区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="area_appeals",
    )
    area_path = models.CharField(max_length=255, blank=True, editable=False)

    # Handling.
    round = models.PositiveSmallIntegerField("派单轮次", default=0)
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name="主办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_appeals",
        db_index=False,  # led by the (lead_unit, state, due_at) index
    )
    due_at = models.DateTimeField("办理时限", null=True, blank=True)
    warning = models.CharField("预警", max_length=6, choices=Warning.choices, default=Warning.NONE)
    paused_at = models.DateTimeField(null=True, blank=True)
    master = models.ForeignKey(
        "self",
        verbose_name="主诉求",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        db_index=False,  # a partial index below: only merged appeals have a master
    )
    routing_explanation = models.TextField("派单依据", blank=True)
    routing_suggestions = models.JSONField("分流建议", default=list, blank=True)

    # Unified reply and follow-up.
    reply_text = models.TextField("统一答复", blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    rating = models.CharField("评价", max_length=18, choices=Rating.choices, blank=True)
    resolved = models.BooleanField("是否解决", null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Intake bookkeeping.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True)
    external_ref = models.CharField("外部编号", max_length=64, blank=True)
    external_due_at = models.DateTimeField(
        "上级办结时限",
        null=True,
        blank=True,
        help_text="上级平台（如市 12345）对该工单规定的办结时限：本级的办理时限不会晚于它",
    )
    # No index of its own: the idempotency constraint below leads with the key (ADR 0012).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField("登记时间", db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        ordering = ["-created_at"]
        constraints = [
            # The key leads: the intake's lookup (one caller's keys) must never walk all of that caller's
            # appeals, whatever the planner's statistics say (ADR 0012).
            models.UniqueConstraint(
                fields=["idempotency_key", "created_by"],
                name="appeal_idempotency_unique",
                condition=Q(idempotency_key__isnull=False),
            ),
            # Without an account (a doorplate's form), NULL would make every key distinct in the index above.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                name="appeal_idempotency_anonymous_unique",
                condition=Q(idempotency_key__isnull=False, created_by__isnull=True),
            ),
            models.CheckConstraint(condition=Q(state__in=AppealState.values), name="appeal_state_valid"),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(master__isnull=False), name="appeal_merged_has_master"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["lead_unit", "state", "due_at"]),
            models.Index(fields=["citizen_phone", "created_at"]),
            # Scope is a prefix match on the area's path (``area_path LIKE '/…/%'``) whatever the collation.
            models.Index(fields=["area_path"], name="appeal_area_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["citizen_id_index"], name="appeal_citizen_id_index_idx"),
            models.Index(fields=["master"], name="appeal_master_idx", condition=Q(master__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.tracking_no

    @property
    def citizen_id_number(self) -> str:
        return pii.decrypt(self.citizen_id_enc)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_being_handled(self) -> bool:
        """A unit is working on it: the handling deadline is the one that runs."""
        return self.state in (AppealState.DISPATCHED, AppealState.IN_PROGRESS)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "主办"
    ASSISTING = "assisting", "协办"


class AssignmentState(models.TextChoices):
    PENDING = "pending", "待签收"
    SIGNED = "signed", "已签收"
    SHELVED = "shelved", "已挂账"
    DONE = "done", "已办结"
    RETURNED = "returned", "已退回"
    CANCELLED = "cancelled", "已撤回"
    # An assisting unit's share ended with its round (the lead fed back, or a new round replaced it): no clock runs.
    ENDED = "ended", "随轮次结束"


ACTIVE_ASSIGNMENT_STATES = (AssignmentState.PENDING, AssignmentState.SIGNED, AssignmentState.SHELVED)


class Assignment(models.Model):
    """One unit's share of an appeal in one dispatch round."""

    # Neither foreign key needs an index of its own: the constraints and the queue index below lead with them.
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="assignments", db_index=False)
    unit = models.ForeignKey(
        Unit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="assignments", db_index=False
    )
    role = models.CharField("角色", max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.LEAD)
    round = models.PositiveSmallIntegerField("轮次", default=1)
    state = models.CharField("状态", max_length=10, choices=AssignmentState.choices, default=AssignmentState.PENDING)
    dispatched_at = models.DateTimeField("派遣时间")
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    sign_due_at = models.DateTimeField("签收时限", null=True, blank=True)
    contact_due_at = models.DateTimeField("联系时限", null=True, blank=True)
    due_at = models.DateTimeField("办结时限", null=True, blank=True)
    warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    warning = models.CharField("预警", max_length=6, choices=Warning.choices, default=Warning.NONE)
    paused_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    contacted_at = models.DateTimeField("首次联系时间", null=True, blank=True)
    feedback = models.TextField("处置反馈", blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    resolved = models.BooleanField("是否解决", null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    explanation = models.TextField("派单依据", blank=True)

    class Meta:
        verbose_name = "派单"
        verbose_name_plural = "派单"
        ordering = ["appeal_id", "round", "role"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "unit", "round"], name="assignment_unit_round_unique"),
            models.UniqueConstraint(
                fields=["appeal", "round"],
                condition=Q(role="lead") & Q(state__in=["pending", "signed", "shelved", "done"]),
                name="assignment_one_lead_per_round",
            ),
        ]
        indexes = [
            # The work bench: one unit's queue by state, soonest deadline first.
            models.Index(fields=["unit", "state", "due_at", "id"], name="assignment_queue_idx"),
            # The open queue (pending + signed) in deadline order without a sort: a partial index.
            models.Index(
                fields=["unit", "due_at", "id"],
                name="assignment_open_queue_idx",
                condition=Q(state__in=["pending", "signed"]),
            ),
            models.Index(fields=["state", "warn_at"], name="assignment_warn_idx"),
            models.Index(fields=["state", "due_at"], name="assignment_due_idx"),
            models.Index(fields=["state", "sign_due_at"], name="assignment_sign_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id}#{self.round} {self.unit_id} {self.role}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_ASSIGNMENT_STATES


class RequestKind(models.TextChoices):
    RETURN = "return", "退回"
    EXTEND = "extend", "延期"
    SHELVE = "shelve", "挂账"


class RequestState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意"
    REFUSED = "refused", "已驳回"


class AssignmentRequest(models.Model):
    """A unit's request (return / extend / shelve) that the centre approves or refuses."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField("类型", max_length=8, choices=RequestKind.choices)
    state = models.CharField("状态", max_length=9, choices=RequestState.choices, default=RequestState.PENDING)
    reason = models.TextField("理由")
    basis = models.CharField("依据", max_length=300, blank=True, help_text="退回须写明法定职责或权限依据")
    extra_working_days = models.PositiveSmallIntegerField("延期工作日", null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "申请"
        verbose_name_plural = "申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"], condition=Q(state="pending"), name="one_pending_request_per_assignment"
            ),
        ]
        indexes = [models.Index(fields=["state", "kind"])]


class EventKind(models.TextChoices):
    RECEIVED = "received", "登记"
    ACCEPTED = "accepted", "受理"
    STRUCTURED = "structured", "补录"
    REJECTED = "rejected", "不予受理"
    ANSWERED = "answered", "直接答复"
    INFO_REQUESTED = "info_requested", "要求补充"
    INFO_SUPPLIED = "info_supplied", "补充材料"
    DISPATCHED = "dispatched", "派遣"
    SIGNED = "signed", "签收"
    CONTACTED = "contacted", "联系诉求人"
    FEEDBACK = "feedback", "处置反馈"
    REQUESTED = "requested", "提出申请"
    REQUEST_APPROVED = "request_approved", "申请通过"
    REQUEST_REFUSED = "request_refused", "申请驳回"
    RETURNED = "returned", "退回"
    EXTENDED = "extended", "延期"
    SHELVED = "shelved", "挂账"
    UNSHELVED = "unshelved", "解除挂账"
    REVIEW_PASSED = "review_passed", "审核通过"
    REDO = "redo", "重办"
    REPLIED = "replied", "统一答复"
    FOLLOWED_UP = "followed_up", "回访"
    CLOSED = "closed", "办结"
    MERGED = "merged", "合并"
    WARNED = "warned", "预警"
    SUPERVISED = "supervised", "督办"
    NOTE = "note", "备注"
    ATTACHED = "attached", "上传附件"
    ASSIGNMENT_ENDED = "assignment_ended", "派单随轮次结束"


class AppealEvent(models.Model):
    """An immutable line of an appeal's history: the source of truth for timelines, SLA clocks and KPIs."""

    # Events are written three at a time for every new appeal: only the indexes that reads use (ADR 0012).
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events", db_index=False)
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField("事件", max_length=18, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    actor_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    reason = models.TextField("说明", blank=True)
    payload = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField("对诉求人可见", default=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "诉求事件"
        verbose_name_plural = "诉求事件"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["appeal", "created_at"]),
            models.Index(fields=["kind", "created_at"]),
            models.Index(fields=["assignment"], name="event_assignment_idx", condition=Q(assignment__isnull=False)),
        ]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk:
            raise ValueError("appeal events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("appeal events are immutable")


class Attachment(models.Model):
    """A photo or document. The type is sniffed from the content, never taken from the name."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    # A unit's photo of its work (before/after), sent with its feedback; empty for the citizen's own files.
    assignment = models.ForeignKey(
        Assignment,
        verbose_name="派单",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        db_index=False,  # a partial index below: only feedback photos have one
    )
    file = models.FileField(upload_to="appeals/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    is_public = models.BooleanField(default=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        indexes = [
            models.Index(
                fields=["assignment"], name="attachment_assignment_idx", condition=Q(assignment__isnull=False)
            ),
        ]


class FollowUpChannel(models.TextChoices):
    PHONE = "phone", "电话回访"
    PORTAL = "portal", "移动端评价"
    SMS = "sms", "短信评价"


class FollowUp(models.Model):
    """The centre's follow-up call (回访) after the reply."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="follow_ups")
    round = models.PositiveSmallIntegerField()
    rating = models.CharField("评价", max_length=18, choices=Rating.choices, blank=True)
    resolved = models.BooleanField("是否解决", null=True)
    reached = models.BooleanField("是否联系上", default=True)
    note = models.TextField("回访记录", blank=True)
    channel = models.CharField("方式", max_length=10, choices=FollowUpChannel.choices, default=FollowUpChannel.PHONE)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="为空表示诉求人自行评价",
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["at"]


class TrackingCounter(models.Model):
    """The daily sequence behind tracking numbers (HB20261128-000123). Numbers are never reused."""

    day = models.DateField(primary_key=True)
    value = models.PositiveIntegerField(default=0)


class RejectReason(models.Model):
    """The configured reasons for 不予受理."""

    code = models.CharField(max_length=20, unique=True)
    text = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "不予受理理由"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.text


class ReplyTemplate(models.Model):
    """A template for the unified reply; ``{tracking_no}``, ``{unit}``, ``{feedback}`` are filled in."""

    name = models.CharField(max_length=60, unique=True)
    body = models.TextField()
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "答复模板"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return self.name
