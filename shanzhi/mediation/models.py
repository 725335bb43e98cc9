"""矛盾纠纷调解: the closed loop 排、分、调、处、评 (screen, assign, mediate, resolve, evaluate).

A grid worker's screening report (排查) may raise a dispute case (纠纷案件); the case has parties (personal data masked
everywhere), is assigned to a mediation committee and a mediator (分), mediated in sessions booked on a room's slots
(调, one booking per slot, backed by a partial unique constraint), resolved by an agreement (协议书) or a referral (处),
followed up on performance (回访) and evaluated (评). Every step appends a :class:`CaseEvent` — the case timeline.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core import pii
from shanzhi.orgs.models import Unit


class Domain(models.TextChoices):
    """The 15 dispute domains (纠纷领域)."""

    PROPERTY = "property", _("物业管理")
    HOUSING_PROJECT = "housing_project", _("问题楼盘")
    FAMILY = "family", _("婚姻家庭")
    NEIGHBOURS = "neighbours", _("邻里纠纷")
    LABOUR = "labour", _("劳动争议与欠薪")
    LAND = "land", _("土地承包")
    CONSUMER = "consumer", _("消费纠纷")
    TRAFFIC = "traffic", _("交通事故")
    MEDICAL = "medical", _("医疗纠纷")
    CONSTRUCTION = "construction", _("建设工程质量")
    TENANCY = "tenancy", _("房屋租赁")
    INHERITANCE = "inheritance", _("继承纠纷")
    DEBT = "debt", _("债务纠纷")
    ENVIRONMENT = "environment", _("环境与噪声")
    VILLAGE = "village", _("村务管理")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低风险")
    MEDIUM = "medium", _("中风险")
    HIGH = "high", _("高风险")


class CaseSource(models.TextChoices):
    APPEAL = "appeal", _("诉求转调解")
    WALK_IN = "walk_in", _("来访")
    SCREENING = "screening", _("网格排查")
    POLICE = "police", _("公安移交")
    COURT = "court", _("法院委派")
    PETITION = "petition", _("信访转办")
    PORTAL = "portal", _("群众预约")


class CaseState(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("已分派")
    SCHEDULED = "scheduled", _("已排期")
    AGREED = "agreed", _("已达成协议")
    REFERRED = "referred", _("已引导其他途径")
    FOLLOWED_UP = "followed_up", _("已回访")
    CLOSED = "closed", _("已结案")


#: A case still in the centre's hands (counts toward a mediator's workload).
OPEN_CASE_STATES = (CaseState.REGISTERED, CaseState.ASSIGNED, CaseState.SCHEDULED)


class MediatorKind(models.TextChoices):
    RESIDENT = "resident", _("常驻")
    ROTATING = "rotating", _("轮驻")
    ON_CALL = "on_call", _("随驻")


class Committee(models.Model):
    """调解委员会 / 调解队伍: a committee or team, seated at a unit (the centre, a town, a stationed department)."""

    code = models.CharField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(
        Unit,
        verbose_name=_("服务范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("其调解员可见并可接收该区域内未分派的案件；空表示所属单位本身"),
    )
    domains = models.JSONField(_("擅长领域"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("调解委员会")
        verbose_name_plural = verbose_name
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    """调解员: a staff member (role ``mediator``) in a committee, with the domains they take and how they serve."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), on_delete=models.PROTECT, related_name="mediator"
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("调解委员会"), on_delete=models.PROTECT, related_name="mediators"
    )
    kind = models.CharField(_("驻点方式"), max_length=10, choices=MediatorKind.choices, default=MediatorKind.RESIDENT)
    domains = models.JSONField(_("擅长领域"), default=list, blank=True)
    is_available = models.BooleanField(_("可接案"), default=True)
    duty_weekdays = models.JSONField(
        _("轮驻值班日"), default=list, blank=True, help_text=_("轮驻调解员在中心值班的星期（0=周一 … 6=周日）")
    )

    class Meta:
        verbose_name = _("调解员")
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return str(self.user)


