"""Rays against the world, vectorised over all rays of a sensor: what the lidars and the radar see.

The scene is what the cameras draw:

- the ground (roads, sidewalks and curbs, markings, terrain) as a height field rasterised from the town
  mesh, read with bilinear interpolation; a ray marches through it in half-cell steps and the crossing
  is refined by bisection;
- the static props (buildings, trees, lamps, traffic-light posts) as their triangles, grouped in chunks
  by position: a ray meets a chunk's bounding box before its triangles are tried;
- vehicles and walkers as their oriented bounding boxes (slab test), seen from outside only.

All rays of one cast share their origin (the sensor), so everything beyond the longest ray is culled
first. Distances are metres along the unit ray directions.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from engine.map.town import reuse_last
from engine.sensors.periodic import rotation
from engine.world.actors import TAG_NONE

HEIGHT_CELLS = 4_000_000        # at most this many height-field cells per town (cell of 0.25 m or more)
MIN_CELL = 0.25
CHUNK_CELL = 8.0                # props' triangles are grouped by the 8 m cell of their centroid
AZIMUTH_BINS = 720              # rays are matched with the chunks in their half-degree sector
PAIR_BLOCK = 20_000             # (ray, chunk) pairs whose triangles are tested together
SAMPLE_BLOCK = 2_000_000        # height-field samples evaluated together
BISECTIONS = 12


@dataclasses.dataclass
class Hits:
    """What each ray met first: distance (inf where nothing within reach), surface normal, semantic tag,
    the actor's id (0 for the map) and that thing's velocity."""
    distance: np.ndarray
    normal: np.ndarray
    tag: np.ndarray
    actor_id: np.ndarray
    velocity: np.ndarray

    @classmethod
    def empty(cls, n: int, reach: np.ndarray) -> "Hits":
        return cls(np.array(reach, dtype=np.float64), np.zeros((n, 3)), np.zeros(n, np.uint32),
                   np.zeros(n, np.uint32), np.zeros((n, 3)))

    def take(self, rays: np.ndarray, distance, normal, tag, actor_id=0, velocity=0.0) -> None:
        """Record hits for the given rays (callers pass only hits nearer than the ones recorded)."""
        self.distance[rays] = distance
        self.normal[rays] = normal
        self.tag[rays] = tag
        self.actor_id[rays] = actor_id
        self.velocity[rays] = velocity


# -- the ground ---------------------------------------------------------------------------------------------

class HeightField:
    """Top surface of the town mesh on a regular grid: height and semantic tag per cell centre."""

    def __init__(self, origin: np.ndarray, cell: float, height: np.ndarray, tag: np.ndarray):
        self.origin = origin              # x, y of the centre of cell (0, 0)
        self.cell = cell
        self.height = height              # (rows along y, columns along x)
        self.tag = tag
        self.z_min = float(height.min())
        self.z_max = float(height.max())

    @classmethod
    def from_mesh(cls, positions: np.ndarray, indices: np.ndarray, tags: np.ndarray, lo, hi) -> "HeightField":
        """Rasterise the triangles over the rectangle lo..hi: the highest surface at each cell centre."""
        lo, hi = np.asarray(lo, np.float64), np.asarray(hi, np.float64)
        cell = max(MIN_CELL, math.sqrt(float(np.prod(hi - lo)) / HEIGHT_CELLS))
        shape = (int(math.ceil((hi[1] - lo[1]) / cell)) + 1, int(math.ceil((hi[0] - lo[0]) / cell)) + 1)
        height = np.full(shape[0] * shape[1], -np.inf)
        tag = np.zeros(shape[0] * shape[1], np.uint8)
        tri = positions[indices.reshape(-1, 3)].astype(np.float64)
        tri_tag = tags[indices.reshape(-1, 3)[:, 0]]
        area = ((tri[:, 1, 0] - tri[:, 0, 0]) * (tri[:, 2, 1] - tri[:, 0, 1])
                - (tri[:, 2, 0] - tri[:, 0, 0]) * (tri[:, 1, 1] - tri[:, 0, 1]))
        flat = np.abs(area) > 1e-9                     # walls (curb faces) have no top to sample
        tri, tri_tag, area = tri[flat], tri_tag[flat], area[flat]
        col_lo = np.clip(np.ceil((tri[:, :, 0].min(1) - lo[0]) / cell), 0, shape[1])
        col_hi = np.clip(np.floor((tri[:, :, 0].max(1) - lo[0]) / cell), -1, shape[1] - 1)
        row_lo = np.clip(np.ceil((tri[:, :, 1].min(1) - lo[1]) / cell), 0, shape[0])
        row_hi = np.clip(np.floor((tri[:, :, 1].max(1) - lo[1]) / cell), -1, shape[0] - 1)
        cols = np.maximum(col_hi - col_lo + 1, 0).astype(np.int64)
        rows = np.maximum(row_hi - row_lo + 1, 0).astype(np.int64)
        counts = cols * rows
        start = 0
        while start < len(tri):
            stop = start + max(1, int(np.searchsorted(np.cumsum(counts[start:]), SAMPLE_BLOCK)))
            sel = np.arange(start, min(stop, len(tri)))
            owner = np.repeat(sel, counts[sel])
            k = np.arange(len(owner)) - np.repeat(np.cumsum(counts[sel]) - counts[sel], counts[sel])
            c = (col_lo[owner] + k % cols[owner]).astype(np.int64)
            r = (row_lo[owner] + k // cols[owner]).astype(np.int64)
            x, y = lo[0] + c * cell, lo[1] + r * cell
            a, b, d = tri[owner, 0], tri[owner, 1], tri[owner, 2]
            w1 = ((x - a[:, 0]) * (d[:, 1] - a[:, 1]) - (d[:, 0] - a[:, 0]) * (y - a[:, 1])) / area[owner]
            w2 = ((b[:, 0] - a[:, 0]) * (y - a[:, 1]) - (x - a[:, 0]) * (b[:, 1] - a[:, 1])) / area[owner]
            inside = (w1 >= -1e-9) & (w2 >= -1e-9) & (w1 + w2 <= 1.0 + 1e-9)
            z = a[:, 2] + w1 * (b[:, 2] - a[:, 2]) + w2 * (d[:, 2] - a[:, 2])
            flat_index = (r * shape[1] + c)[inside]
            z, owner = z[inside], owner[inside]
            np.maximum.at(height, flat_index, z)
            top = z >= height[flat_index]
            tag[flat_index[top]] = tri_tag[owner[top]]
            start = stop
        missing = ~np.isfinite(height)
        if missing.all():
            height[:] = 0.0
        elif missing.any():
            height[missing] = height[~missing].min()
        return cls(lo, cell, height.reshape(shape).astype(np.float32), tag.reshape(shape))

    def _cell_coords(self, x: np.ndarray, y: np.ndarray) -> tuple:
        rows, cols = self.height.shape
        u = np.clip((x - self.origin[0]) / self.cell, 0.0, cols - 1.0)
        v = np.clip((y - self.origin[1]) / self.cell, 0.0, rows - 1.0)
        c0 = np.minimum(u.astype(np.int64), max(cols - 2, 0))
        r0 = np.minimum(v.astype(np.int64), max(rows - 2, 0))
        return u, v, c0, r0

    def sample(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Bilinear height under (x, y); beyond the grid the edge continues."""
        u, v, c0, r0 = self._cell_coords(x, y)
        c1 = np.minimum(c0 + 1, self.height.shape[1] - 1)
        r1 = np.minimum(r0 + 1, self.height.shape[0] - 1)
        fu, fv = u - c0, v - r0
        h = self.height
        return ((h[r0, c0] * (1 - fu) + h[r0, c1] * fu) * (1 - fv)
                + (h[r1, c0] * (1 - fu) + h[r1, c1] * fu) * fv)

    def normal_and_tag(self, x: np.ndarray, y: np.ndarray) -> tuple:
        u, v, c0, r0 = self._cell_coords(x, y)
        c1 = np.minimum(c0 + 1, self.height.shape[1] - 1)
        r1 = np.minimum(r0 + 1, self.height.shape[0] - 1)
        fu, fv = u - c0, v - r0
        h = self.height
        dx = ((h[r0, c1] - h[r0, c0]) * (1 - fv) + (h[r1, c1] - h[r1, c0]) * fv) / self.cell
        dy = ((h[r1, c0] - h[r0, c0]) * (1 - fu) + (h[r1, c1] - h[r0, c1]) * fu) / self.cell
        normal = np.stack([-dx, -dy, np.ones_like(dx)], axis=1)
        normal /= np.linalg.norm(normal, axis=1, keepdims=True)
        rows, cols = self.height.shape
        nearest_row = np.clip(np.rint(v), 0, rows - 1).astype(np.int64)
        nearest_col = np.clip(np.rint(u), 0, cols - 1).astype(np.int64)
        return normal, self.tag[nearest_row, nearest_col]

    def intersect(self, origin: np.ndarray, dirs: np.ndarray, reach: np.ndarray, hits: Hits, rays: np.ndarray) -> None:
        """Record ground hits nearer than ``reach`` for the given rays."""
        oz = origin[2]
        # The origin must lie above the surface (a ray starting underground sees nothing of it).
        if oz <= float(self.sample(np.array([origin[0]]), np.array([origin[1]]))[0]):
            return
        dz = dirs[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            t_top = np.where(dz < 0, (self.z_max - oz) / dz, 0.0)
            t_bottom = np.where(dz < 0, (self.z_min - oz) / dz, np.inf)
        # Only the stretch of each ray between the field's highest and lowest heights can meet it.
        t0 = np.maximum(np.where(oz > self.z_max, t_top, 0.0), 0.0)
        t1 = np.minimum(t_bottom, reach)
        usable = (t1 > t0) & ~((dz >= 0) & (oz > self.z_max))
        flat_speed = np.maximum(np.hypot(dirs[:, 0], dirs[:, 1]), 1e-3)
        step = 0.5 * self.cell / flat_speed
        counts = np.where(usable, np.ceil((t1 - t0) / step).astype(np.int64) + 1, 0)
        candidates = np.flatnonzero(counts)
        start = 0
        while start < len(candidates):
            totals = np.cumsum(counts[candidates[start:]])
            stop = start + max(1, int(np.searchsorted(totals, SAMPLE_BLOCK)))
            self._march(origin, dirs, candidates[start:stop], counts, t0, t1, step, hits, rays)
            start = stop

    def _march(self, origin, dirs, which, counts, t0, t1, step, hits, rays) -> None:
        n = counts[which]
        owner = np.repeat(which, n)
        k = np.arange(len(owner)) - np.repeat(np.cumsum(n) - n, n)
        t = np.minimum(t0[owner] + k * step[owner], t1[owner])
        d = dirs[owner]
        p = origin + t[:, None] * d
        below = p[:, 2] <= self.sample(p[:, 0], p[:, 1])
        if not below.any():
            return
        first_sample = np.flatnonzero(below)
        ray_of, first = np.unique(owner[first_sample], return_index=True)
        index = first_sample[first]
        lo = np.where(k[index] > 0, t[np.maximum(index - 1, 0)], t[index])
        hi = t[index]
        d = dirs[ray_of]

        def clearance(t):
            p = origin + t[:, None] * d
            return p[:, 2] - self.sample(p[:, 0], p[:, 1])

        for _ in range(BISECTIONS):
            mid = 0.5 * (lo + hi)
            under = clearance(mid) <= 0.0
            hi = np.where(under, mid, hi)
            lo = np.where(under, lo, mid)
        # The surface is nearly linear over the last bracket: finish with one secant step.
        above, below = clearance(lo), clearance(hi)
        drop = above - below
        t = np.where(drop > 1e-12, lo + (hi - lo) * above / np.where(drop > 1e-12, drop, 1.0), hi)
        p = origin + t[:, None] * d
        normal, tag = self.normal_and_tag(p[:, 0], p[:, 1])
        hits.take(rays[ray_of], t, normal, tag)


# -- the props ----------------------------------------------------------------------------------------------

class TriangleChunks:
    """Triangles grouped by the grid cell of their centroid, with each group's bounding box."""

    def __init__(self, positions: np.ndarray, indices: np.ndarray, tags: np.ndarray):
        tri = positions[indices.reshape(-1, 3)].astype(np.float64)
        centroid = tri.mean(axis=1)
        cell = np.floor(centroid[:, :2] / CHUNK_CELL).astype(np.int64)
        key = (cell[:, 0] << 32) + cell[:, 1]
        order = np.argsort(key, kind="stable")
        tri, key = tri[order], key[order]
        self.v0 = tri[:, 0]
        self.e1 = tri[:, 1] - tri[:, 0]
        self.e2 = tri[:, 2] - tri[:, 0]
        normal = np.cross(self.e1, self.e2)
        self.normal = normal / np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-12)
        self.tag = tags[indices.reshape(-1, 3)[:, 0]][order].astype(np.uint32)
        _, self.start, self.count = np.unique(key, return_index=True, return_counts=True)
        lo, hi = tri.min(axis=1), tri.max(axis=1)
        self.lo = np.minimum.reduceat(lo, self.start) if len(tri) else np.zeros((0, 3))
        self.hi = np.maximum.reduceat(hi, self.start) if len(tri) else np.zeros((0, 3))

    def intersect(self, origin: np.ndarray, dirs: np.ndarray, hits: Hits, rays: np.ndarray) -> None:
        if len(self.start) == 0 or len(rays) == 0:
            return
        reach = hits.distance[rays]
        longest = float(reach.max())
        gap = np.maximum(np.maximum(self.lo - origin, origin - self.hi), 0.0)
        near = np.flatnonzero(np.einsum("ij,ij->i", gap, gap) <= longest * longest)
        if len(near) == 0:
            return
        ray_i, chunk_i = _sector_pairs(origin, dirs, self.lo[near], self.hi[near])
        meet, entry = _slab(origin, dirs[ray_i], reach[ray_i], self.lo[near][chunk_i], self.hi[near][chunk_i])
        ray_i, chunk_i, entry = ray_i[meet], near[chunk_i[meet]], entry[meet]
        # Each ray's nearest chunk first: most rays stop there, and farther chunks are then skipped.
        order = np.lexsort((entry, ray_i))
        ray_i, chunk_i, entry = ray_i[order], chunk_i[order], entry[order]
        nearest = np.ones(len(ray_i), dtype=bool)
        nearest[1:] = ray_i[1:] != ray_i[:-1]
        for selection in (nearest, ~nearest):
            pair_ray, pair_chunk = ray_i[selection], chunk_i[selection]
            still = entry[selection] < hits.distance[rays[pair_ray]]
            pair_ray, pair_chunk = pair_ray[still], pair_chunk[still]
            for begin in range(0, len(pair_ray), PAIR_BLOCK):
                part = slice(begin, begin + PAIR_BLOCK)
                self._triangles(origin, dirs, pair_ray[part], pair_chunk[part], hits, rays)

    def _triangles(self, origin, dirs, ray_i, chunk_i, hits: Hits, rays) -> None:
        n = self.count[chunk_i]
        owner = np.repeat(np.arange(len(ray_i)), n)
        tri = np.repeat(self.start[chunk_i], n) + (np.arange(len(owner)) - np.repeat(np.cumsum(n) - n, n))
        ray = ray_i[owner]
        d = dirs[ray]
        e1, e2 = self.e1[tri], self.e2[tri]
        p = np.cross(d, e2)
        det = np.einsum("ij,ij->i", e1, p)
        ok = np.abs(det) > 1e-12
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        s = origin - self.v0[tri]
        u = np.einsum("ij,ij->i", s, p) * inv
        q = np.cross(s, e1)
        v = np.einsum("ij,ij->i", d, q) * inv
        t = np.einsum("ij,ij->i", e2, q) * inv
        hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 1e-6) & (t < hits.distance[rays[ray]])
        if not hit.any():
            return
        ray, tri, t = ray[hit], tri[hit], t[hit]
        order = np.lexsort((t, ray))
        ray, tri, t = ray[order], tri[order], t[order]
        first = np.ones(len(ray), dtype=bool)
        first[1:] = ray[1:] != ray[:-1]
        ray, tri, t = ray[first], tri[first], t[first]
        hits.take(rays[ray], t, self.normal[tri], self.tag[tri])


