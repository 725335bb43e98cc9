"""Dispatch decisions (catalogue + territorial default) and the category tree import/export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shanzhi.core import clock
from shanzhi.core.errors import ValidationFailed
from shanzhi.orgs.models import Unit
from shanzhi.routing.catalogue import catalogue
from shanzhi.routing.models import Category, Urgency
from shanzhi.routing.rules import (
    RuleCandidate,
    choose_rule,
    condition_count,
    rule_applies,
    territorial_lead,
    unit_may_lead,
)
from shanzhi.routing.suggestions import RoutingSuggestion, SuggestionData, suggestion_read
from shanzhi.routing.urgency import urgency_suggest


@dataclass
class DispatchPlan:
    """Who should handle an appeal, and why."""

    lead_unit: Unit | None
    assisting_units: list[Unit] = field(default_factory=list)
    rule_id: int | None = None
    explanation: list[str] = field(default_factory=list)

    @property
    def explanation_text(self) -> str:
        return "；".join(self.explanation)


def dispatch_plan(
    *,
    category: Category | None,
    area: Unit | None,
    text: str = "",
    channel: str = "",
    at: dt.datetime | None = None,
    exclude_units: Collection[int] = (),
) -> DispatchPlan:
    """The catalogue's answer for a category at a place. ``lead_unit`` is None when nobody can be chosen.

    ``exclude_units``: units that must not be proposed (they returned this appeal and the return was approved,
    :func:`shanzhi.routing.rules.units_returned`): a catalogue line naming one as lead is passed over, a territorial
    unit among them gives way to the next one above, and none of them assists.

    Reads only the in-process catalogue snapshot (:mod:`shanzhi.routing.catalogue`): no query per call.
    """
    plan = DispatchPlan(lead_unit=None)
    if category is None:
        plan.explanation.append(gettext("未分类，待派单员派遣"))
        return plan
    cat = catalogue()
    lineage = cat.lineage(category.pk)
    area_codes = set(area.path.strip("/").split("/")) if area is not None else set()
    local_time = (at or clock.now()).astimezone(clock.centre_tz())
    lines = [
        line
        for cid in lineage
        for line in cat.rules_by_category.get(cid, [])
        if (line.area_code is None or line.area_code in area_codes)
        and unit_may_lead(line.lead_unit_id, exclude_units)
        and rule_applies(
            keywords=line.keywords,
            channels=line.channels,
            weekdays=line.weekdays,
            start=line.start_time,
            end=line.end_time,
            text=text,
            channel=channel,
            local_time=local_time,
        )
    ]
    chosen = choose_rule(
        [
            RuleCandidate(
                rule_id=line.rule_id,
                category_depth=lineage.index(line.category_id),
                area_depth=line.area_depth,
                priority=line.priority,
                conditions=condition_count(
                    keywords=line.keywords,
                    channels=line.channels,
                    weekdays=line.weekdays,
                    timed=line.start_time is not None and line.end_time is not None,
                ),
            )
            for line in lines
        ]
    )
    plan.explanation.append(gettext("分类 %(path)s") % {"path": category.path})
    if exclude_units:
        names = "、".join(u.name for uid in sorted(exclude_units) if (u := cat.units.get(uid)) is not None)
        plan.explanation.append(
            gettext("已退回的单位不再建议：%(names)s") % {"names": names} if names else gettext("已退回的单位不再建议")
        )
    rule = next((line for line in lines if chosen is not None and line.rule_id == chosen.rule_id), None)
    level = "town"
    lead_unit = None
    if rule is None:
        plan.explanation.append(gettext("派单目录无匹配条目，按属地"))
    else:
        plan.rule_id = rule.rule_id
        level = rule.territorial_level
        plan.assisting_units = [
            u for uid in rule.assisting_ids if (u := cat.units.get(uid)) and u.is_active and uid not in exclude_units
        ]
        plan.explanation.append(gettext("派单目录第 %(rule)s 条") % {"rule": rule.rule_id})
        lead_unit = cat.units.get(rule.lead_unit_id) if rule.lead_unit_id else None
    if lead_unit is not None and lead_unit.is_active:
        plan.lead_unit = lead_unit
        plan.explanation.append(gettext("主办 %(unit)s") % {"unit": lead_unit.name})
    elif area is not None:
        chain = cat.chain(area)
        index = territorial_lead(
            [(u.kind, u.code, u.is_active and not u.is_virtual and u.pk not in exclude_units) for u in chain], level
        )
        if index is not None:
            plan.lead_unit = chain[index]
            plan.explanation.append(
                gettext("属地 %(area)s → %(unit)s 主办") % {"area": area.name, "unit": chain[index].name}
            )
    if plan.lead_unit is None:
        plan.explanation.append(gettext("无法确定主办单位，待派单员派遣"))
    plan.assisting_units = [u for u in plan.assisting_units if u.pk != (plan.lead_unit.pk if plan.lead_unit else None)]
    return plan


# --- category tree import/export ------------------------------------------------------------------------------


@transaction.atomic
def category_tree_import(*, rows: Iterable[dict[str, str]]) -> int:
    """Create or update categories from rows with level1/level2/level3 names (code optional).

    Missing parents are created. Returns the number of rows applied. Nothing is written if any row is invalid.
    """
    count = 0
    by_path: dict[str, Category] = {c.path: c for c in Category.objects.all()}
    for line_no, row in enumerate(rows, start=2):
        names = [(row.get(k) or "").strip() for k in ("level1", "level2", "level3")]
        names = [n for n in names if n]
        if not names:
            raise ValidationFailed(_("第 %(line)s 行缺少分类名称") % {"line": line_no}, code="category_row_empty")
        urgency = (row.get("default_urgency") or "").strip()
        if urgency and urgency not in Urgency.values:
            raise ValidationFailed(
                _("第 %(line)s 行的紧急程度无效：%(value)s") % {"line": line_no, "value": urgency[:20]},
                code="category_row_urgency",
            )
        parent: Category | None = None
        for depth, name in enumerate(names, start=1):
            path = "/".join(names[:depth])
            node = by_path.get(path)
            is_leaf = depth == len(names)
            code = (row.get("code") or "").strip() if is_leaf else ""
            if node is None:
                node = Category(name=name, parent=parent, code=code or _next_code(parent, by_path))
                if is_leaf and row.get("default_urgency"):
                    node.default_urgency = row["default_urgency"].strip()
                if is_leaf:
                    node.keywords = (row.get("keywords") or "").strip()
                node.save()
                by_path[node.path] = node
            elif is_leaf:
                changed = False
                for attr in ("default_urgency", "keywords"):
                    value = (row.get(attr) or "").strip()
                    if value and getattr(node, attr) != value:
                        setattr(node, attr, value)
                        changed = True
                if changed:
                    node.save()
            parent = node
        count += 1
    return count


def _next_code(parent: Category | None, by_path: dict[str, Category]) -> str:
    siblings = [c for c in by_path.values() if c.parent_id == (parent.pk if parent else None)]
    base = parent.code if parent else ""
    width = 2
    used = {c.code for c in siblings}
    n = len(siblings) + 1
    while f"{base}{n:0{width}d}" in used:
        n += 1
    return f"{base}{n:0{width}d}"


# --- suggestions from the classifier ------------------------------------------------------------------------------


@dataclass
class RoutingAdvice:
    """What the machine proposes for an appeal without a category: the top suggestions (the stored contract,
    :class:`~shanzhi.routing.suggestions.SuggestionData`), and whether to trust the first one enough to dispatch
    without a person."""

    suggestions: list[SuggestionData] = field(default_factory=list)
    automatic: Category | None = None
    explanation: str = ""
    model_ready: bool = True

    def read(self) -> list[RoutingSuggestion]:
        """The suggestions as the console reads them back."""
        return [s for i, item in enumerate(self.suggestions) if (s := suggestion_read(item, index=i)) is not None]


def suggestion_data(
    *,
    category: Category,
    path: str,
    score: float,
    model: str,
    area: Unit | None,
    text: str,
    channel: str = "",
    at: dt.datetime | None = None,
    exclude_units: Collection[int] = (),
) -> SuggestionData:
    """One suggestion: the category with its probability, the catalogue's plan at the place and the urgency."""
    plan = dispatch_plan(category=category, area=area, text=text, channel=channel, at=at, exclude_units=exclude_units)
    return SuggestionData(
        category_id=category.pk,
        path=path,
        score=round(float(score), 4),
        model=model,
        lead_unit_id=plan.lead_unit.pk if plan.lead_unit else None,
        lead_unit_name=plan.lead_unit.name if plan.lead_unit else "",
        assisting=[u.name for u in plan.assisting_units],
        rule=plan.rule_id,
        explanation=f"{path} {score:.2f} by model {model}；{plan.explanation_text}",
        urgency=urgency_suggest(text, category.default_urgency).urgency,
    )


