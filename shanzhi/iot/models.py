"""IoT sensing (物联感知): devices, the raw events they send, the alarms those events raise, and rejected messages.

A device belongs to a grid (网格); an alarm that becomes work is an appeal of channel ``iot`` in that grid, led by
the grid's community (a grid is never the lead, see ``routing.rules.territorial_lead``). Raw events are unique per
(device, message id): a message the broker delivers twice is stored once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shanzhi.appeals.models import Appeal
from shanzhi.orgs.models import Unit
from shanzhi.places.models import StandardAddress


class DeviceType(models.TextChoices):
    FIRE_PANEL = "fire_panel", "消防报警主机"
    SMOKE = "smoke", "独立式烟感"
    EBIKE_LIFT = "ebike_lift", "电梯电动车监测"
    THROWING = "throwing", "高空抛物监测"
    ACCESS_GATE = "access_gate", "智慧门禁"
    WATER_PRESSURE = "water_pressure", "消防水压监测"
    GAS = "gas", "燃气泄漏探测"


class PayloadFormat(models.TextChoices):
    """The vendor adapter that reads a device's messages (:mod:`shanzhi.iot.adapters`)."""

    GENERIC = "generic", "通用 JSON"
    FIRE_PANEL = "fire_panel", "消防主机报文"
    CAMERA = "camera", "视频分析事件"
    ACCESS = "access", "门禁事件"


class DeviceStatus(models.TextChoices):
    ONLINE = "online", "在线"
    OFFLINE = "offline", "离线"
    UNKNOWN = "unknown", "未上线"


class AlarmType(models.TextChoices):
    FIRE = "fire", "火警"
    SMOKE = "smoke", "烟雾报警"
    EBIKE = "ebike", "电动车进电梯"
    THROWING = "throwing", "高空抛物"
    GAS = "gas", "燃气泄漏"
    WATER_PRESSURE = "water_pressure", "水压异常"
    FORCED_DOOR = "forced_door", "门禁强行开启"
    TAMPER = "tamper", "设备被拆"
    LOW_BATTERY = "low_battery", "电量低"
    FAULT = "fault", "设备故障"


class Severity(models.TextChoices):
    CRITICAL = "critical", "特别紧急"
    HIGH = "high", "紧急"
    MEDIUM = "medium", "一般"
    LOW = "low", "提示"


class EventKind(models.TextChoices):
    ALARM = "alarm", "告警"
    HEARTBEAT = "heartbeat", "心跳"
    RESTORE = "restore", "恢复"
    ACCESS = "access", "通行"


class AlarmState(models.TextChoices):
    OPEN = "open", "待核实"
    CONFIRMED = "confirmed", "确认属实"
    FALSE = "false", "误报"