def _sector_pairs(origin: np.ndarray, dirs: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple:
    """(ray, box) pairs where the ray's azimuth falls in the azimuth range the box covers from the origin."""
    width = 2.0 * math.pi / AZIMUTH_BINS
    ray_bin = ((np.arctan2(dirs[:, 1], dirs[:, 0]) + math.pi) / width).astype(np.int64) % AZIMUTH_BINS
    order = np.argsort(ray_bin, kind="stable")
    per_bin = np.bincount(ray_bin, minlength=AZIMUTH_BINS)
    bin_start = np.cumsum(per_bin) - per_bin
    corners = np.stack([np.stack([lo[:, 0], lo[:, 1]], 1), np.stack([hi[:, 0], lo[:, 1]], 1),
                        np.stack([hi[:, 0], hi[:, 1]], 1), np.stack([lo[:, 0], hi[:, 1]], 1)], 1) - origin[:2]
    middle = 0.5 * (lo[:, :2] + hi[:, :2]) - origin[:2]
    heading = np.arctan2(middle[:, 1], middle[:, 0])
    spread = np.mod(np.arctan2(corners[..., 1], corners[..., 0]) - heading[:, None] + math.pi, 2.0 * math.pi) - math.pi
    inside = np.all((lo[:, :2] <= origin[:2]) & (origin[:2] <= hi[:, :2]), axis=1)
    first = np.floor((heading + spread.min(axis=1) + math.pi) / width).astype(np.int64)
    last = np.floor((heading + spread.max(axis=1) + math.pi) / width).astype(np.int64)
    span = np.where(inside, AZIMUTH_BINS, np.minimum(last - first + 1, AZIMUTH_BINS))
    first = np.where(inside, 0, first)
    box = np.repeat(np.arange(len(lo)), span)
    bins = (np.repeat(first, span) + np.arange(len(box)) - np.repeat(np.cumsum(span) - span, span)) % AZIMUTH_BINS
    count = per_bin[bins]
    pair_box = np.repeat(box, count)
    offset = np.arange(len(pair_box)) - np.repeat(np.cumsum(count) - count, count)
    return order[np.repeat(bin_start[bins], count) + offset], pair_box


def _slab(origin: np.ndarray, dirs: np.ndarray, reach: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple:
    """Whether each ray meets its axis-aligned box (row by row) before ``reach``, and where it enters."""
    safe = np.where(np.abs(dirs) < 1e-12, 1e-12, dirs)
    t_a = (lo - origin) / safe
    t_b = (hi - origin) / safe
    t_near = np.minimum(t_a, t_b).max(axis=1)
    t_far = np.maximum(t_a, t_b).min(axis=1)
    return (t_far >= np.maximum(t_near, 0.0)) & (t_near < reach), t_near


# -- the actors ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class ActorBoxes:
    """Oriented boxes of the vehicles and walkers this tick."""
    center: np.ndarray       # (m, 3)
    axes: np.ndarray         # (m, 3, 3): columns are the box's x, y, z axes in world coordinates
    half: np.ndarray         # (m, 3)
    actor_id: np.ndarray     # (m,)
    tag: np.ndarray          # (m,)
    velocity: np.ndarray     # (m, 3)

    def intersect(self, origin: np.ndarray, dirs: np.ndarray, hits: Hits, rays: np.ndarray) -> None:
        if len(self.actor_id) == 0 or len(rays) == 0:
            return
        reach = hits.distance[rays]
        longest = float(reach.max(initial=0.0))
        radius = np.linalg.norm(self.half, axis=1)
        near = np.flatnonzero(np.linalg.norm(self.center - origin, axis=1) <= longest + radius)
        for b in near:
            local_o = self.axes[b].T @ (origin - self.center[b])
            if np.all(np.abs(local_o) <= self.half[b]):
                continue                      # inside this box: its faces are seen from behind
            local_d = dirs @ self.axes[b]
            safe = np.where(np.abs(local_d) < 1e-12, 1e-12, local_d)
            t_a = (-self.half[b] - local_o) / safe
            t_b = (self.half[b] - local_o) / safe
            t_near_axes = np.minimum(t_a, t_b)
            t_near = t_near_axes.max(axis=1)
            t_far = np.maximum(t_a, t_b).min(axis=1)
            meet = (t_far >= t_near) & (t_near > 0.0) & (t_near < hits.distance[rays])
            if not meet.any():
                continue
            which = np.flatnonzero(meet)
            axis = t_near_axes[which].argmax(axis=1)
            sign = -np.sign(safe[which, axis])
            normal = self.axes[b][:, axis].T * sign[:, None]
            hits.take(rays[which], t_near[which], normal, self.tag[b], self.actor_id[b], self.velocity[b])


def actor_boxes(world, exclude: int = 0) -> ActorBoxes:
    """Boxes of every vehicle and walker (a vehicle's box stands on its origin, a walker's is centred)."""
    rows = []
    kinds = ((world.vehicles, world.vehicle_ids, "vehicle"), (world.walkers, world.walker_ids, "walker"))
    for state, ids, kind in kinds:
        for slot in state.slots():
            actor = world.actors.get(int(ids[slot]))
            if actor is None or actor.id == exclude:
                continue
            rows.append((actor, state, slot, kind))
    m = len(rows)
    boxes = ActorBoxes(np.zeros((m, 3)), np.zeros((m, 3, 3)), np.zeros((m, 3)), np.zeros(m, np.uint32),
                       np.zeros(m, np.uint32), np.zeros((m, 3)))
    for i, (actor, state, slot, kind) in enumerate(rows):
        axes = rotation(state.rot[slot])
        half = np.asarray(actor.extent, dtype=np.float64)
        lift = half[2] if kind == "vehicle" else 0.0
        boxes.center[i] = state.loc[slot] + axes[:, 2] * lift
        boxes.axes[i] = axes
        boxes.half[i] = half
        boxes.actor_id[i] = actor.id
        boxes.tag[i] = actor.semantic_tags[0] if actor.semantic_tags else TAG_NONE
        boxes.velocity[i] = state.vel[slot]
    return boxes


# -- the scene ----------------------------------------------------------------------------------------------

class StaticScene:
    """The town's ground and props, built once per town."""

    def __init__(self, town):
        from engine.render.props import build_props
        from engine.render.town_mesh import build_town_mesh, town_surfaces
        ground = build_town_mesh(town)
        raster = town_surfaces(town.opendrive).raster
        lo = raster.origin
        hi = raster.origin + np.array(raster.touched.shape[::-1]) * raster.cell
        self.ground = HeightField.from_mesh(ground.positions, ground.indices, ground.tags,
                                            (lo[0], -hi[1]), (hi[0], -lo[1]))
        props = build_props(town)
        self.props = TriangleChunks(props.positions, props.indices, props.tags)


@reuse_last
def static_scene(town) -> StaticScene:
    """The scene of a town (the last one built is kept)."""
    return StaticScene(town)


def cast(world, origin, dirs: np.ndarray, reach, exclude: int = 0) -> Hits:
    """First hit of each ray from ``origin`` along the unit ``dirs`` within ``reach`` metres (scalar or
    per ray). ``exclude`` names an actor the rays pass through."""
    origin = np.asarray(origin, dtype=np.float64)
    dirs = np.asarray(dirs, dtype=np.float64).reshape(-1, 3)
    n = len(dirs)
    hits = Hits.empty(n, np.broadcast_to(np.asarray(reach, dtype=np.float64), (n,)))
    if n == 0:
        return hits
    reach_at_start = hits.distance.copy()
    rays = np.arange(n)
    actor_boxes(world, exclude).intersect(origin, dirs, hits, rays)
    scene = static_scene(world.town)
    scene.props.intersect(origin, dirs, hits, rays)
    scene.ground.intersect(origin, dirs, hits.distance.copy(), hits, rays)
    hits.distance[hits.distance >= reach_at_start] = np.inf
    return hits