class Room(models.Model):
    """调解室."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("调解委员会"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("名称"), max_length=60)

    class Meta:
        verbose_name = _("调解室")
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="mediation_room_name_unique")]

    def __str__(self) -> str:
        return f"{self.committee.name} · {self.name}"


class Slot(models.Model):
    """A bookable period of a room (a session or a portal appointment takes it)."""

    room = models.ForeignKey(Room, verbose_name=_("调解室"), on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    class Meta:
        verbose_name = _("调解时段")
        verbose_name_plural = verbose_name
        ordering = ["starts_at", "room_id"]
        constraints = [
            models.UniqueConstraint(fields=["room", "starts_at"], name="mediation_slot_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="mediation_slot_order"),
        ]

    def __str__(self) -> str:
        local = self.starts_at.astimezone(ZoneInfo(settings.TIME_ZONE))
        return f"{self.room} {local:%Y-%m-%d %H:%M}"


class ScreeningReport(models.Model):
    """排查: a grid's or community's periodic screening of disputes, with a risk grade. High risk raises an alert."""

    unit = models.ForeignKey(Unit, verbose_name=_("排查单位"), on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("排查期起"))
    period_end = models.DateField(_("排查期止"))
    domain = models.CharField(_("纠纷领域"), max_length=20, choices=Domain.choices)
    risk_level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices)
    summary = models.TextField(_("排查情况"))
    dispute_count = models.PositiveIntegerField(_("排查纠纷数"), default=1)
    alert = models.BooleanField(_("高风险预警"), default=False)
    created_at = models.DateTimeField(_("填报时间"))

    class Meta:
        verbose_name = _("排查报告")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="screening_period"),
        ]


class Case(models.Model):
    """纠纷案件."""

    number = models.CharField(_("案件编号"), max_length=24, unique=True)
    source = models.CharField(_("来源"), max_length=12, choices=CaseSource.choices)
    appeal = models.ForeignKey(
        "appeals.Appeal",
        verbose_name=_("来源诉求"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediation_cases",
    )
    screening_report = models.ForeignKey(
        ScreeningReport,
        verbose_name=_("来源排查"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("属地"), on_delete=models.PROTECT, related_name="+")
    domain = models.CharField(_("纠纷领域"), max_length=20, choices=Domain.choices)
    title = models.CharField(_("案由"), max_length=120)
    facts = models.TextField(_("纠纷事实与争议"))
    amount = models.DecimalField(_("涉及金额(元)"), max_digits=14, decimal_places=2, null=True, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW)
    state = models.CharField(_("状态"), max_length=12, choices=CaseState.choices, default=CaseState.REGISTERED)
    committee = models.ForeignKey(
        Committee, verbose_name=_("调解委员会"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    mediator = models.ForeignKey(
        Mediator, verbose_name=_("调解员"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))
    due_at = models.DateTimeField(_("调解期限"))
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("已延长天数"), default=0)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包案领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    warned_at = models.DateTimeField(_("期限预警时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("超期时间"), null=True, blank=True)
    referral_route = models.CharField(_("引导途径"), max_length=20, blank=True)
    referral_reason = models.TextField(_("引导理由"), blank=True)

    class Meta:
        verbose_name = _("纠纷案件")
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"]), models.Index(fields=["unit", "created_at"])]

    def __str__(self) -> str:
        return self.number


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    OTHER = "other", _("其他当事人")


class Party(models.Model):
    """当事人. The ID number is stored encrypted; every page shows masked values unless revealed (and logged)."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=12, choices=PartyRole.choices)
    name = models.CharField(_("姓名/名称"), max_length=60)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    id_number_encrypted = models.TextField(_("身份证号(密文)"), blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = verbose_name
        ordering = ["case_id", "role", "id"]

    @property
    def id_number(self) -> str:
        return pii.decrypt(self.id_number_encrypted) if self.id_number_encrypted else ""

    @property
    def name_masked(self) -> str:
        return pii.mask_name(self.name)

    @property
    def phone_masked(self) -> str:
        return pii.mask_phone(self.phone) if self.phone else ""

    @property
    def id_number_masked(self) -> str:
        return pii.mask_id_number(self.id_number) if self.id_number_encrypted else ""

    @property
    def address_masked(self) -> str:
        return pii.mask_address(self.address) if self.address else ""


class SessionState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    HELD = "held", _("已调解")
    CANCELLED = "cancelled", _("已取消")


class Session(models.Model):
    """调解: one session of a case on a room's slot, with its record (笔录). One live booking per slot."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="sessions")
    slot = models.ForeignKey(Slot, verbose_name=_("时段"), on_delete=models.PROTECT, related_name="sessions")
    state = models.CharField(_("状态"), max_length=10, choices=SessionState.choices, default=SessionState.BOOKED)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("预约人"), on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(_("预约时间"))
    record = models.TextField(_("调解笔录"), blank=True)
    held_at = models.DateTimeField(_("调解时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("调解场次")
        verbose_name_plural = verbose_name
        ordering = ["slot__starts_at", "id"]
        constraints = [
            # No double booking: a cancelled session frees its slot, a booked or held one keeps it.
            models.UniqueConstraint(
                fields=["slot"], condition=~Q(state="cancelled"), name="mediation_slot_one_booking"
            ),
        ]


class Consultation(models.Model):
    """集体会商: several departments consult on one case; the conclusion is recorded."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="consultations")
    departments = models.ManyToManyField(Unit, verbose_name=_("参与部门"), related_name="+")
    conclusion = models.TextField(_("会商意见"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("召集人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("会商时间"))

    class Meta:
        verbose_name = _("集体会商")
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("已预约")
    ACCEPTED = "accepted", _("已受理")
    CANCELLED = "cancelled", _("已取消")


class Appointment(models.Model):
    """纠纷预约: a citizen books a room's slot from the portal; the desk accepts it as a case (source ``portal``),
    whose first session may then take that slot. One live appointment per slot (constraint + the slot's row lock,
    which session bookings take as well)."""

    slot = models.ForeignKey(Slot, verbose_name=_("时段"), on_delete=models.PROTECT, related_name="appointments")
    phone = models.CharField(_("预约手机号"), max_length=20, db_index=True)
    name = models.CharField(_("预约人"), max_length=60)
    domain = models.CharField(_("纠纷领域"), max_length=20, choices=Domain.choices)
    description = models.TextField(_("纠纷简述"))
    state = models.CharField(
        _("状态"), max_length=10, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    case = models.OneToOneField(
        Case, verbose_name=_("案件"), null=True, blank=True, on_delete=models.PROTECT, related_name="appointment"
    )
    created_at = models.DateTimeField(_("预约时间"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("纠纷预约")
        verbose_name_plural = verbose_name
        ordering = ["slot__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=~Q(state="cancelled"), name="mediation_slot_one_appointment"
            ),
        ]

    @property
    def name_masked(self) -> str:
        return pii.mask_name(self.name)

    @property
    def phone_masked(self) -> str:
        return pii.mask_phone(self.phone)


class Agreement(models.Model):
    """调解协议书 (人民调解法 第二十九条: parties, facts and issues, agreed rights and obligations, manner, place and
    term of performance; signed by the parties and the mediator, sealed by the committee)."""

    case = models.OneToOneField(Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="agreement")
    number = models.CharField(_("协议书编号"), max_length=32, unique=True)
    facts = models.TextField(_("纠纷主要事实与争议事项"))
    terms = models.TextField(_("达成协议的内容"))
    performance_method = models.CharField(_("履行方式"), max_length=200)
    performance_place = models.CharField(_("履行地点"), max_length=200, blank=True)
    performance_due = models.DateField(_("履行期限"))
    signed_on = models.DateField(_("签订日期"))
    confirmation_reminded_at = models.DateTimeField(_("司法确认提醒时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("制作人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("制作时间"))

    class Meta:
        verbose_name = _("调解协议书")
        verbose_name_plural = verbose_name


class Performance(models.TextChoices):
    FULL = "full", _("已全部履行")
    PARTIAL = "partial", _("部分履行")
    NONE = "none", _("未履行")


class FollowUp(models.Model):
    """回访: did the parties perform the agreement?"""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="follow_ups")
    performance = models.CharField(_("履行情况"), max_length=8, choices=Performance.choices)
    note = models.TextField(_("回访情况"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回访人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("回访时间"))

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    FAIR = "fair", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class Evaluation(models.Model):
    """评: the parties' satisfaction and the supervisor's review; closes the case."""

    case = models.OneToOneField(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="evaluation")
    satisfaction = models.CharField(_("当事人满意度"), max_length=12, choices=Satisfaction.choices)
    review = models.TextField(_("审核意见"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = verbose_name


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("登记案件")
    ASSIGNED = "assigned", _("分派")
    SESSION_BOOKED = "session_booked", _("预约调解")
    SESSION_CANCELLED = "session_cancelled", _("取消调解")
    SESSION_HELD = "session_held", _("调解并记录笔录")
    AGREEMENT = "agreement", _("生成调解协议书")
    REFERRED = "referred", _("引导其他途径")
    FOLLOWED_UP = "followed_up", _("回访")
    EVALUATED = "evaluated", _("评价结案")
    EXTENDED = "extended", _("延长调解期限")
    WARNED = "warned", _("期限预警")
    OVERDUE = "overdue", _("超期")
    CONFIRMATION_REMINDER = "confirmation_due", _("司法确认提醒")
    CONSULTATION = "consultation", _("集体会商")
    LEADER_OWNED = "leader_owned", _("领导包案")
    SUPERVISED = "supervised", _("督办")


class CaseEvent(models.Model):
    """One step of a case, immutable: the timeline."""

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    note = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("案件事件")
        verbose_name_plural = verbose_name
        ordering = ["at", "id"]


from shanzhi.mediation.models_schedule import DutyEntry, DutyStatus  # noqa: E402, F401  (the mediators' 值班表)
from shanzhi.mediation.models_supervision import CaseSupervision  # noqa: E402, F401  (the case's 督办单)
