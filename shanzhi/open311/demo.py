"""Demo data of the Open311 server: the extra questions of a few services (idempotent)."""

from __future__ import annotations

import datetime as dt

from shanzhi.open311.models import ServiceAttribute
from shanzhi.routing.models import Category

QUESTIONS: dict[str, list[dict]] = {
    "020501": [
        {"code": "pole_no", "description": "灯杆编号（灯杆上的白底黑字）", "datatype": "string"},
        {
            "code": "fault",
            "description": "故障情况",
            "datatype": "singlevaluelist",
            "required": True,
            "values": [
                {"key": "dark", "name": "不亮"},
                {"key": "flicker", "name": "闪烁"},
                {"key": "down", "name": "倒伏"},
            ],
        },
        {"code": "count", "description": "不亮的盏数", "datatype": "number"},
    ],
}


def demo_load(*, seed: int, now: dt.datetime, scale: str) -> list[str]:
    created = 0
    for code, questions in QUESTIONS.items():
        category = Category.objects.filter(code=code).first()
        if category is None:
            continue
        for order, question in enumerate(questions, start=1):
            _, made = ServiceAttribute.objects.get_or_create(
                category=category, code=question["code"], defaults={**question, "order": order}
            )
            created += made
    return [f"Open311 服务附加问题：新建 {created} 个"]
