"""Detour's navigation mesh binary layout, written and read with numpy.

The server sends a walker navigation mesh as CARLA's navmesh files are laid out: a ``NavMeshSetHeader``
(magic ``'MSET'``, version 1, tile count, ``dtNavMeshParams``), then per tile a ``{tileRef, dataSize}``
header and the tile data Detour's ``dtCreateNavMeshData`` makes (``dtMeshHeader`` version 7, vertices,
polygons, links, detail meshes, detail vertices, detail triangles, BV tree, off-mesh connections, each
block padded to 4 bytes). Polygon references are 32-bit (Detour without ``DT_POLYREF64``).

Coordinates are Recast's: ``(x, y up, z)``; a CARLA location (x, y, z) is Recast ``(x, z, y)``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

NAVMESHSET_MAGIC = (ord('M') << 24) | (ord('S') << 16) | (ord('E') << 8) | ord('T')
NAVMESHSET_VERSION = 1
NAVMESH_MAGIC = (ord('D') << 24) | (ord('N') << 16) | (ord('A') << 8) | ord('V')
NAVMESH_VERSION = 7
VERTS_PER_POLYGON = 6
EXT_LINK = 0x8000             # neis[]: an edge on the tile border; the low 4 bits give the side
POLYTYPE_GROUND = 0
POLYTYPE_OFFMESH_CONNECTION = 1

# CARLA's area ids (carla::nav::NavAreas) and polygon flags (SamplePolyFlags).
AREA_BLOCK, AREA_SIDEWALK, AREA_CROSSWALK, AREA_ROAD, AREA_GRASS = 0, 1, 2, 3, 4
FLAG_NONE, FLAG_SIDEWALK, FLAG_CROSSWALK, FLAG_ROAD, FLAG_GRASS = 0x01, 0x02, 0x04, 0x08, 0x10
FLAG_WALKABLE = FLAG_SIDEWALK | FLAG_CROSSWALK | FLAG_GRASS | FLAG_ROAD
FLAG_ALL = 0xFFFF

SET_HEADER = struct.Struct('<iii3fffii')         # magic, version, numTiles, dtNavMeshParams
TILE_HEADER = struct.Struct('<Ii')               # tileRef (32 bit), dataSize
MESH_HEADER = struct.Struct('<iiiiiIiiiiiiiiifff3f3ff')

POLY_DTYPE = np.dtype([('first_link', '<u4'), ('verts', '<u2', (VERTS_PER_POLYGON,)),
                       ('neis', '<u2', (VERTS_PER_POLYGON,)), ('flags', '<u2'), ('vert_count', 'u1'),
                       ('area_and_type', 'u1')])
LINK_DTYPE = np.dtype([('ref', '<u4'), ('next', '<u4'), ('edge', 'u1'), ('side', 'u1'), ('bmin', 'u1'),
                       ('bmax', 'u1')])
DETAIL_DTYPE = np.dtype({'names': ['vert_base', 'tri_base', 'vert_count', 'tri_count'],
                         'formats': ['<u4', '<u4', 'u1', 'u1'], 'offsets': [0, 4, 8, 9], 'itemsize': 12})
BVNODE_DTYPE = np.dtype([('bmin', '<u2', (3,)), ('bmax', '<u2', (3,)), ('i', '<i4')])
OFFMESH_DTYPE = np.dtype([('pos', '<f4', (6,)), ('rad', '<f4'), ('poly', '<u2'), ('flags', 'u1'),
                          ('side', 'u1'), ('user_id', '<u4')])


class NavMeshFormatError(ValueError):
    """Bytes that are not a Detour navigation mesh set this module can read."""


@dataclass
class NavMeshParams:
    """``dtNavMeshParams``: the tile grid and the sizes that fix how polygon references are encoded."""

    origin: tuple
    tile_width: float
    tile_height: float
    max_tiles: int
    max_polys: int


@dataclass
class Tile:
    """One tile's data, as arrays (``dtMeshTile`` without the runtime link list)."""

    x: int = 0
    y: int = 0
    layer: int = 0
    user_id: int = 0
    polys: np.ndarray = field(default_factory=lambda: np.zeros(0, POLY_DTYPE))
    verts: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.float32))
    max_link_count: int = 0
    detail_meshes: np.ndarray = field(default_factory=lambda: np.zeros(0, DETAIL_DTYPE))
    detail_verts: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.float32))
    detail_tris: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.uint8))
    bv_tree: np.ndarray = field(default_factory=lambda: np.zeros(0, BVNODE_DTYPE))
    off_mesh_cons: np.ndarray = field(default_factory=lambda: np.zeros(0, OFFMESH_DTYPE))
    off_mesh_base: int = 0
    walkable_height: float = 0.0
    walkable_radius: float = 0.0
    walkable_climb: float = 0.0
    bmin: tuple = (0.0, 0.0, 0.0)
    bmax: tuple = (0.0, 0.0, 0.0)
    bv_quant_factor: float = 0.0
    tile_ref: int = 0

    @property
    def areas(self) -> np.ndarray:
        return self.polys['area_and_type'] & 0x3F

    @property
    def types(self) -> np.ndarray:
        return self.polys['area_and_type'] >> 6


