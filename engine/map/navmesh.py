"""The walker navigation mesh of a town, in the Detour binary layout CARLA's client loads.

``town_navmesh(town)`` builds it once per OpenDRIVE text: the walkable quads of ``walk_areas`` become a
polygon mesh (``polymesh``), then one Detour tile as ``dtCreateNavMeshData`` lays it out: vertices in
Recast's axes (CARLA x, z, y), polygons with CARLA's area ids and flags, neighbour indices across shared
edges, a triangle-fan detail mesh per polygon (the one Detour makes when Recast gives none) and the
bounding-volume tree over the polygons' quantized bounds.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from carla_odr import OpenDrive
from carla_odr.detour import (AREA_BLOCK, AREA_CROSSWALK, AREA_GRASS, AREA_ROAD, AREA_SIDEWALK, BVNODE_DTYPE,
                              DETAIL_DTYPE, FLAG_CROSSWALK, FLAG_GRASS, FLAG_NONE, FLAG_ROAD, FLAG_SIDEWALK,
                              POLY_DTYPE, POLYTYPE_GROUND, VERTS_PER_POLYGON, NavMeshParams, NavMeshSet, Tile,
                              encode_ref, navmesh_set_bytes)
from engine.map.polymesh import PolyMesh, build_polymesh
from engine.map.walk_areas import AGENT_RADIUS, walk_quads

AGENT_HEIGHT = 1.8         # CARLA's walker agent (carla::nav::Navigation)
AGENT_CLIMB = 0.5
BV_CELL = 0.2              # m: the quantization step of the bounding-volume tree (Recast's cell size)
TILE_MARGIN = 1.0          # m added round the tile so that points on its border fall in it
AREA_FLAGS = {AREA_BLOCK: FLAG_NONE, AREA_SIDEWALK: FLAG_SIDEWALK, AREA_CROSSWALK: FLAG_CROSSWALK,
              AREA_ROAD: FLAG_ROAD, AREA_GRASS: FLAG_GRASS}
BUILD_VERSION = 1          # bump when the mesh a town gives changes: it names the file clients cache


@dataclass(frozen=True)
class TownNavMesh:
    """A town's navigation mesh: the Detour bytes and the name clients cache it under."""

    file_name: str
    data: bytes
    polymesh: PolyMesh


def navmesh_file_name(town_name: str, xodr: str) -> str:
    """CARLA's file layout (``Carla/Maps/Nav/<map>.bin``) with a digest of the map and of this builder, so a
    client's cached copy is never taken for the mesh of another map or another build."""
    digest = hashlib.sha1(f"{BUILD_VERSION}\n{xodr}".encode()).hexdigest()[:12]
    return f"Carla/Maps/Nav/{town_name}.{digest}.bin"


_BUILT: dict = {}        # (town name, OpenDRIVE text) -> TownNavMesh, the last few towns
_KEEP = 4


def town_navmesh(town) -> TownNavMesh:
    """The town's mesh, built on first use (about a second for a CARLA town) and kept for reloads."""
    key = (town.name, town.xodr)
    built = _BUILT.get(key)
    if built is None:
        built = build_navmesh(town.name, town.xodr, town.opendrive)
        while len(_BUILT) >= _KEEP:
            del _BUILT[next(iter(_BUILT))]
        _BUILT[key] = built
    return built


def build_navmesh(name: str, xodr: str, odr: OpenDrive) -> TownNavMesh:
    walk = walk_quads(odr)
    mesh = build_polymesh(walk.quads, walk.areas)
    return TownNavMesh(navmesh_file_name(name, xodr), navmesh_set_bytes(single_tile_set(mesh)), mesh)


def single_tile_set(mesh: PolyMesh) -> NavMeshSet:
    """The whole mesh as one tile at (0, 0), the tile grid's origin at its minimum corner."""
    tile = detour_tile(mesh)
    width = tile.bmax[0] - tile.bmin[0] + TILE_MARGIN
    depth = tile.bmax[2] - tile.bmin[2] + TILE_MARGIN
    params = NavMeshParams(tuple(tile.bmin), float(width), float(depth), 1, max(1, len(tile.polys)))
    tile.tile_ref = encode_ref(params, 1, 0, 0)
    return NavMeshSet(params, [tile])


def recast_verts(carla_xyz: np.ndarray) -> np.ndarray:
    """CARLA (x, y, z) to Recast (x, y up, z) = CARLA (x, z, y), as float32."""
    return np.ascontiguousarray(np.asarray(carla_xyz)[:, [0, 2, 1]], dtype=np.float32)


