"""Typed, coded errors. Services raise them; the API and the console turn them into a message in the user's language.

Every code is stable (clients match on it); the message is Chinese in the source and translated through gettext.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ShanzhiError(Exception):
    """A refusal the user can act on. ``code`` is stable; ``message`` is shown to people."""

    code = "error"
    status = 400
    default_message: str | Promise = _("请求无法处理")

    def __init__(self, message: str | Promise | None = None, *, code: str | None = None, **details: Any) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.details = details
        super().__init__(f"{self.code}: {self.message}")

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class ValidationFailed(ShanzhiError):
    code = "invalid"
    status = 422
    default_message = _("输入的内容不符合要求")


class NotFound(ShanzhiError):
    code = "not_found"
    status = 404
    default_message = _("找不到该记录，或您无权查看")


class PermissionDenied(ShanzhiError):
    code = "forbidden"
    status = 403
    default_message = _("您没有权限执行此操作")


class TransitionNotAllowed(ShanzhiError):
    code = "transition_not_allowed"
    status = 409
    default_message = _("当前状态下不能执行此操作")


class Conflict(ShanzhiError):
    code = "conflict"
    status = 409
    default_message = _("记录已被他人修改，请刷新后重试")
