"""Which actors are near which autopiloted vehicles: candidate pairs for the path checks.

Small sets use one dense distance matrix; large ones bucket the other actors in a square grid, sorted by
cell, and read the cells within each agent's own reach as one range of that order per column of cells.
The leader search asks only for what lies ahead of each agent (past a line across its heading): the grid
then reads the cells of that half of the reach. Either way the pairs come out in an order fixed by the
input alone (agents ascending).
"""
from __future__ import annotations

import numpy as np

DENSE_LIMIT = 40_000          # agents x actors below which one dense matrix is cheaper than the grid
CELL = 12.0                   # m, grid cell
_WINDOW_MARGIN = 0.5          # m added around a half disc's bounding box against rounding
# Signs of the half length and half width at the corners of a box in order around it, the first repeated.
_CORNER_ALONG = np.array([1.0, 1.0, -1.0, -1.0, 1.0])
_CORNER_ACROSS = np.array([-1.0, 1.0, 1.0, -1.0, -1.0])


def nearby_pairs(ax: np.ndarray, ay: np.ndarray, reach: np.ndarray, ox: np.ndarray, oy: np.ndarray,
                 radius: np.ndarray, ahead=None):
    """Index pairs (agent a, actor o) with |o - a| < reach[a] + radius[o], agents ascending. With ``ahead`` =
    (cos, sin, cut) per agent, only the actors whose disc reaches past the line ``cut`` metres along the
    agent's heading: (o - a) . heading + radius[o] >= cut[a]."""
    n, m = len(ax), len(ox)
    if n == 0 or m == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    cos, sin, cut = ahead if ahead is not None else (None, None, None)
    if n * m <= DENSE_LIMIT:
        dx = ox[None, :] - ax[:, None]
        dy = oy[None, :] - ay[:, None]
        limit = reach[:, None] + radius[None, :]
        a, o = (dx * dx + dy * dy < limit * limit).nonzero()
        if ahead is not None:
            keep = dx[a, o] * cos[a] + dy[a, o] * sin[a] + radius[o] >= cut[a]
            a, o = a[keep], o[keep]
        return a, o
    # Square cells of CELL metres, the actors sorted by cell. An agent reads a rectangle of cells around
    # it: columns whose cells are consecutive keys, so each column is one range of the sorted order.
    widest = float(radius.max())
    span = reach + widest
    r = np.ceil(span / CELL).astype(np.int64)
    pad = int(r.max()) + 1
    x0 = min(float(ax.min()), float(ox.min())) - pad * CELL
    y0 = min(float(ay.min()), float(oy.min())) - pad * CELL
    ny = int((max(float(ay.max()), float(oy.max())) - y0) // CELL) + pad + 1
    okey = ((ox - x0) // CELL).astype(np.int64) * ny + ((oy - y0) // CELL).astype(np.int64)
    order = okey.argsort(kind="stable")
    sorted_keys = okey[order]
    ix = ((ax - x0) // CELL).astype(np.int64)
    iy = ((ay - y0) // CELL).astype(np.int64)
    if ahead is None:
        ix_lo, ix_hi, iy_lo, iy_hi = ix - r, ix + r, iy - r, iy + r
    else:
        low_x, high_x, low_y, high_y = _half_disc_bounds(span, cos, sin, np.minimum(cut - widest, 0.0))
        ix_lo = np.maximum(((ax + low_x - x0) // CELL).astype(np.int64), ix - r)
        ix_hi = np.minimum(((ax + high_x - x0) // CELL).astype(np.int64), ix + r)
        iy_lo = np.maximum(((ay + low_y - y0) // CELL).astype(np.int64), iy - r)
        iy_hi = np.minimum(((ay + high_y - y0) // CELL).astype(np.int64), iy + r)
    width = ix_hi - ix_lo + 1                                  # columns per agent
    agent_of_column = np.arange(n).repeat(width)
    column = np.arange(len(agent_of_column)) - (width.cumsum() - width).repeat(width)
    first_keys = (ix_lo[agent_of_column] + column) * ny + iy_lo[agent_of_column]
    lo = sorted_keys.searchsorted(first_keys, side="left")
    counts = sorted_keys.searchsorted(first_keys + (iy_hi - iy_lo)[agent_of_column], side="right") - lo
    total = int(counts.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    rep = np.arange(len(first_keys)).repeat(counts)
    within = np.arange(total) - (counts.cumsum() - counts).repeat(counts)
    o = order[lo[rep] + within]
    a = agent_of_column[rep]
    dx = ox[o] - ax[a]
    dy = oy[o] - ay[a]
    limit = reach[a] + radius[o]
    keep = dx * dx + dy * dy < limit * limit
    if ahead is not None:
        keep &= dx * cos[a] + dy * sin[a] + radius[o] >= cut[a]
    return a[keep], o[keep]


def _half_disc_bounds(radius, cos, sin, back):
    """Bounding box, relative to the centre, of the part of a disc on the far side of the line ``back``
    (<= 0) metres along the heading (cos, sin), grown by a margin against rounding."""
    chord = np.sqrt(np.maximum(radius * radius - back * back, 0.0))
    end_x = (back * cos - chord * sin, back * cos + chord * sin)
    end_y = (back * sin + chord * cos, back * sin - chord * cos)
    high_x = np.where(radius * cos >= back, radius, np.maximum(*end_x))
    low_x = np.where(-radius * cos >= back, -radius, np.minimum(*end_x))
    high_y = np.where(radius * sin >= back, radius, np.maximum(*end_y))
    low_y = np.where(-radius * sin >= back, -radius, np.minimum(*end_y))
    m = _WINDOW_MARGIN
    return low_x - m, high_x + m, low_y - m, high_y + m


def band_entry(lon, lat, cos_rel, sin_rel, half_length, half_width, band):
    """Where boxes first enter a band: for each box (centre ``lon, lat`` in a frame whose x runs along
    the band, heading ``cos_rel, sin_rel`` in it, half sizes given), the smallest x of its part inside
    ``|y| <= band``; inf where the box misses the band."""
    ax, ay = half_length * cos_rel, half_length * sin_rel          # half length along the box
    bx, by = half_width * sin_rel, half_width * cos_rel            # half width across it (x turns negative)
    # The corners in order around the box, the first repeated at the end: corner i's edge runs to i + 1.
    px = (lon[:, None] + ax[:, None] * _CORNER_ALONG) + bx[:, None] * _CORNER_ACROSS
    py = (lat[:, None] + ay[:, None] * _CORNER_ALONG) - by[:, None] * _CORNER_ACROSS
    cx, cy, nx, ny = px[:, :4], py[:, :4], px[:, 1:], py[:, 1:]
    width = band[:, None]
    best = np.where(np.abs(cy) <= width, cx, np.inf).min(axis=1)
    dy, run = ny - cy, nx - cx
    sloped = dy != 0.0
    safe = np.where(sloped, dy, 1.0)
    for line in (width, -width):
        t = (line - cy) / safe
        crossing = sloped & (t >= 0.0) & (t <= 1.0)
        best = np.minimum(best, np.where(crossing, cx + t * run, np.inf).min(axis=1))
    return best
