"""``shanzhi two_factor reset USER`` (a lost phone: the user enrols again at the next sign-in) / ``status USER``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.orgs import two_factor
from shanzhi.orgs.models import User


class Command(BaseCommand):
    help = "两步验证：reset 重置某用户的身份验证器与恢复码，status 查看状态"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reset", help="重置（用户下次登录时重新启用）").add_argument("username")
        sub.add_parser("status", help="查看是否已启用").add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"user not found: {options['username']}")
        if options["action"] == "reset":
            done = two_factor.two_factor_reset(actor=None, user=user)
            self.stdout.write(f"reset {user.username}" if done else f"{user.username} had no authenticator")
            return
        device = two_factor.confirmed_device(user)
        state = f"enrolled {device.confirmed_at:%Y-%m-%d}" if device and device.confirmed_at else "not enrolled"
        left = two_factor.recovery_codes_left(user)
        self.stdout.write(
            f"{user.username}: {state}, {left} recovery codes left, must enrol: {two_factor.must_enrol(user)}"
        )
