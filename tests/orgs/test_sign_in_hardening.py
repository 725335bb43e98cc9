"""Staff sign-in from outside: brute force is locked out per account and per address (django-axes, behind the
trusted proxies), demo accounts are refused in production and fail ``check --deploy``."""

from __future__ import annotations

import pytest
from desk import PASSWORD
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from shanzhi.orgs.models import User
from shanzhi.orgs.sign_in import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, path: str, username: str, password: str, **headers: str):
    return client.post(path, {"username": username, "password": password}, headers=headers)


@pytest.mark.parametrize("path", ["/console/login/", "/admin/login/"])
def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_then_fails(desk, path, settings):
    admin = User.objects.create_superuser("root", password=PASSWORD, unit=desk.district.centre)
    client = Client()
    statuses = [_login(client, path, admin.username, "wrong-password").status_code for _ in range(30)]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(statuses[settings.AXES_FAILURE_LIMIT :]) == {429}
    right = _login(Client(), path, admin.username, PASSWORD)  # another browser, same account
    assert right.status_code == 429 and "_auth_user_id" not in Client().session
    assert "已暂时锁定" in right.content.decode()


def test_an_address_is_locked_across_accounts_behind_the_trusted_proxy(desk, settings):
    settings.SHANZHI = {**settings.SHANZHI, "TRUSTED_PROXIES": 1}
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), "/console/login/", f"nobody{n}", "x", **attacker)
    locked = _login(Client(), "/console/login/", desk.operator.username, PASSWORD, **attacker)
    assert locked.status_code == 429
    # Another citizen behind the same proxy is not locked out (positive control: the proxy's own address is not it).
    fine = _login(Client(), "/console/login/", desk.operator.username, PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
    assert fine.status_code == 302


def test_the_lockout_is_visible_to_administrators(desk):
    for _ in range(6):
        _login(Client(), "/console/login/", desk.operator.username, "wrong")
    root = User.objects.create_superuser("root", password=PASSWORD, unit=desk.district.centre)
    admin = Client()
    admin.force_login(root)
    page = admin.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and desk.operator.username in page.content.decode()


def test_demo_accounts_are_refused_in_production_and_fail_the_deploy_check(desk, settings):
    desk.operator.password = make_password(DEMO_PASSWORD)
    desk.operator.save()
    desk.dispatcher.password = desk.operator.password
    desk.dispatcher.save()
    assert _login(Client(), "/console/login/", desk.operator.username, DEMO_PASSWORD).status_code == 302  # a trial
    settings.PRODUCTION = True
    refused = _login(Client(), "/console/login/", desk.operator.username, DEMO_PASSWORD)
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    assert _login(Client(), "/console/login/", desk.leader.username, PASSWORD).status_code == 302  # a real account
    with pytest.raises(SystemCheckError, match=r"shanzhi\.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")
