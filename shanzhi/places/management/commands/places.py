"""``shanzhi places demo_addresses`` | ``shanzhi places print_sheet``: the standard-address register's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shanzhi.orgs.models import Unit
from shanzhi.places.demo_addresses import demo_addresses_load
from shanzhi.places.doorplates import doorplates_of, sheet_pdf
from shanzhi.places.models import Building


class Command(BaseCommand):
    help = "标准地址与智慧门牌：demo_addresses 生成演示地址；print_sheet 打印门牌（A4 PDF）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("demo_addresses", help="在几个社区生成演示标准地址、建筑、住户和门牌")
        demo.add_argument("--communities", type=int, default=3, help="社区数量，默认 3")
        demo.add_argument("--seed", type=int, default=20251128)
        sheet = sub.add_parser("print_sheet", help="生成一栋建筑或一个社区的门牌打印页（A4 PDF）")
        target = sheet.add_mutually_exclusive_group(required=True)
        target.add_argument("--building", help="建筑的标准地址编码")
        target.add_argument("--community", help="社区的 12 位区划代码")
        sheet.add_argument("--base-url", default=None, help="二维码中的网址前缀（默认 SHANZHI PUBLIC_BASE_URL）")
        sheet.add_argument("output", type=Path, help="输出 PDF 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "demo_addresses":
            report = demo_addresses_load(communities=options["communities"], seed=options["seed"])
            for line in report.lines:
                self.stdout.write(line)
            return
        if options["building"]:
            building = Building.objects.filter(address__code=options["building"]).first()
            if building is None:
                raise CommandError("找不到该建筑")
            plates, heading = doorplates_of(building=building), f"{building.address.text} 门牌"
        else:
            community = Unit.objects.filter(code=options["community"]).first()
            if community is None:
                raise CommandError("找不到该社区")
            plates, heading = doorplates_of(community=community), f"{community.name} 门牌"
        pdf = sheet_pdf(plates, heading=heading, base_url=options["base_url"])
        options["output"].write_bytes(pdf)
        self.stdout.write(self.style.SUCCESS(f"已生成 {options['output']}（{plates.count()} 块门牌）"))