class Device(models.Model):
    code = models.CharField("设备编码", max_length=64, unique=True)
    name = models.CharField("设备名称", max_length=120)
    device_type = models.CharField("设备类型", max_length=16, choices=DeviceType.choices)
    payload_format = models.CharField(
        "报文格式", max_length=12, choices=PayloadFormat.choices, default=PayloadFormat.GENERIC
    )
    vendor = models.CharField("厂商", max_length=60, blank=True)
    grid = models.ForeignKey(
        Unit,
        verbose_name="所属网格",
        on_delete=models.PROTECT,
        related_name="iot_devices",
        limit_choices_to={"kind": "grid"},
    )
    address = models.CharField("安装位置", max_length=200, blank=True)
    building = models.CharField("楼栋/出入口", max_length=80, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    latitude = models.FloatField("纬度", null=True, blank=True)
    video_stream = models.CharField("视频通道", max_length=300, blank=True, help_text="视频流地址或平台通道编号")
    compound = models.ForeignKey(
        StandardAddress,
        verbose_name="所在小区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="iot_devices",
        limit_choices_to={"level": "compound"},
        help_text="门禁等设备所在的小区（标准地址，小区级）",
    )
    maintainer = models.ForeignKey(
        Unit,
        verbose_name="维保单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="iot_maintained_devices",
        help_text="设备离线、电量低、被拆时维保工单派给该单位",
    )
    secret = models.CharField("签名密钥", max_length=128, help_text="HMAC-SHA256 密钥（十六进制）")
    status = models.CharField("状态", max_length=8, choices=DeviceStatus.choices, default=DeviceStatus.UNKNOWN)
    last_seen_at = models.DateTimeField("最近上报", null=True, blank=True)
    battery = models.PositiveSmallIntegerField("电量(%)", null=True, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "物联设备"
        verbose_name_plural = verbose_name
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Alarm(models.Model):
    """One alarm of a device: repeats of the same type within the window join it (``event_count``)."""

    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.PROTECT, related_name="alarms")
    alarm_type = models.CharField("告警类型", max_length=16, choices=AlarmType.choices)
    severity = models.CharField("级别", max_length=10, choices=Severity.choices)
    state = models.CharField("状态", max_length=10, choices=AlarmState.choices, default=AlarmState.OPEN)
    first_at = models.DateTimeField("首次告警", db_index=True)
    last_at = models.DateTimeField("最近告警")
    received_at = models.DateTimeField("接收时间")
    event_count = models.PositiveIntegerField("告警次数", default=1)
    appeal = models.OneToOneField(
        Appeal, verbose_name="工单", null=True, blank=True, on_delete=models.PROTECT, related_name="iot_alarm"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField("核实时间", null=True, blank=True)
    note = models.CharField("核实说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "告警"
        verbose_name_plural = verbose_name
        ordering = ["-first_at"]
        indexes = [models.Index(fields=["device", "alarm_type", "state", "last_at"], name="iot_alarm_open_idx")]

    def __str__(self) -> str:
        return f"{self.device.code} {self.get_alarm_type_display()}"


class DeviceEvent(models.Model):
    """A message a device sent, as received (after validation). ``message_id`` is the device's own id."""

    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.CASCADE, related_name="events")
    message_id = models.CharField("消息编号", max_length=64)
    kind = models.CharField("类型", max_length=10, choices=EventKind.choices)
    alarm_type = models.CharField("告警类型", max_length=16, choices=AlarmType.choices, blank=True)
    occurred_at = models.DateTimeField("发生时间")
    received_at = models.DateTimeField("接收时间")
    data = models.JSONField("内容", default=dict, blank=True)
    alarm = models.ForeignKey(
        Alarm, verbose_name="告警", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )

    class Meta:
        verbose_name = "设备消息"
        verbose_name_plural = verbose_name
        ordering = ["-occurred_at"]
        constraints = [models.UniqueConstraint(fields=["device", "message_id"], name="iot_event_once_per_message")]

    def __str__(self) -> str:
        return f"{self.device_id}:{self.message_id}"


class RejectReason(models.TextChoices):
    MALFORMED = "malformed", "报文格式错误"
    UNKNOWN_DEVICE = "unknown_device", "未登记设备"
    BAD_SIGNATURE = "bad_signature", "签名错误"
    INACTIVE_DEVICE = "inactive_device", "设备已停用"


class RejectedMessage(models.Model):
    """A message that was refused: the reason and where it came from, never its content (it may hold personal data)."""

    at = models.DateTimeField("时间", db_index=True)
    reason = models.CharField("原因", max_length=16, choices=RejectReason.choices)
    topic = models.CharField("主题", max_length=200)
    device_code = models.CharField("设备编码", max_length=64, blank=True)
    size = models.PositiveIntegerField("长度", default=0)
    detail = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "拒收消息"
        verbose_name_plural = verbose_name
        ordering = ["-at"]
        indexes = [models.Index(fields=["reason", "at"], name="iot_rejected_reason_idx")]

    def __str__(self) -> str:
        return f"{self.reason} {self.topic}"


class MaintenanceReason(models.TextChoices):
    OFFLINE = "offline", "设备离线"
    LOW_BATTERY = "low_battery", "电量低"
    TAMPER = "tamper", "设备被拆"
    FAULT = "fault", "设备故障"


class MaintenanceState(models.TextChoices):
    OPEN = "open", "待处理"
    CLOSED = "closed", "已关闭"


class MaintenanceOrder(models.Model):
    """维保工单: a device needs its maintainer (offline, battery low, tampered with, faulty). One open order per
    device and reason; the deadline comes from the SLA calendar (:func:`shanzhi.iot.rules.maintenance_due_at`),
    an order past it is escalated (level 1 when overdue, 2 when overdue by its whole limit again)."""

    device = models.ForeignKey(Device, verbose_name="设备", on_delete=models.PROTECT, related_name="maintenance_orders")
    reason = models.CharField("原因", max_length=12, choices=MaintenanceReason.choices)
    state = models.CharField("状态", max_length=8, choices=MaintenanceState.choices, default=MaintenanceState.OPEN)
    maintainer = models.ForeignKey(
        Unit, verbose_name="维保单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.CharField("说明", max_length=200, blank=True)
    opened_at = models.DateTimeField("发起时间")
    due_at = models.DateTimeField("处理时限")
    escalation = models.PositiveSmallIntegerField("升级级别", default=0)
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.CharField("处理结果", max_length=300, blank=True)

    class Meta:
        verbose_name = "维保工单"
        verbose_name_plural = verbose_name
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "reason"], condition=models.Q(state="open"), name="iot_maintenance_one_open"
            ),
            models.CheckConstraint(
                condition=models.Q(state="open") | models.Q(closed_at__isnull=False), name="iot_maintenance_closed_at"
            ),
        ]
        indexes = [models.Index(fields=["state", "due_at"], name="iot_maintenance_due_idx")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.reason}"


