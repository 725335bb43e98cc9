"""In a real browser: an operator finds an appeal by a word of its title in the top bar's box, opens it, and the
appeal page draws its map with tiles from the configured base layer; the portal's submit map and the monthly
hot-spot map ask the same base layer for tiles. The tile server here is the live server's own static image, so
no test reaches outside (and the CSP's img-src 'self' allows it)."""

from __future__ import annotations

import pytest
from browser_wait import wait_js
from desk import PASSWORD, boundaries_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TILE_PATH = "/static/vendor/leaflet-1.9.4/images/layers.png"


@pytest.fixture
def tiles(live_server, settings) -> str:
    """The base layer pointed at the live server: every map of the site asks it for ``{z}/{x}/{y}``."""
    url = f"{live_server.url}{TILE_PATH}?z={{z}}&x={{x}}&y={{y}}"
    settings.SHANZHI_MAP_TILE_URL = url
    settings.SHANZHI_PORTAL_TILE_URL = url
    return f"{live_server.url}{TILE_PATH}?z="


def new_page(browser, requested: list[str]):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("request", lambda request: requested.append(request.url))
    return context, page


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/console/")


def wait_for_tiles(page, requested: list[str], tiles: str, map_selector: str) -> None:
    wait_js(page, f"document.querySelectorAll('{map_selector} img.leaflet-tile').length > 0")
    assert any(url.startswith(tiles) for url in requested), "no tile was requested from the configured URL"
    sources = page.eval_on_selector_all(f"{map_selector} img.leaflet-tile", "imgs => imgs.map(i => i.src)")
    assert sources and all(src.startswith(tiles) for src in sources)


def test_search_by_a_title_word_then_the_map_of_the_appeal(live_server, browser, desk, intake, tiles):
    boundaries_create(desk.district)
    appeal = intake(title="小区垃圾堆积", content="垃圾三天没人清运", longitude=106.78, latitude=39.65)
    other = intake(title="路灯不亮", content="门口路灯坏了")
    base = live_server.url
    requested: list[str] = []
    context, page = new_page(browser, requested)
    try:
        sign_in(page, base, desk.operator.username)
        page.fill(".sz-search input[name=q]", "垃圾")
        page.press(".sz-search input[name=q]", "Enter")
        page.wait_for_url(f"{base}/console/search/")
        results = page.locator("table").inner_text()
        assert appeal.tracking_no in results and other.tracking_no not in results
        assert "张*" in results and "138****1234" in results  # the caller, masked
        page.click(f"text={appeal.tracking_no}")
        page.wait_for_url(f"{base}/console/appeals/{appeal.pk}/")
        page.wait_for_selector("#appeal-map[data-ready='1']")
        wait_for_tiles(page, requested, tiles, "#appeal-map")
        assert page.locator("#appeal-map path.leaflet-interactive").count() >= 2  # the grid and the point
    finally:
        context.close()


def test_the_portal_and_the_monthly_maps_ask_the_base_layer(live_server, browser, desk, tiles):
    base = live_server.url
    requested: list[str] = []
    context, page = new_page(browser, requested)
    try:
        page.goto(f"{base}/m/submit/")
        page.wait_for_selector("#map.leaflet-container")
        wait_for_tiles(page, requested, tiles, "#map")
        requested.clear()
        sign_in(page, base, desk.analyst.username)
        page.goto(f"{base}/console/reports/monthly/")
        page.wait_for_selector("#hotspot-map.leaflet-container")
        wait_for_tiles(page, requested, tiles, "#hotspot-map")
    finally:
        context.close()