def detour_tile(mesh: PolyMesh) -> Tile:
    verts = recast_verts(mesh.verts)
    count = len(mesh.polys)
    polys = np.zeros(count, POLY_DTYPE)
    for p, (poly, neighbours) in enumerate(zip(mesh.polys, mesh.neighbours)):
        n = len(poly)
        if not 3 <= n <= VERTS_PER_POLYGON:
            raise ValueError(f"polygon {p} has {n} corners: Detour takes 3 to {VERTS_PER_POLYGON}")
        polys[p]['verts'][:n] = poly
        polys[p]['neis'][:n] = [q + 1 for q in neighbours]       # 0: no neighbour
        polys[p]['vert_count'] = n
    polys['flags'] = [AREA_FLAGS[int(a)] for a in mesh.areas]
    polys['area_and_type'] = (mesh.areas & 0x3F) | (POLYTYPE_GROUND << 6)
    detail, tris = _fan_detail(polys['vert_count'])
    bmin = verts.min(axis=0) if len(verts) else np.zeros(3, np.float32)
    bmax = verts.max(axis=0) if len(verts) else np.zeros(3, np.float32)
    tile = Tile(polys=polys, verts=verts, max_link_count=int(polys['vert_count'].sum()),
                detail_meshes=detail, detail_tris=tris, walkable_height=AGENT_HEIGHT,
                walkable_radius=AGENT_RADIUS, walkable_climb=AGENT_CLIMB,
                bmin=tuple(float(v) for v in bmin), bmax=tuple(float(v) for v in bmax),
                bv_quant_factor=float(np.float32(1.0) / np.float32(BV_CELL)))
    tile.bv_tree = bv_tree(verts, polys, bmin, tile.bv_quant_factor)
    return tile


def _fan_detail(vert_counts: np.ndarray) -> tuple:
    """Detour's stand-in detail mesh: a triangle fan per polygon, with the flags of its boundary edges."""
    detail = np.zeros(len(vert_counts), DETAIL_DTYPE)
    tris = []
    base = 0
    for p, n in enumerate(vert_counts.astype(int)):
        detail[p] = (0, base, 0, n - 2)
        for j in range(2, n):
            flags = 1 << 2
            if j == 2:
                flags |= 1 << 0
            if j == n - 1:
                flags |= 1 << 4
            tris.append((0, j - 1, j, flags))
        base += n - 2
    return detail, np.array(tris, np.uint8).reshape(-1, 4)


def bv_tree(verts: np.ndarray, polys: np.ndarray, tile_bmin: np.ndarray, quant: float) -> np.ndarray:
    """dtCreateNavMeshData's createBVTree: quantized polygon bounds split at the median of the longest
    axis; an inner node stores minus the size of its subtree (the escape index)."""
    count = len(polys)
    if count == 0:
        return np.zeros(0, BVNODE_DTYPE)
    q = np.float32(quant)
    item_min = np.zeros((count, 3), np.int64)
    item_max = np.zeros((count, 3), np.int64)
    for p in range(count):
        corners = verts[polys[p]['verts'][:polys[p]['vert_count']]]
        lo = ((corners.min(axis=0) - tile_bmin) * q).astype(np.int64)
        hi = ((corners.max(axis=0) - tile_bmin) * q).astype(np.int64)
        item_min[p] = np.clip(lo, 0, 0xFFFF)
        item_max[p] = np.clip(hi, 0, 0xFFFF)
    nodes = np.zeros(2 * count - 1, BVNODE_DTYPE)
    cursor = [0]

    def subdivide(items: np.ndarray) -> None:
        node = cursor[0]
        cursor[0] += 1
        if len(items) == 1:
            nodes[node] = (item_min[items[0]], item_max[items[0]], items[0])
            return
        lo, hi = item_min[items].min(axis=0), item_max[items].max(axis=0)
        extent = hi - lo
        axis = 0
        if extent[1] > extent[axis]:
            axis = 1
        if extent[2] > extent[axis]:
            axis = 2
        items = items[np.argsort(item_min[items, axis], kind="stable")]
        half = len(items) // 2
        subdivide(items[:half])
        subdivide(items[half:])
        nodes[node] = (lo, hi, -(cursor[0] - node))

    subdivide(np.arange(count))
    return nodes
