"""Smart doorplates (智慧门牌): QR codes (PNG, SVG), printable A4 sheets (PDF), and what a scan may show.

A plate's QR opens ``<PUBLIC_BASE_URL>/m/d/<code>/?k=<qr_token>``. Citizens get a form to file an appeal with the
address filled in; a signed-in staff member whose territory covers the address gets the household card, and that
view is recorded in the personal-data access log.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db.models import F, QuerySet
from django.template.loader import render_to_string

from shanzhi.core.errors import NotFound
from shanzhi.core.models import PersonalDataAccess
from shanzhi.orgs.models import TERRITORIAL_KINDS, Unit, User
from shanzhi.orgs.permissions import sees_everything
from shanzhi.places import address_codes
from shanzhi.places.models import AddressLevel, Building, Doorplate, Household, StandardAddress

QR_BOX = 10  # pixels per module in the PNG
QR_BORDER = 4  # quiet zone, in modules (the QR standard asks for 4)
PLATES_PER_PAGE = 6
CARD_FIELDS = "户主姓名,户主电话(脱敏)"
CARD_REASON = "扫描智慧门牌查看住户信息"


def public_base_url() -> str:
    """Where citizens reach the portal; ``SHANZHI["PUBLIC_BASE_URL"]`` in production."""
    return str(settings.SHANZHI.get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")


def doorplate_url(doorplate: Doorplate, *, base_url: str | None = None) -> str:
    return f"{(base_url or public_base_url()).rstrip('/')}/m/d/{doorplate.code}/?k={doorplate.qr_token}"


def _qr(data: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=QR_BOX, border=QR_BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str) -> bytes:
    """A black-on-white PNG; its side is (modules + 2 × border) × box pixels."""
    out = io.BytesIO()
    _qr(data).make_image().save(out)
    return out.getvalue()


def qr_svg(data: str) -> bytes:
    """A scalable SVG (one path), for printing at any size."""
    out = io.BytesIO()
    _qr(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).save(out)
    return out.getvalue()


def qr_modules(data: str) -> int:
    """The number of modules on a side of the QR for ``data`` (without the border)."""
    return int(_qr(data).modules_count)


# --- printing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlateView:
    doorplate: Doorplate
    title: str
    detail: str
    code_text: str
    qr_data_uri: str


def _plate_view(doorplate: Doorplate, base_url: str | None) -> PlateView:
    address = doorplate.address
    title = address.street
    if address.building_no is not None:
        title += f" {address.building_no}号楼"
    if address.entrance_no is not None:
        title += f" {address.entrance_no}单元"
    if address.room_no is not None:
        title += f" {address.room_no}室"
    svg = qr_svg(doorplate_url(doorplate, base_url=base_url))
    return PlateView(
        doorplate=doorplate,
        title=title,
        detail=address.text,
        code_text=address_codes.format_code(address.code),
        qr_data_uri="data:image/svg+xml;base64," + base64.b64encode(svg).decode(),
    )


def doorplates_of(*, building: Building | None = None, community: Unit | None = None) -> QuerySet[Doorplate]:
    """The active plates of a building (its own and its entrances') or of a whole community, in code order."""
    qs = Doorplate.objects.filter(is_active=True).select_related("address", "address__community")
    if building is not None:
        qs = qs.filter(address__code__startswith=building.address.code)
    if community is not None:
        qs = qs.filter(address__community=community)
    return qs.order_by("address__code")


def sheet_pdf(doorplates: Iterable[Doorplate], *, heading: str, base_url: str | None = None) -> bytes:
    """Printable A4 sheets, six plates a page, Chinese text in Noto Sans CJK SC (weasyprint)."""
    from weasyprint import HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # one INFO line per layout step otherwise
    plates = [_plate_view(d, base_url) for d in doorplates]
    pages = [plates[i : i + PLATES_PER_PAGE] for i in range(0, len(plates), PLATES_PER_PAGE)] or [[]]
    html = render_to_string(
        "places/doorplate_sheet.html",
        {"pages": pages, "heading": heading, "centre": _centre_name(), "total": len(plates)},
    )
    return bytes(HTML(string=html).write_pdf())


def _centre_name() -> str:
    centre = Unit.objects.filter(code=settings.SHANZHI.get("CENTRE_CODE", "")).first()
    return centre.name if centre else "区域社会治理中心"


# --- scanning -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    doorplate: Doorplate
    token_ok: bool  # False: the QR came from a replaced plate (or none was given)


def doorplate_scan(*, code: str, token: str = "") -> Scan:
    """The active plate for a scanned code (NotFound otherwise); counts the scan."""
    doorplate = (
        Doorplate.objects.select_related("address", "address__community", "address__grid")
        .filter(code=(code or "").strip().upper(), is_active=True)
        .first()
    )
    if doorplate is None or not doorplate.address.is_active:
        raise NotFound()
    Doorplate.objects.filter(pk=doorplate.pk).update(scans=F("scans") + 1)
    return Scan(doorplate=doorplate, token_ok=bool(token) and token == doorplate.qr_token)


def staff_covers(user: User, address: StandardAddress) -> bool:
    """Does ``user``'s territory include the address? The centre sees everything; a territorial unit its subtree
    (a grid worker the addresses of the grid); a department, nobody's household."""
    if not user.is_authenticated or not user.is_active:
        return False
    if sees_everything(user):
        return True
    unit = user.unit
    if unit is None or unit.kind not in TERRITORIAL_KINDS:
        return False
    return any(area.path.startswith(unit.path) for area in (address.grid, address.community) if area is not None)


@dataclass(frozen=True)
class HouseholdCard:
    address: StandardAddress
    building: Building | None
    households: list[Household]


def household_card(*, user: User, address: StandardAddress, ip_address: str | None = None) -> HouseholdCard:
    """The households behind a plate, for a staff member in scope; the view is logged (names and phones shown
    masked — a full view goes through :func:`shanzhi.orgs.personal_data.personal_data_reveal`)."""
    if not staff_covers(user, address):
        raise NotFound()
    building = _building_of(address)
    households = Household.objects.select_related("address", "building").order_by("entrance_no", "room_no")
    if address.level == AddressLevel.ROOM:
        households = households.filter(address=address)
    else:
        households = households.filter(address__code__startswith=address.code)
    PersonalDataAccess.objects.create(
        user=user,
        action=PersonalDataAccess.Action.VIEW,
        subject_type="doorplate_address",
        subject_id=address.code,
        fields=CARD_FIELDS,
        reason=CARD_REASON,
        ip_address=ip_address or None,
    )
    return HouseholdCard(address=address, building=building, households=list(households))


def _building_of(address: StandardAddress) -> Building | None:
    node: StandardAddress | None = address
    while node is not None and node.level != AddressLevel.BUILDING:
        node = node.parent
    return Building.objects.filter(address=node).first() if node is not None else None