def routing_advice(
    *,
    text: str,
    area: Unit | None,
    channel: str = "",
    at: dt.datetime | None = None,
    k: int = 3,
    exclude_units: Collection[int] = (),
) -> RoutingAdvice:
    """Classify ``text`` and pair each of the top ``k`` categories with the catalogue's plan for the place.

    Uses the promoted classifier only if one exists (``shanzhi routing train`` or the demo makes it); it never trains
    in a request. Without a model the advice is empty and the appeal waits for a person.
    """
    from shanzhi.routing import classifier
    from shanzhi.routing.classifier import store

    if store.current_version() is None:
        return RoutingAdvice(explanation=gettext("尚无分类模型，待人工分类"), model_ready=False)
    result = classifier.classify(text, k=k)
    cat = catalogue()
    advice = RoutingAdvice()
    for category_id, path, score in result.top:
        category = cat.categories.get(category_id) if category_id else None
        if category is None:
            continue
        advice.suggestions.append(
            suggestion_data(
                category=category,
                path=path,
                score=score,
                model=result.model_version,
                area=area,
                text=text,
                channel=channel,
                at=at,
                exclude_units=exclude_units,
            )
        )
    if result.confident and advice.suggestions and advice.suggestions[0]["lead_unit_id"]:
        advice.automatic = cat.categories[advice.suggestions[0]["category_id"]]
        advice.explanation = f"自动分类：{result.explanation}"
    else:
        advice.explanation = f"置信度不足，待派单员确认（{result.explanation}）"
    return advice


def suggestions_replan(
    suggestions: list[RoutingSuggestion],
    *,
    area: Unit | None,
    text: str = "",
    channel: str = "",
    exclude_units: Collection[int],
) -> list[RoutingSuggestion]:
    """Stored suggestions with the units in ``exclude_units`` taken out: a suggestion whose lead (or an assisting
    unit) is excluded gets the catalogue's plan again without them (lead "按派单目录" when none is left)."""
    if not exclude_units:
        return suggestions
    cat = catalogue()
    out: list[RoutingSuggestion] = []
    for s in suggestions:
        category = cat.categories.get(s.category_id)
        if category is None or unit_may_lead(s.lead_unit_id, exclude_units):
            out.append(s)
            continue
        data = suggestion_data(
            category=category,
            path=s.path,
            score=s.score,
            model=s.model,
            area=area,
            text=text,
            channel=channel,
            exclude_units=exclude_units,
        )
        replanned = suggestion_read(data, index=s.index)
        out.append(replanned if replanned is not None else s)
    return out
