"""Pure rules of mediation: terms, the choice of a mediator, risk alerts and the KPI arithmetic (time passed in,
no ORM)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from shanzhi.sla import rules as sla_rules

#: 人民调解: a case is mediated within 30 days unless both parties agree to extend.
DEFAULT_TERM_DAYS = 30
#: 司法确认: the parties may apply to the court within 30 days of the agreement taking effect.
JUDICIAL_CONFIRMATION_DAYS = 30

REFERRAL_ROUTES = {
    "litigation": "诉讼",
    "arbitration": "仲裁",
    "administrative": "行政途径",
}

KIND_ORDER = {"resident": 0, "rotating": 1, "on_call": 2}


def case_due(created_at: dt.datetime, *, days: int = DEFAULT_TERM_DAYS) -> dt.datetime:
    return created_at + dt.timedelta(days=days)


def judicial_confirmation_deadline(signed_on: dt.date) -> dt.date:
    return signed_on + dt.timedelta(days=JUDICIAL_CONFIRMATION_DAYS)


#: Extension with both parties' consent: at most this many days in all.
MAX_EXTENSION_DAYS = 30
#: A yellow warning when this share of the term has passed (the SLA rules' ratio).
WARNING_SHARE = float(sla_rules.WARN_RATIO)
#: The judicial-confirmation reminder goes out this many days before the window closes.
CONFIRMATION_REMINDER_DAYS = 7


def term_warn_at(*, created_at: dt.datetime, due_at: dt.datetime) -> dt.datetime:
    """The term's warning point: the share of the term the SLA rules warn at (75 %), in natural time."""
    return created_at + (due_at - created_at) * float(sla_rules.WARN_RATIO)


def term_stage(*, created_at: dt.datetime, due_at: dt.datetime, now: dt.datetime) -> str:
    """ "ok", "yellow" (75 % of the term gone) or "red" (past the term): the appeals' warning rule
    (:func:`shanzhi.sla.rules.warning_level`) on the case's term."""
    level = sla_rules.warning_level(at=now, warn_at=term_warn_at(created_at=created_at, due_at=due_at), due_at=due_at)
    return {sla_rules.WarningLevel.RED: "red", sla_rules.WarningLevel.YELLOW: "yellow"}.get(level, "ok")


def extension_allowed(*, already: int, days: int) -> bool:
    return days >= 1 and already + days <= MAX_EXTENSION_DAYS


def confirmation_reminder_due(*, signed_on: dt.date, today: dt.date) -> bool:
    """The window for judicial confirmation closes within the reminder's days (and has not closed)."""
    deadline = judicial_confirmation_deadline(signed_on)
    return today <= deadline <= today + dt.timedelta(days=CONFIRMATION_REMINDER_DAYS)


def raises_alert(risk_level: str) -> bool:
    """A high-risk screening report raises an alert for the centre."""
    return risk_level == "high"


@dataclass(frozen=True)
class MediatorCandidate:
    id: int
    domains: tuple[str, ...]
    kind: str
    open_cases: int
    available: bool


#: A day's entry in a mediator's schedule (值班表): on duty, on leave, on call.
DUTY, LEAVE, ON_CALL = "duty", "leave", "on_call"


def mediator_on_duty(
    *, kind: str, is_available: bool, duty_weekdays: Iterable[int], day: dt.date, status: str = ""
) -> bool:
    """Whether a mediator can take a case on ``day``. Not at all when switched off (``is_available``); then the
    schedule's entry for the day decides (on duty or on call: yes; on leave: no); without an entry, resident (常驻)
    and on-call (随驻) mediators serve any day and a rotating one (轮驻) on their duty weekdays."""
    if not is_available or status == LEAVE:
        return False
    if status in (DUTY, ON_CALL):
        return True
    return kind != "rotating" or day.weekday() in set(duty_weekdays)


