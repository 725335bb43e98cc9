"""The supervision cycle on the shared desk: one road-light appeal dispatched to 城管局 (lead) and 住建局 (assisting),
the centre's leader and dispatcher, the units' handlers, and a handler of another unit."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from desk import Desk

from shanzhi.appeals.models import Appeal, Assignment
from shanzhi.orgs.models import User


@dataclass
class Scene:
    desk: Desk
    appeal: Appeal
    lead: Assignment  # 城管局
    assisting: Assignment  # 住建局
    leader: User
    dispatcher: User
    handler: User  # 城管局 承办人 (the lead unit)
    outsider: User  # 新华街道 承办人 (no part in the appeal)


@pytest.fixture
def scene(desk: Desk, intake) -> Scene:  # type: ignore[no-untyped-def]
    from shanzhi.appeals import services

    appeal = intake()
    if appeal.state != "dispatched":
        appeal = services.appeal_accept(actor=desk.dispatcher, appeal=appeal, category=desk.road_light, dispatch=True)
    appeal = Appeal.objects.get(pk=appeal.pk)
    return Scene(
        desk=desk,
        appeal=appeal,
        lead=appeal.assignments.get(role="lead"),
        assisting=appeal.assignments.get(role="assisting"),
        leader=desk.leader,
        dispatcher=desk.dispatcher,
        handler=desk.urban_handler,
        outsider=desk.town_b_handler,
    )
