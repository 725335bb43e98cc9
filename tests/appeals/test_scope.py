"""Data scope: a handler of one town sees nothing of another town's appeals; departments see what they were given."""

from __future__ import annotations

import pytest

from shanzhi.appeals import selectors
from shanzhi.core import clock
from shanzhi.core.errors import NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_appeals(desk, intake):
    in_a = intake(category=desk.property_service, area=desk.district.grid_a)  # led by town A
    in_b = intake(category=desk.property_service, area=desk.district.grid_b)  # led by town B
    return in_a, in_b


def test_town_sees_its_own_and_not_the_other(desk, two_appeals):
    in_a, in_b = two_appeals
    visible = set(selectors.appeals_visible_to(desk.town_a_handler))
    assert in_a in visible and in_b not in visible
    with pytest.raises(NotFound):
        selectors.appeal_get(user=desk.town_a_handler, key=in_b.tracking_no)
    with pytest.raises(NotFound):
        selectors.appeal_get(user=desk.town_a_handler, key=in_b.pk)


def test_community_sees_its_subtree_only(desk, two_appeals, make_user):
    in_a, _ = two_appeals
    community_worker = make_user(desk.district.community_a, "handler")
    assert set(selectors.appeals_visible_to(community_worker)) == {in_a}


def test_department_sees_only_what_was_assigned(desk, intake, two_appeals):
    lamp = intake()  # 城管局 leads, 住建局 assists
    assert set(selectors.appeals_visible_to(desk.urban_handler)) == {lamp}
    assert set(selectors.appeals_visible_to(desk.housing_handler)) == {lamp}


def test_centre_sees_everything(desk, two_appeals):
    assert set(selectors.appeals_visible_to(desk.operator)) == set(two_appeals)


def test_user_without_unit_sees_nothing(desk, two_appeals, make_user):
    loose = make_user(None, "handler")
    assert list(selectors.appeals_visible_to(loose)) == []


def test_unit_queue_is_scoped_and_paged(desk, intake):
    for i in range(7):
        intake(content=f"路灯{i}")
    page = selectors.unit_queue(user=desk.urban_handler, now=clock.now(), limit=3)
    assert len(page.rows) == 3 and page.next_cursor
    seen = [a.pk for a in page.rows]
    while page.next_cursor:
        page = selectors.unit_queue(user=desk.urban_handler, now=clock.now(), limit=3, cursor=page.next_cursor)
        seen += [a.pk for a in page.rows]
    assert len(seen) == len(set(seen)) == 7
    assert selectors.unit_queue(user=desk.town_b_handler, now=clock.now()).rows == []


def test_allowed_actions_follow_role_and_assignment(desk, intake):
    appeal = intake()
    assert selectors.allowed_actions(user=desk.urban_handler, appeal=appeal) == ["sign", "request"]
    assert selectors.allowed_actions(user=desk.town_b_handler, appeal=appeal) == []
    assert "merge" in selectors.allowed_actions(user=desk.dispatcher, appeal=appeal)
