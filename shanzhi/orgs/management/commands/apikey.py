"""``shanzhi apikey create --user NAME --name X`` / ``revoke PREFIX`` / ``list``: API keys for integrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.core import clock
from shanzhi.core.errors import ShanzhiError
from shanzhi.orgs.apikeys import apikey_create, apikey_revoke
from shanzhi.orgs.models import ApiKey, User


class Command(BaseCommand):
    help = "管理接口密钥：create 创建（明文只显示一次）、revoke 停用、list 列出"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户创建接口密钥")
        create.add_argument("--user", required=True, help="用户名（密钥代表该用户，按其角色和单位授权）")
        create.add_argument("--name", required=True, help="密钥名称，如对接系统的名称")
        create.add_argument("--expires-days", type=int, default=None, help="有效天数（默认长期有效）")
        create.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            default=None,
            help="授权范围，可重复，如 --scope appeals:read --scope appeals:write（默认全部范围）",
        )
        create.add_argument("--rate-limit", type=int, default=None, help="每分钟请求上限（默认 600）")
        revoke = sub.add_parser("revoke", help="停用接口密钥")
        revoke.add_argument("prefix", help="密钥前缀，如 sz_1a2b3c4d")
        sub.add_parser("list", help="列出接口密钥（不含明文）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ShanzhiError as error:
            raise CommandError(f"{error.code}: {error.message}") from error

    def _create(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"user not found: {options['user']}")
        days = options.get("expires_days")
        expires_at = clock.now() + dt.timedelta(days=days) if days else None
        api_key, clear_key = apikey_create(
            user=user,
            name=options["name"],
            expires_at=expires_at,
            scopes=options.get("scopes"),
            rate_limit_per_minute=options.get("rate_limit"),
        )
        self.stdout.write(clear_key)
        self.stderr.write(f"created {api_key.prefix} for {user.username}; the key above is shown only once")

    def _revoke(self, options: dict[str, Any]) -> None:
        api_key = apikey_revoke(api_key=options["prefix"])
        self.stdout.write(f"revoked {api_key.prefix}")

    def _list(self, options: dict[str, Any]) -> None:
        for row in ApiKey.objects.select_related("user").order_by("created_at"):
            state = "active" if row.is_active else "revoked"
            expires = row.expires_at.isoformat() if row.expires_at else "-"
            used = row.last_used_at.isoformat() if row.last_used_at else "-"
            scopes = ",".join(row.scopes)
            self.stdout.write(
                f"{row.prefix}\t{state}\t{row.user.username}\t{row.name}\texpires={expires}\tused={used}"
                f"\tlimit={row.rate_limit_per_minute}/min\tscopes={scopes}"
            )