def mediator_pick(candidates: Iterable[MediatorCandidate], *, domain: str) -> int | None:
    """分: among the available mediators, those who take ``domain`` first (any mediator when none does), then the
    lightest workload, then resident before rotating before on-call, then the lowest id. None when nobody is free."""
    free = [c for c in candidates if c.available]
    if not free:
        return None
    specialists = [c for c in free if domain in c.domains]
    pool = specialists or free
    best = min(pool, key=lambda c: (c.open_cases, KIND_ORDER.get(c.kind, 9), c.id))
    return best.id


def rate(part: int, whole: int) -> float | None:
    """part / whole in 0..1, None when there is nothing to divide."""
    if whole <= 0:
        return None
    return part / whole


# --- 诉求转调解: which appeals are disputes, and the domain they suggest ------------------------------------------

#: Words that mark an appeal as a dispute between parties (in its category path or its text).
DISPUTE_MARKERS = ("纠纷", "矛盾", "争执", "争议", "协商无果", "调解", "欠薪", "拖欠工资", "索赔", "赔偿")

#: The first domain whose word appears (category path first, then the text) is suggested.
DOMAIN_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("labour", ("欠薪", "拖欠工资", "工资", "劳动", "讨薪")),
    ("traffic", ("交通事故", "车祸", "剐蹭", "追尾")),
    ("medical", ("医疗", "医患", "误诊")),
    ("family", ("婚姻", "离婚", "家庭", "赡养", "抚养")),
    ("inheritance", ("继承", "遗产", "遗嘱")),
    ("tenancy", ("租赁", "房东", "租客", "押金", "房租")),
    ("housing_project", ("问题楼盘", "烂尾", "交房", "办证难")),
    ("property", ("物业", "业主")),
    ("construction", ("工程质量", "施工质量", "装修质量")),
    ("land", ("土地", "承包", "宅基地")),
    ("consumer", ("消费", "网购", "退款", "商家", "退货")),
    ("debt", ("欠款", "借钱", "借款", "债务", "经济纠纷")),
    ("environment", ("噪音", "噪声", "扰民", "污染", "油烟")),
    ("village", ("村务", "村委", "村民")),
    ("neighbours", ("邻居", "邻里", "楼上", "楼下")),
)

#: Appeal states from which no case is made: a duplicate (convert its master), refused or answered at intake.
NOT_CONVERTIBLE_STATES = frozenset({"merged", "rejected", "answered"})


def appeal_is_dispute(*, category_path: str, text: str) -> bool:
    """An appeal of dispute nature (纠纷类诉求): its category or its words say there are parties in conflict."""
    haystack = f"{category_path or ''} {text or ''}"
    return any(marker in haystack for marker in DISPUTE_MARKERS)


def domain_suggest(*, category_path: str, text: str) -> str:
    """The dispute domain an appeal suggests ("" when nothing says): the category's words win over the text's."""
    for haystack in (category_path or "", text or ""):
        for domain, words in DOMAIN_WORDS:
            if any(word in haystack for word in words):
                return domain
    return ""


def appeal_convertible(state: str) -> bool:
    return state not in NOT_CONVERTIBLE_STATES


# --- 纠纷预约: the reminder the day before -----------------------------------------------------------------------

#: Reminders are sent by day only (local hours), never at night.
REMINDER_HOURS = range(8, 21)


def appointment_reminder_due(
    *, starts_at: dt.datetime, created_at: dt.datetime, now: dt.datetime, tz: dt.tzinfo
) -> bool:
    """The reminder goes out by day (:data:`REMINDER_HOURS`) from the day before the appointment (in the centre's
    time zone) until it starts — a
    sweep that missed the day before still reminds — but not when the booking itself was made the day before or on
    the day (its confirmation has just told the citizen)."""
    if now >= starts_at or now.astimezone(tz).hour not in REMINDER_HOURS:
        return False
    day = starts_at.astimezone(tz).date()
    eve = day - dt.timedelta(days=1)
    return now.astimezone(tz).date() >= eve and created_at.astimezone(tz).date() < eve
