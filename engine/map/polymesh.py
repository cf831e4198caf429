"""Quads to a navigation polygon mesh: shared corners welded, T-junctions split, polygons merged into convex
ones of at most six corners, neighbours found across shared edges.

Detour links two polygons of a tile only where they share an edge, both corners the same vertex: corners
a few millimetres apart are welded into one vertex, and a corner that lies on another polygon's edge is
inserted into that edge. Polygons are then merged as Recast's mesh builder merges triangles: the pair
sharing the longest edge first, while the result stays convex and has at most six corners (a polygon that
grew past six corners or lost its convexity is first cut into a fan round its centre). Every polygon
winds clockwise seen from above in CARLA's frame, which is Detour's winding once CARLA (x, y, z) becomes
Recast (x, z, y).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

MAX_VERTS = 6
WELD_XY = 0.02        # m: corners closer than this in the ground plane are one vertex...
WELD_Z = 0.1          # m: ...when their heights are this close
ON_EDGE = 0.02        # m: a vertex this close to an edge (and inside it) splits the edge
_GRID = 2.0           # m: cell of the vertex grid used to find corners near an edge
_CONVEX_TOL = 1e-6


@dataclass
class PolyMesh:
    """verts (n, 3) CARLA frame; polys: lists of vertex indices (clockwise seen from above); areas (p,);
    neighbours: per polygon, per edge i (corner i to corner i+1), the polygon across it or -1."""

    verts: np.ndarray
    polys: list
    areas: np.ndarray
    neighbours: list


def build_polymesh(quads: np.ndarray, areas: np.ndarray) -> PolyMesh:
    verts, index = weld(quads.reshape(-1, 3))
    polys, poly_areas = [], []
    for corners, area in zip(index.reshape(len(quads), quads.shape[1]), areas):
        poly = _clean(list(corners), verts)
        if poly is not None:
            polys.append(poly)
            poly_areas.append(int(area))
    polys = split_t_junctions(polys, verts)
    polys, poly_areas, verts = _bound_size(polys, poly_areas, verts)
    polys, poly_areas = merge_polygons(polys, poly_areas, verts)
    return PolyMesh(verts, polys, np.array(poly_areas, np.uint8), find_neighbours(polys))


def weld(points: np.ndarray) -> tuple:
    """(unique vertices, index of each point): points within WELD_XY (and WELD_Z) become one vertex."""
    cells = np.floor(points[:, :2] / WELD_XY).astype(np.int64)
    grid = defaultdict(list)
    verts, index = [], np.empty(len(points), np.int64)
    for i, (p, (cx, cy)) in enumerate(zip(points, cells)):
        found = -1
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for v in grid.get((cx + dx, cy + dy), ()):
                    q = verts[v]
                    if (q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2 <= WELD_XY ** 2 and abs(q[2] - p[2]) <= WELD_Z:
                        found = v
                        break
                if found >= 0:
                    break
            if found >= 0:
                break
        if found < 0:
            found = len(verts)
            verts.append(p)
            grid[(cx, cy)].append(found)
        index[i] = found
    return np.array(verts, np.float64).reshape(-1, 3), index


def _signed_area(poly: list, verts: np.ndarray) -> float:
    xy = verts[poly, :2]
    return 0.5 * float(np.sum(xy[:, 0] * np.roll(xy[:, 1], -1) - np.roll(xy[:, 0], -1) * xy[:, 1]))


def _clean(poly: list, verts: np.ndarray):
    """Drop repeated corners; None for a polygon with no area left. Winds it clockwise (seen from above)."""
    out = [v for i, v in enumerate(poly) if v != poly[i - 1]]
    if len(out) < 3 or len(set(out)) != len(out):
        return None
    area = _signed_area(out, verts)
    if abs(area) < 1e-4:
        return None
    return out if area < 0 else out[::-1]


def split_t_junctions(polys: list, verts: np.ndarray) -> list:
    """Insert into every edge the vertices that lie on it (a neighbour's corner in the middle of an edge)."""
    grid = defaultdict(list)
    for v, (x, y) in enumerate(np.floor(verts[:, :2] / _GRID).astype(np.int64)):
        grid[(x, y)].append(v)
    out = []
    for poly in polys:
        new = []
        for i, a in enumerate(poly):
            b = poly[(i + 1) % len(poly)]
            new.append(a)
            new.extend(_on_edge(a, b, verts, grid))
        out.append(new)
    return out


def _on_edge(a: int, b: int, verts: np.ndarray, grid) -> list:
    pa, pb = verts[a, :2], verts[b, :2]
    lo = np.floor((np.minimum(pa, pb) - ON_EDGE) / _GRID).astype(np.int64)
    hi = np.floor((np.maximum(pa, pb) + ON_EDGE) / _GRID).astype(np.int64)
    candidates = [v for x in range(lo[0], hi[0] + 1) for y in range(lo[1], hi[1] + 1)
                  for v in grid.get((x, y), ()) if v != a and v != b]
    if not candidates:
        return []
    c = np.array(candidates)
    d = pb - pa
    length2 = float(d @ d)
    if length2 < 1e-12:
        return []
    rel = verts[c, :2] - pa
    u = rel @ d / length2
    dist = np.abs(rel[:, 0] * d[1] - rel[:, 1] * d[0]) / np.sqrt(length2)
    z_on_edge = verts[a, 2] + u * (verts[b, 2] - verts[a, 2])
    inside = (u > 1e-6) & (u < 1 - 1e-6) & (dist <= ON_EDGE) & (np.abs(verts[c, 2] - z_on_edge) <= WELD_Z)
    order = np.argsort(u[inside], kind="stable")
    return [int(v) for v in c[inside][order]]


def _convex_cw(poly: list, verts: np.ndarray) -> bool:
    """Clockwise and convex seen from above; straight corners allowed, but no edge doubling back."""
    xy = verts[poly, :2]
    e = np.roll(xy, -1, axis=0) - xy
    following = np.roll(e, -1, axis=0)
    cross = e[:, 0] * following[:, 1] - e[:, 1] * following[:, 0]
    straight = cross > -_CONVEX_TOL
    forward = np.sum(e * following, axis=1) > 0.0
    return bool(np.all(cross <= _CONVEX_TOL) and np.all(~straight | forward)) and _signed_area(poly, verts) < 0


def _bound_size(polys: list, areas: list, verts: np.ndarray) -> tuple:
    """Polygons of more than MAX_VERTS corners (or not convex) become a fan of triangles round their centre
    (no sliver triangles between corners on a straight edge); merging joins them up again.
    Returns (polygons, areas, vertices with the centres added)."""
    out, out_areas, centres = [], [], []
    for poly, area in zip(polys, areas):
        if len(poly) <= MAX_VERTS and _convex_cw(poly, verts):
            out.append(poly)
            out_areas.append(area)
            continue
        centre = len(verts) + len(centres)
        centres.append(verts[poly].mean(axis=0))
        for i, a in enumerate(poly):
            out.append([a, poly[(i + 1) % len(poly)], centre])
            out_areas.append(area)
    if centres:
        verts = np.concatenate([verts, np.array(centres)])
    return out, out_areas, verts


def _edge_map(polys: list) -> dict:
    edges = defaultdict(list)
    for p, poly in enumerate(polys):
        if poly is None:
            continue
        for i, a in enumerate(poly):
            b = poly[(i + 1) % len(poly)]
            edges[(min(a, b), max(a, b))].append((p, i))
    return edges


def _merged(pa: list, ea: int, pb: list, eb: int) -> list:
    """Recast's mergePolys: pa without its edge ea, then pb without its edge eb."""
    na, nb = len(pa), len(pb)
    return [pa[(ea + 1 + i) % na] for i in range(na - 1)] + [pb[(eb + 1 + i) % nb] for i in range(nb - 1)]


def merge_polygons(polys: list, areas: list, verts: np.ndarray) -> tuple:
    """Merge neighbours of the same area, the longest shared edge first, into convex polygons of at most
    MAX_VERTS corners; repeat until nothing merges."""
    polys = [list(p) for p in polys]
    while True:
        candidates = []
        for (a, b), users in _edge_map(polys).items():
            if len(users) != 2:
                continue
            (p, i), (q, j) = users
            if areas[p] != areas[q] or len(polys[p]) + len(polys[q]) - 2 > MAX_VERTS:
                continue
            length = float(np.sum((verts[a, :2] - verts[b, :2]) ** 2))
            candidates.append((-length, p, i, q, j))
        candidates.sort()
        touched = set()
        merged_any = False
        for _, p, i, q, j in candidates:
            if p in touched or q in touched:
                continue
            new = _merged(polys[p], i, polys[q], j)
            if len(set(new)) != len(new) or not _convex_cw(new, verts):
                continue
            polys[p], polys[q] = new, None
            touched.update((p, q))
            merged_any = True
        if not merged_any:
            break
        keep = [k for k, poly in enumerate(polys) if poly is not None]
        polys = [polys[k] for k in keep]
        areas = [areas[k] for k in keep]
    return polys, areas


def find_neighbours(polys: list) -> list:
    """Per polygon and edge, the polygon that shares the edge (walked the other way), or -1."""
    edges = _edge_map(polys)
    neighbours = [[-1] * len(poly) for poly in polys]
    for (a, b), users in edges.items():
        if len(users) != 2:
            continue
        (p, i), (q, j) = users
        if polys[p][i] == polys[q][(j + 1) % len(polys[q])]:      # opposite directions: a true neighbour
            neighbours[p][i] = q
            neighbours[q][j] = p
    return neighbours
