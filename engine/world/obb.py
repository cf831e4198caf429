"""Oriented boxes in the ground plane, vectorised: the broad phase (sort and sweep for the moving boxes, a
uniform grid for the static ones), the swept separating-axis test and the sphere sweep the obstacle sensor
uses.

A box is its centre (x, y), half extents (along its own x and y) and yaw in degrees; heights are upright
intervals handled by the callers. Everything works on arrays of many boxes or pairs at once.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np


def cos_sin(yaw_deg) -> tuple:
    """Cosine and sine of yaw angles in degrees (each box's x axis is (cos, sin), its y axis (-sin, cos))."""
    yaw = np.radians(yaw_deg)
    return np.cos(yaw), np.sin(yaw)


def aabb(center: np.ndarray, half: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> tuple:
    """Axis-aligned bounds (lo, hi), each (n, 2), of oriented boxes."""
    c, s = np.abs(cos), np.abs(sin)
    reach = np.empty_like(center)
    reach[:, 0] = c * half[:, 0] + s * half[:, 1]
    reach[:, 1] = s * half[:, 0] + c * half[:, 1]
    return center - reach, center + reach


# -- broad phase ----------------------------------------------------------------------------------------------

def _ranges(counts: np.ndarray) -> tuple:
    """For counts c_i: (owner index repeated c_i times, 0..c_i-1 for each owner)."""
    owner = np.arange(len(counts)).repeat(counts)
    starts = counts.cumsum() - counts
    return owner, np.arange(len(owner)) - starts.repeat(counts)


class _DenseGrid:
    """A rectangle of grid cells with one row-major index per cell, and a border of empty cells around the
    occupied ones so that looking one cell beyond an occupied cell stays inside."""

    def __init__(self, cell: float, origin: np.ndarray, shape: tuple):
        self.cell, self.origin, self.shape = cell, origin, shape     # origin: cell coordinates of index 0

    @classmethod
    def around(cls, cells: np.ndarray, cell: float) -> "_DenseGrid":
        (x0, x1), (y0, y1) = _column_range(cells)
        return cls(cell, (int(x0) - 1, int(y0) - 1), (int(x1 - x0) + 3, int(y1 - y0) + 3))

    def index(self, cells: np.ndarray) -> np.ndarray:
        """Linear index of cells (n, 2); -1 for cells outside the rectangle."""
        x, y = cells[:, 0] - self.origin[0], cells[:, 1] - self.origin[1]
        inside = (x >= 0) & (y >= 0) & (x < self.shape[0]) & (y < self.shape[1])
        return np.where(inside, x * self.shape[1] + y, -1)

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]


def _column_range(a: np.ndarray) -> tuple:
    """((min, max) of column 0, (min, max) of column 1) of an (n, 2) array (reducing along axis 0 of so
    narrow an array is several times slower)."""
    return (a[:, 0].min(), a[:, 0].max()), (a[:, 1].min(), a[:, 1].max())


def _cells(points: np.ndarray, cell: float) -> np.ndarray:
    return np.floor(points / cell).astype(np.int64)


def _file(index: np.ndarray, size: int) -> tuple:
    """Entries sorted by cell: (order of the entries, first entry of each cell, entries per cell)."""
    order = index.argsort(kind="stable")
    count = np.bincount(index, minlength=size)
    return order, count.cumsum() - count, count


@dataclasses.dataclass(frozen=True)
class StaticGrid:
    """Boxes that never move, filed under every grid cell their bounds grown by ``margin`` touch: a moving
    box whose bounds reach at most ``margin`` from their centre can only meet the boxes filed under the cell
    of that centre."""
    margin: float
    grid: _DenseGrid
    box: np.ndarray          # box index of each entry, sorted by cell
    first: np.ndarray        # per cell: its first entry
    count: np.ndarray        # per cell: how many entries

    @classmethod
    def build(cls, lo: np.ndarray, hi: np.ndarray, cell: float, margin: float) -> "StaticGrid":
        c_lo, c_hi = _cells(lo - margin, cell), _cells(hi + margin, cell)
        grid = _DenseGrid.around(np.concatenate([c_lo, c_hi]), cell)
        span = c_hi - c_lo + 1
        owner, k = _ranges(span[:, 0] * span[:, 1])
        cells = np.stack([c_lo[owner, 0] + k // span[owner, 1], c_lo[owner, 1] + k % span[owner, 1]], -1)
        order, first, count = _file(grid.index(cells), grid.size)
        return cls(margin, grid, owner[order], first, count)


def static_pairs(lo: np.ndarray, hi: np.ndarray, grid: StaticGrid) -> tuple:
    """Pairs (moving box, static box) that may overlap, for moving bounds that reach at most grid.margin."""
    return static_pairs_in(static_cells(lo, hi, grid), grid)


def static_cells(lo: np.ndarray, hi: np.ndarray, grid: StaticGrid) -> np.ndarray:
    """The grid cell (linear index, -1 outside the grid) of each moving box's centre: the pairs depend on
    nothing else, so callers may keep them while the cells stay the same."""
    return grid.grid.index(_cells(0.5 * (lo + hi), grid.grid.cell))


def static_pairs_in(index: np.ndarray, grid: StaticGrid) -> tuple:
    """static_pairs of moving boxes whose centres lie in the cells ``index`` (from static_cells)."""
    if len(index) == 0 or len(grid.box) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    count = np.where(index >= 0, grid.count[index], 0)
    owner, k = _ranges(count)
    return owner, grid.box[grid.first[index[owner]] + k]


DENSE_PAIRS_MAX = 48               # up to this many boxes, every pair is tested (fewer array operations)


@functools.lru_cache(maxsize=8)
def _all_pairs(n: int) -> tuple:
    pairs = np.triu_indices(n, 1)
    for index in pairs:
        index.flags.writeable = False
    return pairs


def moving_pairs(lo: np.ndarray, hi: np.ndarray) -> tuple:
    """Pairs (i, j), i < j, of boxes whose bounds overlap: for a few boxes every pair tested, else sort and
    sweep along the axis the boxes spread over most (each box pairs with those that start before it ends),
    the other axis filtering."""
    n = len(lo)
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if n <= DENSE_PAIRS_MAX:
        a, b = _all_pairs(n)
        la, ha, lb, hb = lo[a], hi[a], lo[b], hi[b]
        keep = ((la[:, 0] <= hb[:, 0]) & (lb[:, 0] <= ha[:, 0]) & (la[:, 1] <= hb[:, 1]) & (lb[:, 1] <= ha[:, 1]))
        return a[keep], b[keep]
    (x0, x1), (y0, y1) = _column_range(lo)
    axis = 0 if x1 - x0 >= y1 - y0 else 1
    across = 1 - axis
    order = lo[:, axis].argsort(kind="stable")
    start = lo[order, axis]
    stop = start.searchsorted(hi[order, axis], side="right")
    owner, k = _ranges(stop - np.arange(1, n + 1))
    a, b = order[owner], order[owner + 1 + k]
    keep = (lo[a, across] <= hi[b, across]) & (lo[b, across] <= hi[a, across])
    a, b = a[keep], b[keep]
    return np.minimum(a, b), np.maximum(a, b)


# -- narrow phase ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Contacts:
    """Result of the swept test for m pairs (a, b)."""
    hit: np.ndarray          # (m,) bool: the boxes touch at some time of the step
    normal: np.ndarray       # (m, 2) unit contact normal, from a towards b
    depth: np.ndarray        # (m,) how far b must move from a along the normal to end the overlap (<= 0: none)


def _project(v: np.ndarray, cos_a, sin_a, cos_b, sin_b) -> np.ndarray:
    """(m, 4): vectors v (m, 2) along the axes x_a, y_a, x_b, y_b of each pair."""
    x, y = v[:, 0], v[:, 1]
    out = np.empty((len(v), 4))
    out[:, 0] = x * cos_a + y * sin_a
    out[:, 1] = y * cos_a - x * sin_a
    out[:, 2] = x * cos_b + y * sin_b
    out[:, 3] = y * cos_b - x * sin_b
    return out


def _row_max(x: np.ndarray) -> np.ndarray:
    """Largest of each row of an (m, 4) array (column-wise: much faster than a reduction along axis 1)."""
    return np.maximum(np.maximum(x[:, 0], x[:, 1]), np.maximum(x[:, 2], x[:, 3]))


def _row_min(x: np.ndarray) -> np.ndarray:
    return np.minimum(np.minimum(x[:, 0], x[:, 1]), np.minimum(x[:, 2], x[:, 3]))


def _radii(ha, cos_a, sin_a, hb, cos_b, sin_b) -> np.ndarray:
    """(m, 4): both boxes' combined reach along the axes x_a, y_a, x_b, y_b of each pair."""
    # |cos| and |sin| of the angle between the two boxes give every cross term of the projected radii.
    c = np.abs(cos_a * cos_b + sin_a * sin_b)
    s = np.abs(cos_a * sin_b - sin_a * cos_b)
    radius = np.empty((len(ha), 4))
    radius[:, 0] = ha[:, 0] + hb[:, 0] * c + hb[:, 1] * s
    radius[:, 1] = ha[:, 1] + hb[:, 0] * s + hb[:, 1] * c
    radius[:, 2] = hb[:, 0] + ha[:, 0] * c + ha[:, 1] * s
    radius[:, 3] = hb[:, 1] + ha[:, 0] * s + ha[:, 1] * c
    return radius


def overlapping(ca, ha, cos_a, sin_a, cb, hb, cos_b, sin_b) -> np.ndarray:
    """(m,) bool: the box pairs overlap or touch (separating-axis test of boxes standing still)."""
    separation = np.abs(_project(cb - ca, cos_a, sin_a, cos_b, sin_b))
    return _row_max(separation - _radii(ha, cos_a, sin_a, hb, cos_b, sin_b)) <= 0.0


def swept_contacts(ca, ha, cos_a, sin_a, da, cb, hb, cos_b, sin_b, db, slop: float = 0.0) -> Contacts:
    """Separating-axis test of box pairs moving in straight lines over one step.

    ``c*`` are the centres at the end of the step, ``d*`` the displacements during it, ``h*`` half
    extents, ``cos_*``/``sin_*`` of the yaws (:func:`cos_sin`). Boxes count as touching within ``slop``. The
    normal is the axis on which the boxes met (so a box that passed right through a thin one is sent back
    to the side it came from), or, for boxes that already overlapped at the start, the axis of least
    penetration.
    """
    m = len(ca)
    radius = _radii(ha, cos_a, sin_a, hb, cos_b, sin_b)
    s_end = _project(cb - ca, cos_a, sin_a, cos_b, sin_b)        # separation along each axis
    w = _project(db - da, cos_a, sin_a, cos_b, sin_b)            # its change over the step
    s_start = s_end - w
    reach = radius + slop
    moving = w != 0.0
    safe_w = np.where(moving, w, 1.0)
    t1 = (-reach - s_start) / safe_w
    t2 = (reach - s_start) / safe_w
    inside_still = np.abs(s_start) < reach
    enter = np.where(moving, np.minimum(t1, t2), np.where(inside_still, -np.inf, np.inf))
    leave = np.where(moving, np.maximum(t1, t2), np.where(inside_still, np.inf, -np.inf))
    t_enter = _row_max(enter)
    hit = (t_enter <= 1.0) & (_row_min(leave) >= np.maximum(t_enter, 0.0))
    rows = np.arange(m)
    already = t_enter <= 0.0
    axis = np.where(already, (reach - np.abs(s_end)).argmin(axis=1), enter.argmax(axis=1))
    s_axis = s_end[rows, axis]
    side = np.where(already, s_axis, s_start[rows, axis])
    sign = np.where(side >= 0.0, 1.0, -1.0)
    on_b = axis >= 2
    cos_k, sin_k = np.where(on_b, cos_b, cos_a), np.where(on_b, sin_b, sin_a)
    along_y = (axis & 1) == 1
    normal = np.empty((m, 2))
    normal[:, 0] = np.where(along_y, -sin_k, cos_k) * sign
    normal[:, 1] = np.where(along_y, cos_k, sin_k) * sign
    depth = radius[rows, axis] - sign * s_axis
    return Contacts(hit, normal, depth)


def sphere_sweep(start, direction, length: float, radius: float, center, half, yaw_deg, z_lo, z_hi) -> np.ndarray:
    """Distance along ``direction`` at which a sphere of ``radius`` swept from ``start`` first touches each
    upright box (the box grown by the radius: corners count as square), 0 when it starts inside, inf when
    it never does within ``length``."""
    n = len(center)
    if n == 0:
        return np.zeros(0)
    cos, sin = cos_sin(yaw_deg)
    rx, ry = start[0] - center[:, 0], start[1] - center[:, 1]
    dx, dy = float(direction[0]), float(direction[1])
    origin = np.stack([rx * cos + ry * sin, ry * cos - rx * sin, start[2] - 0.5 * (z_lo + z_hi)], -1)  # box frame
    along = np.stack([dx * cos + dy * sin, dy * cos - dx * sin, np.full(n, float(direction[2]))], -1)
    grown = np.stack([half[:, 0], half[:, 1], 0.5 * (z_hi - z_lo)], -1) + radius
    moving = np.abs(along) > 1e-12
    safe = np.where(moving, along, 1.0)
    t1 = (-grown - origin) / safe
    t2 = (grown - origin) / safe
    inside = np.abs(origin) <= grown
    enter = np.where(moving, np.minimum(t1, t2), np.where(inside, -np.inf, np.inf)).max(axis=1)
    leave = np.where(moving, np.maximum(t1, t2), np.where(inside, np.inf, -np.inf)).min(axis=1)
    hit = (enter <= leave) & (leave >= 0.0) & (enter <= length)
    return np.where(hit, np.maximum(enter, 0.0), np.inf)
