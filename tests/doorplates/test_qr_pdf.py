"""QR codes (PNG, SVG) and printable A4 sheets (PDF with Chinese text in Noto Sans CJK SC)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zlib

import pytest
from django.urls import reverse
from PIL import Image

from shanzhi.places import doorplates

pytestmark = pytest.mark.django_db


def test_png_has_the_size_the_qr_version_implies(estate, settings):
    settings.SHANZHI = {**settings.SHANZHI, "PUBLIC_BASE_URL": "https://sz.example.cn/"}
    url = doorplates.doorplate_url(estate.plate)
    assert url == f"https://sz.example.cn/m/d/{estate.plate.code}/?k={estate.plate.qr_token}"
    image = Image.open(io.BytesIO(doorplates.qr_png(url)))
    assert image.format == "PNG"
    side = (doorplates.qr_modules(url) + 2 * doorplates.QR_BORDER) * doorplates.QR_BOX
    assert image.size == (side, side)
    # Quiet zone white, and the top-left finder pattern black.
    gray = image.convert("L")
    assert gray.getpixel((2, 2)) == 255
    edge = doorplates.QR_BORDER * doorplates.QR_BOX
    assert gray.getpixel((edge + 2, edge + 2)) == 0


def test_svg_is_well_formed_xml_with_a_path(estate):
    svg = doorplates.qr_svg(doorplates.doorplate_url(estate.plate))
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    paths = [el for el in root.iter() if el.tag.endswith("path")]
    assert paths and len(paths[0].get("d", "")) > 100


def test_qr_endpoints_serve_png_and_svg(estate, client):
    png = client.get(reverse("doorplates:qr", args=[estate.plate.code, "png"]))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = client.get(reverse("doorplates:qr", args=[estate.plate.code, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml"
    ET.fromstring(svg.content)


def _pdf_streams(pdf: bytes) -> bytes:
    out = b""
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out += zlib.decompress(match.group(1))
        except zlib.error:
            continue
    return out


def test_a4_sheet_embeds_the_chinese_font_and_text(estate):
    pdf = doorplates.sheet_pdf(doorplates.doorplates_of(building=estate.building), heading="和平小区1号楼 门牌")
    assert pdf.startswith(b"%PDF-")
    streams = _pdf_streams(pdf)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-?Sans-?CJK-?SC", streams), "Noto Sans CJK SC not embedded"
    # The ToUnicode maps carry the Chinese characters drawn: 门 (U+95E8), 牌 (U+724C), 和 (U+548C).
    for code_point in (b"<95e8>", b"<724c>", b"<548c>"):
        assert code_point in streams.lower()
    assert re.search(rb"/MediaBox\s*\[\s*0 0 595", pdf + streams), "not A4"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "智慧门牌" in text and estate.plate.code in text


def test_staff_print_a_building_sheet_in_scope_only(estate, district, make_user, login):
    url = reverse("doorplates:print") + f"?building={estate.building.address.code}"
    response = login(make_user(district.town_a, "handler")).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert login(make_user(district.town_b, "handler")).get(url).status_code == 403


def test_a_community_sheet_holds_only_the_plates_its_printer_covers(estate, district, make_user, login, monkeypatch):
    """A grid worker covers the plates of the grid, not the community's: each plate is checked, not the first."""
    from shanzhi.orgs.models import Unit, UnitKind
    from shanzhi.places import doorplates, register

    grid_2 = Unit.objects.create(
        code="150302001002002", name="和平社区第2网格", kind=UnitKind.GRID, parent=district.community_a
    )
    other = register.compound_add(
        community=district.community_a, name="和平家园", grid=grid_2, longitude=None, latitude=None
    )
    other_plate = register.doorplate_issue(address=register.building_add(compound=other, floors=2).address)
    printed: list[list[str]] = []

    def sheet(plates, **kwargs):  # type: ignore[no-untyped-def]
        printed.append([plate.code for plate in plates])
        return b"%PDF-"

    monkeypatch.setattr(doorplates, "sheet_pdf", sheet)
    url = reverse("doorplates:print") + f"?community={district.community_a.code}"
    assert login(make_user(district.grid_a, "grid_worker")).get(url).status_code == 200
    assert estate.plate.code in printed[-1] and other_plate.code not in printed[-1]
    assert login(make_user(district.town_a, "handler")).get(url).status_code == 200
    assert other_plate.code in printed[-1] and estate.plate.code in printed[-1]
    assert login(make_user(district.town_b, "handler")).get(url).status_code == 403
