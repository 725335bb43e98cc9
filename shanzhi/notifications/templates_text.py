"""The texts the centre sends to citizens: built-in defaults, overridable per event and channel in the admin.

Templates use ``str.format`` placeholders (``{tracking_no}``…, see :data:`PLACEHOLDERS`). Rendering never fails a
business transaction: an unknown placeholder renders empty and a broken override falls back to the built-in text.
Texts are rendered in the centre's language (``settings.LANGUAGE_CODE``), not the staff member's interface language.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shanzhi.notifications.kinds import NotificationChannel, NotificationEvent

PLACEHOLDERS: dict[str, Promise] = {
    "tracking_no": _("诉求编号"),
    "title": _("诉求标题（截短）"),
    "due_date": _("办理期限（日期）"),
    "reply": _("统一答复内容"),
    "unit": _("主办单位"),
    "request": _("需补充的内容"),
    "reason": _("不予受理的原因"),
    "centre": _("中心名称"),
    "portal_url": _("门户网址"),
    "master_no": _("合并到的主诉求编号"),
}

# Fallbacks so that a text still reads well when the appeal lacks the value.
_FALLBACKS: dict[str, Promise] = {
    "due_date": _("按规定时限"),
    "unit": _("承办单位"),
    "request": _("详细情况"),
    "reason": _("不属于受理范围"),
    "centre": _("社会治理中心"),
    "title": _("您反映的事项"),
    "master_no": _("同一问题的诉求"),
}

# Other names callers use for a placeholder's value in ``extra``.
EXTRA_ALIASES = {"question": "request", "reject_reason": "reason", "due": "due_date"}

SMS_REPLY_LIMIT = 200
TITLE_LIMIT = 30

DEFAULT_TEXTS: dict[str, Promise] = {
    NotificationEvent.RECEIVED: _(
        "您反映的诉求已收到，编号{tracking_no}。我们将尽快受理，可凭编号查询办理进度。{portal_url}"
    ),
    NotificationEvent.ACCEPTED: _("您的诉求“{title}”（编号{tracking_no}）已受理，我们将尽快交承办单位办理。"),
    NotificationEvent.DISPATCHED: _("您的诉求（编号{tracking_no}）已转交{unit}办理，办理期限：{due_date}。"),
    NotificationEvent.NEEDS_INFO: _(
        "您的诉求（编号{tracking_no}）需要补充：{request}。请回电或登录门户补充，补充前办理时限暂停计算。{portal_url}"
    ),
    NotificationEvent.REPLIED: _("您的诉求（编号{tracking_no}）已办理，答复如下：{reply}"),
    NotificationEvent.FOLLOW_UP: _(
        "您的诉求（编号{tracking_no}）已答复，请对办理结果作出评价，我们也可能致电回访。{portal_url}"
    ),
    NotificationEvent.CLOSED: _("您的诉求（编号{tracking_no}）已办结，感谢您对{centre}工作的支持。"),
    NotificationEvent.REJECTED: _("您反映的事项（编号{tracking_no}）不予受理，原因：{reason}。如有疑问请来电咨询。"),
    NotificationEvent.ANSWERED: _("您咨询的事项（编号{tracking_no}）已答复：{reply}"),
    NotificationEvent.MERGED: _(
        "您反映的诉求（编号{tracking_no}）与同一问题的诉求{master_no}合并办理，可凭该编号查询进度，办理结果将一并告知您。"
    ),
}

# Per-channel overrides of the defaults (the portal shows the same text as the SMS unless a template says else).
DEFAULT_CHANNEL_TEXTS: dict[tuple[str, str], Promise] = {}


def default_text(event: str, channel: str) -> str:
    """The built-in text for ``event`` on ``channel``, in the centre's language."""
    return _centre_text(DEFAULT_CHANNEL_TEXTS.get((event, channel)) or DEFAULT_TEXTS[event])


_centre_texts: dict[tuple[int, str], str] = {}


