"""Every action the rules table can offer has its console form and handler, and the page of an appeal in every
state renders for every role (a closed appeal's page used to raise ``KeyError: 'reopen'``)."""

from __future__ import annotations

import pytest
from lifecycle_states import appeal_in_state

from shanzhi.appeals import rules
from shanzhi.appeals.models import AppealState
from shanzhi.console.views_actions import HANDLERS
from shanzhi.console.views_detail import ACTION_FORMS, make_action_form
from shanzhi.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", list(rules.ACTIONS))
def test_every_action_of_the_table_has_a_form_and_a_handler(code):
    assert code in ACTION_FORMS, f"the rules table offers {code!r}, the console has no form for it"
    assert code in HANDLERS or code == "dispatch"  # dispatch's handler takes the form's units
    make_action_form(code)  # builds


@pytest.mark.parametrize("state", list(AppealState.values))
def test_the_page_of_an_appeal_in_each_state_renders_every_offered_form(desk, intake, make_user, login, state):
    appeal = appeal_in_state(desk, intake, state)
    assert appeal.state == state
    everyone = make_user(desk.district.centre, *Role.values)
    response = login(everyone).get(f"/console/appeals/{appeal.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert appeal.tracking_no in html
    offered = [a["code"] for a in response.context["actions"]]
    expected = {
        code
        for code, spec in rules.ACTIONS.items()
        if state in spec.from_states
        and not spec.needs_assignment
        and code not in ("decide_request", "answer")
        and spec.roles & set(Role.values)  # staff may take it (误报撤销 is the IoT process's alone)
    }
    assert expected <= set(offered)
    for code in offered:
        assert f'data-action="{code}"' in html


def test_a_closed_appeal_offers_reopen_and_the_form_reopens_it(desk, intake, login):
    appeal = appeal_in_state(desk, intake, AppealState.CLOSED)
    client = login(desk.dispatcher)
    page = client.get(f"/console/appeals/{appeal.pk}/")
    assert page.status_code == 200 and 'data-action="reopen"' in page.content.decode()
    done = client.post(
        f"/console/appeals/{appeal.pk}/actions/reopen/", {"reason": "路灯又坏了", "version": appeal.version}
    )
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISPATCHED and appeal.round == 2


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("operator", True),
        ("dispatcher", True),
        ("leader", True),
        ("analyst", True),
        ("urban_handler", True),  # the lead unit
        ("town_a_handler", True),  # the place's town
        ("grid_worker_a", True),  # the place's grid
        ("housing_handler", False),  # neither assigned nor the place's: not found
        ("town_b_handler", False),
    ],
)
def test_a_closed_appeal_opens_for_each_role(desk, intake, login, who, sees):
    appeal = appeal_in_state(desk, intake, AppealState.CLOSED)
    response = login(getattr(desk, who)).get(f"/console/appeals/{appeal.pk}/")
    assert response.status_code == (200 if sees else 404)
    assert (appeal.tracking_no in response.content.decode()) is sees
