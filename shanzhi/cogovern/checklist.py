"""The default standardisation checklist of the centres (六有 and the 4+X functions), seeded once and editable in
the admin (ChecklistItem): a district adds its own X functions, changes weights or switches items off."""

from __future__ import annotations

from typing import Any

#: (code, group, title, weight) for town and community centres alike.
DEFAULT_ITEMS: tuple[tuple[str, str, str, int], ...] = (
    ("LY-01", "六有", "有固定场所（接待、调解、研判功能区）", 10),
    ("LY-02", "六有", "有专门机构和专职人员", 10),
    ("LY-03", "六有", "有工作制度和流程上墙", 10),
    ("LY-04", "六有", "有运行经费保障", 10),
    ("LY-05", "六有", "有信息平台接入（工单、网格、视频）", 10),
    ("LY-06", "六有", "有工作台账和档案", 10),
    ("GN-01", "4+X", "矛盾纠纷排查调处", 10),
    ("GN-02", "4+X", "群众诉求一站受理", 10),
    ("GN-03", "4+X", "网格化服务管理", 10),
    ("GN-04", "4+X", "社会治安联防联控", 10),
)
LEVELS = ("town", "community")


def seed_checklist(checklist_item: Any) -> int:
    """Create the default items that are missing (``checklist_item`` is the model, historical or current); the
    number created. Never changes an item the centre edited."""
    created = 0
    for level in LEVELS:
        for code, group, title, weight in DEFAULT_ITEMS:
            _item, new = checklist_item.objects.get_or_create(
                level=level, code=code, defaults={"group": group, "title": title, "weight": weight}
            )
            created += int(new)
    return created