def _centre_text(text: Promise) -> str:
    """``text`` in the centre's language, translated once per language. Only for this module's constants: the
    cache goes by the object's identity, which a short-lived lazy string would hand on to another."""
    language = settings.LANGUAGE_CODE
    key = (id(text), language)
    found = _centre_texts.get(key)
    if found is None:
        with translation.override(language):
            found = _centre_texts[key] = str(text)
    return found


class _LenientFormatter(string.Formatter):
    """Unknown names render empty; attribute/index access is refused (templates come from the admin)."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if not field_name.isidentifier():
            raise ValueError("only plain placeholders are allowed")
        return self.get_value(field_name, args, kwargs), field_name

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "")
        raise ValueError("positional placeholders are not allowed")

    def format_field(self, value: Any, format_spec: str) -> str:
        return str(value)  # format specs are ignored: values are already text


_formatter = _LenientFormatter()


def template_problems(body: str) -> list[str]:
    """What is wrong with a template text (empty list when it is usable). For the admin form."""
    problems: list[str] = []
    if not body.strip():
        return [str(_("模板内容不能为空"))]
    try:
        fields = [name for _text, name, _spec, _conv in string.Formatter().parse(body) if name is not None]
    except ValueError:
        return [str(_("花括号不成对，请用 {{ 和 }} 表示花括号本身"))]
    for name in fields:
        if name not in PLACEHOLDERS:
            problems.append(str(_("未知的占位符：{%(name)s}")) % {"name": name})
    return problems


def render(template: str, context: Mapping[str, str], *, fallback: str | None = None) -> str:
    """Fill ``template`` from ``context``; if the template is broken, render ``fallback`` instead."""
    try:
        text = _formatter.vformat(template, (), dict(context))
    except (ValueError, IndexError, KeyError):
        if fallback is None:
            raise
        text = _formatter.vformat(fallback, (), dict(context))
    return " ".join(text.split()) if "\n" not in template else text.strip()


def format_due_date(moment: dt.datetime | None, tz: dt.tzinfo) -> str:
    """The day of ``moment`` in the centre's time zone, written the centre's way (2026年11月28日, Nov. 28, 2026)."""
    if moment is None:
        return ""
    day = moment.astimezone(tz).date()
    language = settings.LANGUAGE_CODE
    if language.startswith("zh"):  # the common case, without switching languages for every message
        return f"{day.year}年{day.month}月{day.day}日"
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def shorten(text: str, limit: int, suffix: str = "…") -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: max(0, limit - len(suffix))] + suffix


def build_context(
    *,
    tracking_no: str,
    title: str,
    due_at: dt.datetime | None,
    reply: str,
    unit: str,
    channel: str,
    tz: dt.tzinfo,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The placeholder values for one message. ``extra`` adds or replaces values (e.g. ``request``, ``reason``)."""
    shanzhi = getattr(settings, "SHANZHI", {})
    context: dict[str, str] = {
        "tracking_no": tracking_no,
        "title": title,
        "due_date": format_due_date(due_at, tz),
        "reply": reply or "",
        "unit": unit,
        "request": "",
        "reason": "",
        "centre": str(shanzhi.get("CENTRE_NAME", "") or shanzhi.get("SMS_SIGN", "") or ""),
        "portal_url": str(shanzhi.get("PORTAL_URL", "") or ""),
        "master_no": "",
    }
    for key, value in (extra or {}).items():
        key = EXTRA_ALIASES.get(key, key)
        if key in PLACEHOLDERS and value is not None:
            context[key] = format_due_date(value, tz) if isinstance(value, dt.datetime) else str(value)
    context = {key: " ".join(value.split()) for key, value in context.items()}
    context["title"] = shorten(context["title"], TITLE_LIMIT)
    if channel == NotificationChannel.SMS and len(context["reply"]) > SMS_REPLY_LIMIT:
        with translation.override(settings.LANGUAGE_CODE):
            more = str(_("……（全文请登录门户查看）"))
        context["reply"] = context["reply"][: SMS_REPLY_LIMIT - len(more)] + more
    for key, fallback in _FALLBACKS.items():
        if not context[key]:
            context[key] = _centre_text(fallback)
    return context
