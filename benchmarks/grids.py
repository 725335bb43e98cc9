"""Grid benchmark: points resolved to grids per second, 100k points over 1,000 grids.

    .venv/bin/python benchmarks/grids.py [--grids 1000] [--points 100000] [--vertices 120] [--skip-db]

The grids are a Voronoi partition of the district's test square (106.75–106.90E, 39.60–39.75N) from seeded random
centres, each edge densified so that a grid has about ``--vertices`` vertices (surveyed grids have tens to hundreds).
The points are uniform over the square, so every one lands in a grid. Measured:

1. ``places.geometry.PolygonIndex``: the build, and ``find(lon, lat)`` point by point (what the intake calls);
2. one vectorised STRtree query for all the points (what a batch resolver could use);
3. ``places.services.location_resolve`` on a throw-away PostgreSQL database (see _common.py) holding the 1,000 grids
   as Unit + Boundary rows: the whole call an appeal pays (the cache's TTL check, the district check, the lookup).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import shapely
from _common import bench_database, django_setup
from shapely.geometry import MultiPoint, box, mapping

SQUARE = (106.75, 39.60, 106.90, 39.75)


def grid_polygons(n: int, vertices: int, seed: int = 7) -> list[dict]:
    """``n`` GeoJSON polygons tiling the square (Voronoi cells), each with about ``vertices`` vertices."""
    rng = random.Random(seed)
    west, south, east, north = SQUARE
    centres = MultiPoint([(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(n)])
    frame = box(*SQUARE)
    cells = [c.intersection(frame) for c in shapely.voronoi_polygons(centres, extend_to=frame).geoms]
    out = []
    for cell in cells:
        step = cell.length / max(vertices, 4)
        dense = shapely.segmentize(cell, max_segment_length=step)
        out.append(dict(mapping(dense)))
    return out


def points(n: int, seed: int = 11) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    west, south, east, north = SQUARE
    return [(rng.uniform(west, east), rng.uniform(south, north)) for _ in range(n)]


def pure(polygons: list[dict], pts: list[tuple[float, float]]) -> dict[str, float]:
    from shanzhi.places.geometry import PolygonIndex

    codes = [f"G{i:05d}" for i in range(len(polygons))]
    started = time.perf_counter()
    index = PolygonIndex.build(zip(codes, polygons, strict=True))
    build_s = time.perf_counter() - started
    index.find(*pts[0])  # warm
    started = time.perf_counter()
    found = sum(1 for lon, lat in pts if index.find(lon, lat) is not None)
    find_s = time.perf_counter() - started
    assert index._tree is not None
    array = shapely.points(np.array(pts))
    started = time.perf_counter()
    pairs = index._tree.query(array, predicate="covered_by")
    batch_s = time.perf_counter() - started
    return {
        "build_ms": build_s * 1000,
        "found": found,
        "find_points_per_s": len(pts) / find_s,
        "batch_points_per_s": len(pts) / batch_s,
        "batch_pairs": int(pairs.shape[1]),
    }


def with_database(polygons: list[dict], pts: list[tuple[float, float]]) -> dict[str, float]:
    with bench_database("bench_grids") as url:
        django_setup(url)
        from shanzhi.orgs.models import Boundary, Unit, UnitKind
        from shanzhi.places import services

        city = Unit.objects.create(code="150300000000", name="乌海市", kind=UnitKind.CITY)
        district = Unit.objects.create(code="150302000000", name="海勃湾区", kind=UnitKind.DISTRICT, parent=city)
        Boundary.objects.create(unit=district, geojson=dict(mapping(box(*SQUARE))))
        town = Unit.objects.create(code="150302001000", name="街道", kind=UnitKind.TOWN, parent=district)
        rows = []
        for c in range(len(polygons) // 100 + 1):
            community = Unit.objects.create(
                code=f"150302001{c + 1:03d}", name=f"社区{c + 1}", kind=UnitKind.COMMUNITY, parent=town
            )
            for g, polygon in enumerate(polygons[c * 100 : (c + 1) * 100], start=1):
                grid = Unit.objects.create(
                    code=f"{community.code}{g:03d}", name=f"网格{c + 1}-{g}", kind=UnitKind.GRID, parent=community
                )
                rows.append(Boundary(unit=grid, geojson=polygon))
        Boundary.objects.bulk_create(rows)
        services.invalidate()
        started = time.perf_counter()
        services.location_resolve(longitude=pts[0][0], latitude=pts[0][1])
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        found = sum(1 for lon, lat in pts if services.location_resolve(longitude=lon, latitude=lat).grid is not None)
        resolve_s = time.perf_counter() - started
        return {"first_call_ms": first_s * 1000, "found": found, "resolve_points_per_s": len(pts) / resolve_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=1000)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--vertices", type=int, default=120)
    parser.add_argument("--skip-db", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    polygons = grid_polygons(args.grids, args.vertices)
    pts = points(args.points)
    vertex_counts = [len(p["coordinates"][0]) for p in polygons]
    print(
        f"{len(polygons)} grids (mean {sum(vertex_counts) / len(vertex_counts):.0f} vertices), "
        f"{len(pts):,} points, made in {time.perf_counter() - started:.1f} s"
    )
    result = pure(polygons, pts)
    print(f"PolygonIndex.build            {result['build_ms']:.0f} ms")
    print(f"PolygonIndex.find (one by one) {result['find_points_per_s']:,.0f} points/s ({result['found']:,} found)")
    print(
        f"STRtree query (vectorised)     {result['batch_points_per_s']:,.0f} points/s ({result['batch_pairs']:,} hits)"
    )
    if not args.skip_db:
        db = with_database(polygons, pts)
        print(f"location_resolve first call    {db['first_call_ms']:.0f} ms (loads the index from PostgreSQL)")
        print(f"location_resolve               {db['resolve_points_per_s']:,.0f} points/s ({db['found']:,} found)")


if __name__ == "__main__":
    main()