@dataclass
class NavMeshSet:
    params: NavMeshParams
    tiles: list


# -- references ----------------------------------------------------------------------------------------------

def ilog2(value: int) -> int:
    """Detour's dtIlog2: floor(log2(value)) for value >= 1, 0 for 0."""
    return max(int(value).bit_length() - 1, 0)


def next_pow2(value: int) -> int:
    value = int(value)
    return 1 if value <= 1 else 1 << (value - 1).bit_length()


def ref_bits(params: NavMeshParams) -> tuple:
    """(salt, tile, poly) bit counts of a 32-bit polygon reference, as dtNavMesh::init computes them."""
    tile_bits = ilog2(next_pow2(params.max_tiles))
    poly_bits = ilog2(next_pow2(params.max_polys))
    salt_bits = min(31, 32 - tile_bits - poly_bits)
    if salt_bits < 10:
        raise NavMeshFormatError(f"navmesh params: {params.max_tiles} tiles of {params.max_polys} polygons do not "
                                 "fit 32-bit polygon references")
    return salt_bits, tile_bits, poly_bits


def encode_ref(params: NavMeshParams, salt: int, tile_index: int, poly_index: int) -> int:
    _, tile_bits, poly_bits = ref_bits(params)
    return (salt << (poly_bits + tile_bits)) | (tile_index << poly_bits) | poly_index


def decode_ref(params: NavMeshParams, ref: int) -> tuple:
    """(salt, tile index, poly index) of a reference."""
    salt_bits, tile_bits, poly_bits = ref_bits(params)
    return ((ref >> (poly_bits + tile_bits)) & ((1 << salt_bits) - 1), (ref >> poly_bits) & ((1 << tile_bits) - 1),
            ref & ((1 << poly_bits) - 1))


# -- writing -------------------------------------------------------------------------------------------------

def _pad4(block: bytes) -> bytes:
    return block + b'\0' * (-len(block) % 4)


def _records(array: np.ndarray, dtype: np.dtype) -> bytes:
    """A structured array's bytes with zeros in its padding (a copy of the array may leave it undefined)."""
    out = np.zeros(len(array), dtype)
    for name in dtype.names:
        out[name] = array[name]
    return out.tobytes()


def tile_bytes(tile: Tile) -> bytes:
    """The tile data block dtNavMesh::addTile reads (links are runtime state: written as zeros)."""
    header = MESH_HEADER.pack(
        NAVMESH_MAGIC, NAVMESH_VERSION, tile.x, tile.y, tile.layer, tile.user_id, len(tile.polys), len(tile.verts),
        tile.max_link_count, len(tile.detail_meshes), len(tile.detail_verts), len(tile.detail_tris),
        len(tile.bv_tree), len(tile.off_mesh_cons), tile.off_mesh_base, tile.walkable_height, tile.walkable_radius,
        tile.walkable_climb, *tile.bmin, *tile.bmax, tile.bv_quant_factor)
    blocks = [header,
              np.ascontiguousarray(tile.verts, '<f4').tobytes(),
              _records(tile.polys, POLY_DTYPE),
              np.zeros(tile.max_link_count, LINK_DTYPE).tobytes(),
              _records(tile.detail_meshes, DETAIL_DTYPE),
              np.ascontiguousarray(tile.detail_verts, '<f4').tobytes(),
              np.ascontiguousarray(tile.detail_tris, np.uint8).tobytes(),
              _records(tile.bv_tree, BVNODE_DTYPE),
              _records(tile.off_mesh_cons, OFFMESH_DTYPE)]
    return b''.join(_pad4(block) for block in blocks)


def navmesh_set_bytes(navmesh: NavMeshSet) -> bytes:
    """A whole navigation mesh set: header, then each tile's reference, size and data."""
    p = navmesh.params
    parts = [SET_HEADER.pack(NAVMESHSET_MAGIC, NAVMESHSET_VERSION, len(navmesh.tiles), *p.origin, p.tile_width,
                             p.tile_height, p.max_tiles, p.max_polys)]
    for tile in navmesh.tiles:
        data = tile_bytes(tile)
        parts.append(TILE_HEADER.pack(tile.tile_ref, len(data)))
        parts.append(data)
    return b''.join(parts)


# -- reading -------------------------------------------------------------------------------------------------

class _Reader:
    def __init__(self, data: bytes, offset: int, end: int, what: str):
        self.data, self.offset, self.end, self.what = data, offset, end, what

    def array(self, dtype, count: int, shape=None) -> np.ndarray:
        dtype = np.dtype(dtype)
        size = dtype.itemsize * count
        if count < 0 or self.offset + size > self.end:
            raise NavMeshFormatError(f"{self.what}: the data ends inside its blocks")
        out = np.frombuffer(self.data, dtype, count, self.offset).copy()
        self.offset += size + (-size % 4)
        return out.reshape(shape) if shape is not None else out