class CareConsentMethod(models.TextChoices):
    WRITTEN = "written", "本人书面同意"
    GUARDIAN = "guardian", "监护人书面同意"
    RECORDED = "recorded", "本人口头同意(录音)"


class CareEnrolment(models.Model):
    """关爱对象: a resident living alone who agreed (or whose guardian agreed) to be watched over by the access
    gates: no entry or exit seen for ``quiet_days`` days → a visit task for the grid worker. Opt-in only, with the
    consent recorded; the access system's person id is kept only as a keyed hash (:func:`shanzhi.core.pii.blind_index`);
    the name and phone are shown masked."""

    grid = models.ForeignKey(
        Unit, verbose_name="所属网格", on_delete=models.PROTECT, related_name="iot_care_enrolments",
        limit_choices_to={"kind": "grid"},
    )  # fmt: skip
    compound = models.ForeignKey(
        StandardAddress, verbose_name="小区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resident_name = models.CharField("姓名", max_length=50)
    resident_phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    credential_hash = models.CharField("门禁身份标识(哈希)", max_length=64, db_index=True)
    quiet_days = models.PositiveSmallIntegerField("未出入天数阈值", default=3)
    consent_method = models.CharField("同意方式", max_length=12, choices=CareConsentMethod.choices)
    consent_note = models.CharField("同意说明", max_length=200, blank=True)
    consent_at = models.DateTimeField("同意时间")
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField("关爱中", default=True)
    withdrawn_at = models.DateTimeField("退出时间", null=True, blank=True)
    last_passage_at = models.DateTimeField("最近出入", null=True, blank=True)
    last_task_at = models.DateTimeField("最近走访任务", null=True, blank=True)

    class Meta:
        verbose_name = "独居关爱对象"
        verbose_name_plural = verbose_name
        ordering = ["grid", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential_hash"], condition=models.Q(is_active=True), name="iot_care_one_active_enrolment"
            ),
            models.CheckConstraint(
                condition=models.Q(quiet_days__gte=1, quiet_days__lte=30), name="iot_care_quiet_days_range"
            ),
        ]

    def __str__(self) -> str:
        return f"care #{self.pk}"


class CareTaskState(models.TextChoices):
    OPEN = "open", "待走访"
    DONE = "done", "已走访"


class CareVisitTask(models.Model):
    """走访任务: the grid worker visits a resident under care whom the gates have not seen for days."""

    enrolment = models.ForeignKey(
        CareEnrolment, verbose_name="关爱对象", on_delete=models.PROTECT, related_name="tasks"
    )
    grid = models.ForeignKey(Unit, verbose_name="网格", on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="网格员", null=True, blank=True, on_delete=models.PROTECT,
        related_name="iot_care_tasks",
    )  # fmt: skip
    state = models.CharField("状态", max_length=6, choices=CareTaskState.choices, default=CareTaskState.OPEN)
    created_at = models.DateTimeField("生成时间")
    quiet_since = models.DateTimeField("未出入起始")
    done_at = models.DateTimeField("走访时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField("走访情况", max_length=300, blank=True)

    class Meta:
        verbose_name = "关爱走访任务"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"], condition=models.Q(state="open"), name="iot_care_one_open_task"
            ),
        ]

    def __str__(self) -> str:
        return f"care task #{self.pk}"
