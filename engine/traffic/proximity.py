"""Which actors are near which autopiloted vehicles: candidate pairs for the path checks.

Small sets use one dense distance matrix; large ones bucket the other actors in a square grid, sorted by
cell, and read the cells within each agent's own reach as one range of that order per column of cells.
Either way the pairs come out in an order fixed by the input alone (agents ascending).
"""
from __future__ import annotations

import numpy as np

DENSE_LIMIT = 40_000          # agents x actors below which one dense matrix is cheaper than the grid
CELL = 12.0                   # m, grid cell
# Signs of the half length and half width at the corners of a box in order around it, the first repeated.
_CORNER_ALONG = np.array([1.0, 1.0, -1.0, -1.0, 1.0])
_CORNER_ACROSS = np.array([-1.0, 1.0, 1.0, -1.0, -1.0])


def nearby_pairs(ax: np.ndarray, ay: np.ndarray, reach: np.ndarray, ox: np.ndarray, oy: np.ndarray,
                 radius: np.ndarray):
    """Index pairs (agent a, actor o) with |o - a| < reach[a] + radius[o], agents ascending."""
    n, m = len(ax), len(ox)
    if n == 0 or m == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    if n * m <= DENSE_LIMIT:
        dx = ox[None, :] - ax[:, None]
        dy = oy[None, :] - ay[:, None]
        limit = reach[:, None] + radius[None, :]
        a, o = np.nonzero(dx * dx + dy * dy < limit * limit)
        return a, o
    # Square cells of CELL metres, the actors sorted by cell. An agent reads the (2r+1)^2 cells around its
    # own, r cells being its reach: 2r+1 columns whose 2r+1 cells are consecutive keys, so each column is
    # one range of the sorted order.
    span = reach + float(radius.max())
    r = np.ceil(span / CELL).astype(np.int64)
    pad = int(r.max()) + 1
    x0 = min(float(ax.min()), float(ox.min())) - pad * CELL
    y0 = min(float(ay.min()), float(oy.min())) - pad * CELL
    ny = int((max(float(ay.max()), float(oy.max())) - y0) // CELL) + pad + 1
    okey = ((ox - x0) // CELL).astype(np.int64) * ny + ((oy - y0) // CELL).astype(np.int64)
    order = np.argsort(okey, kind="stable")
    sorted_keys = okey[order]
    akey = ((ax - x0) // CELL).astype(np.int64) * ny + ((ay - y0) // CELL).astype(np.int64)
    width = 2 * r + 1                                          # columns per agent
    agent_of_column = np.repeat(np.arange(n), width)
    column = np.arange(len(agent_of_column)) - np.repeat(np.cumsum(width) - width, width) - r[agent_of_column]
    first_keys = akey[agent_of_column] + column * ny - r[agent_of_column]
    lo = np.searchsorted(sorted_keys, first_keys, side="left")
    counts = np.searchsorted(sorted_keys, first_keys + 2 * r[agent_of_column], side="right") - lo
    total = int(counts.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    rep = np.repeat(np.arange(len(first_keys)), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    o = order[lo[rep] + within]
    a = agent_of_column[rep]
    dx = ox[o] - ax[a]
    dy = oy[o] - ay[a]
    limit = reach[a] + radius[o]
    keep = dx * dx + dy * dy < limit * limit
    return a[keep], o[keep]


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