def read_tile(data: bytes, offset: int = 0, size: int = None, what: str = "tile") -> Tile:
    """Parse one tile data block (as written by dtCreateNavMeshData)."""
    end = len(data) if size is None else offset + size
    if end - offset < MESH_HEADER.size:
        raise NavMeshFormatError(f"{what}: {end - offset} bytes is shorter than a dtMeshHeader")
    h = MESH_HEADER.unpack_from(data, offset)
    if h[0] != NAVMESH_MAGIC:
        raise NavMeshFormatError(f"{what}: bad magic {h[0]:#x} (expected 'DNAV')")
    if h[1] != NAVMESH_VERSION:
        raise NavMeshFormatError(f"{what}: Detour tile version {h[1]}, expected {NAVMESH_VERSION}")
    counts = h[6:15]
    if min(counts) < 0:
        raise NavMeshFormatError(f"{what}: negative counts in the tile header")
    poly_count, vert_count, max_links, detail_mesh_count, detail_vert_count, detail_tri_count, bv_count, \
        off_mesh_count, off_mesh_base = counts
    reader = _Reader(data, offset + MESH_HEADER.size, end, what)
    verts = reader.array('<f4', vert_count * 3, (vert_count, 3))
    polys = reader.array(POLY_DTYPE, poly_count)
    reader.array(LINK_DTYPE, max_links)
    detail_meshes = reader.array(DETAIL_DTYPE, detail_mesh_count)
    detail_verts = reader.array('<f4', detail_vert_count * 3, (detail_vert_count, 3))
    detail_tris = reader.array(np.uint8, detail_tri_count * 4, (detail_tri_count, 4))
    bv_tree = reader.array(BVNODE_DTYPE, bv_count)
    off_mesh = reader.array(OFFMESH_DTYPE, off_mesh_count)
    tile = Tile(x=h[2], y=h[3], layer=h[4], user_id=h[5], polys=polys, verts=verts, max_link_count=max_links,
                detail_meshes=detail_meshes, detail_verts=detail_verts, detail_tris=detail_tris, bv_tree=bv_tree,
                off_mesh_cons=off_mesh, off_mesh_base=off_mesh_base, walkable_height=h[15], walkable_radius=h[16],
                walkable_climb=h[17], bmin=tuple(h[18:21]), bmax=tuple(h[21:24]), bv_quant_factor=h[24])
    _check_tile(tile, what)
    return tile


def _check_tile(tile: Tile, what: str) -> None:
    n_verts = len(tile.verts)
    counts = tile.polys['vert_count'].astype(np.int64)
    if len(counts) and (counts.min() < 2 or counts.max() > VERTS_PER_POLYGON):
        raise NavMeshFormatError(f"{what}: a polygon has {counts.min()}..{counts.max()} vertices")
    used = np.arange(VERTS_PER_POLYGON)[None, :] < counts[:, None]
    if used.any() and tile.polys['verts'][used].max() >= n_verts:
        raise NavMeshFormatError(f"{what}: a polygon uses a vertex index past the {n_verts} vertices")
    internal = tile.polys['neis'][used]
    internal = internal[(internal & EXT_LINK) == 0]
    if len(internal) and internal.max() > len(tile.polys):
        raise NavMeshFormatError(f"{what}: a polygon links to a neighbour past the {len(tile.polys)} polygons")
    if len(tile.detail_meshes) not in (0, len(tile.polys)):
        raise NavMeshFormatError(f"{what}: {len(tile.detail_meshes)} detail meshes for {len(tile.polys)} polygons")


def read_navmesh_set(data: bytes) -> NavMeshSet:
    """Parse a navigation mesh set as Navigation::Load does (a zero tile reference ends the list)."""
    data = bytes(data)
    if len(data) < SET_HEADER.size:
        raise NavMeshFormatError(f"{len(data)} bytes is shorter than a navigation mesh set header")
    magic, version, num_tiles, ox, oy, oz, tile_w, tile_h, max_tiles, max_polys = SET_HEADER.unpack_from(data, 0)
    if magic != NAVMESHSET_MAGIC or version != NAVMESHSET_VERSION:
        raise NavMeshFormatError(f"not a navigation mesh set: magic {magic:#x} version {version} "
                                 f"(expected 'MSET' version {NAVMESHSET_VERSION})")
    params = NavMeshParams((ox, oy, oz), tile_w, tile_h, max_tiles, max_polys)
    ref_bits(params)
    tiles, pos = [], SET_HEADER.size
    for index in range(num_tiles):
        if pos + TILE_HEADER.size > len(data):
            raise NavMeshFormatError(f"tile {index}: the data ends before its header")
        tile_ref, size = TILE_HEADER.unpack_from(data, pos)
        pos += TILE_HEADER.size
        if not tile_ref or not size:
            break
        if size < 0 or pos + size > len(data):
            raise NavMeshFormatError(f"tile {index}: {size} bytes announced, {len(data) - pos} left")
        tile = read_tile(data, pos, size, f"tile {index}")
        tile.tile_ref = tile_ref
        tiles.append(tile)
        pos += size
    return NavMeshSet(params, tiles)
