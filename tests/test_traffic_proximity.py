"""The geometric helpers of the autopilot's hazard search (engine.traffic.proximity, junctions)."""
import numpy as np

from engine.traffic.junctions import held_in
from engine.traffic.proximity import band_entry, nearby_pairs


def _band_entry_by_sampling(lon, lat, cos_rel, sin_rel, half_length, half_width, band, samples=2001):
    """The smallest x of the box's outline inside |y| <= band, from points spaced along the outline."""
    u = np.linspace(-1.0, 1.0, samples)
    edges = [(np.ones_like(u), u), (-np.ones_like(u), u), (u, np.ones_like(u)), (u, -np.ones_like(u))]
    best = np.inf
    for along, across in edges:
        x = lon + along * half_length * cos_rel - across * half_width * sin_rel
        y = lat + along * half_length * sin_rel + across * half_width * cos_rel
        inside = np.abs(y) <= band
        if inside.any():
            best = min(best, float(x[inside].min()))
    return best


def test_band_entry_is_where_the_box_outline_first_enters_the_band():
    rng = np.random.default_rng(7)
    k = 400
    yaw = rng.uniform(-np.pi, np.pi, k)
    boxes = (rng.uniform(-10, 10, k), rng.uniform(-6, 6, k), np.cos(yaw), np.sin(yaw),
             rng.uniform(0.3, 3.0, k), rng.uniform(0.3, 1.5, k), rng.uniform(0.8, 2.0, k))
    found = band_entry(*boxes)
    expected = np.array([_band_entry_by_sampling(*(column[i] for column in boxes)) for i in range(k)])
    assert np.array_equal(np.isinf(found), np.isinf(expected))
    assert np.isinf(found).any() and np.isfinite(found).any()
    finite = np.isfinite(found)
    # The exact entry is at or before the first sampled point inside, and within one sample spacing of it.
    spacing = 2.0 * np.maximum(boxes[4], boxes[5]) / 2000
    assert (found[finite] <= expected[finite] + 1e-9).all()
    assert (expected[finite] - found[finite] <= spacing[finite] + 1e-9).all()


def test_an_upright_box_straddling_the_band_enters_at_its_back():
    entry = band_entry(np.array([5.0]), np.array([0.5]), np.array([1.0]), np.array([0.0]), np.array([2.0]),
                       np.array([1.0]), np.array([1.0]))
    assert entry[0] == 3.0


def test_held_in_marks_only_held_lanes_that_the_row_lists():
    held = np.array([[4, -1, -1, -1, -1, -1], [-1, -1, -1, -1, -1, -1], [7, 9, -1, -1, -1, -1]])
    plans = np.array([[1, 4, 8], [2, 3, 5], [9, 7, 99]])
    found = held_in(held, plans)
    assert found.shape == held.shape
    assert found.tolist() == [[True] + [False] * 5, [False] * 6, [True, True] + [False] * 4]
    assert not held_in(np.full((2, 6), -1), plans[:2]).any()


def test_nearby_pairs_agree_between_the_dense_and_the_grid_search():
    rng = np.random.default_rng(3)
    n, m = 300, 300                                   # n * m above the dense limit: the grid search
    ax, ay, ox, oy = (rng.uniform(0, 400, count) for count in (n, n, m, m))
    reach, radius = rng.uniform(5, 40, n), rng.uniform(0.5, 3, m)
    a, o = nearby_pairs(ax, ay, reach, ox, oy, radius)
    dx, dy = ox[None, :] - ax[:, None], oy[None, :] - ay[:, None]
    limit = reach[:, None] + radius[None, :]
    dense = set(zip(*np.nonzero(dx * dx + dy * dy < limit * limit)))
    assert len(dense) > 100
    assert set(zip(a.tolist(), o.tolist())) == {(int(i), int(j)) for i, j in dense}


def test_nearby_pairs_ahead_keep_the_actors_reaching_past_the_cut_in_either_search():
    rng = np.random.default_rng(5)
    n, m = 300, 300
    ax, ay, ox, oy = (rng.uniform(0, 400, count) for count in (n, n, m, m))
    reach, radius = rng.uniform(5, 60, n), rng.uniform(0.5, 3, m)
    yaw = rng.uniform(-np.pi, np.pi, n)
    yaw[:100] = rng.integers(-2, 3, 100) * (np.pi / 2)             # along the axes, as most roads run
    cut = rng.uniform(-3.0, 2.0, n)
    ahead = (np.cos(yaw), np.sin(yaw), cut)
    dx, dy = ox[None, :] - ax[:, None], oy[None, :] - ay[:, None]
    limit = reach[:, None] + radius[None, :]
    wanted = ((dx * dx + dy * dy < limit * limit)
              & (dx * ahead[0][:, None] + dy * ahead[1][:, None] + radius[None, :] >= cut[:, None]))
    expected = {(int(i), int(j)) for i, j in zip(*np.nonzero(wanted))}
    assert 200 < len(expected) < int((dx * dx + dy * dy < limit * limit).sum())
    grid = nearby_pairs(ax, ay, reach, ox, oy, radius, ahead)              # n * m above the dense limit
    assert set(zip(grid[0].tolist(), grid[1].tolist())) == expected
    assert np.all(np.diff(grid[0]) >= 0)
    few = np.flatnonzero(ax < 100)                                       # a few agents: the dense search
    dense = nearby_pairs(ax[few], ay[few], reach[few], ox, oy, radius, tuple(v[few] for v in ahead))
    assert set(zip(few[dense[0]].tolist(), dense[1].tolist())) == {p for p in expected if ax[p[0]] < 100}
