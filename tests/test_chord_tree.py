"""The rebuilt CARLA lane-chord R-tree: its shape follows Boost's rules, its search is a best-first search,
and the shortcut that settles most ties without searching gives the search's answer.

Whether its answers are CARLA's is checked against the official client in test_map_differential.py.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from carla_odr import parse_xodr
from carla_odr.network import DRIVING, RoadNetwork
from carla_odr.rtree import MAX_ELEMENTS, MIN_ELEMENTS, ChordTree, _heap_pop, _heap_push, chord_distances
from carla_odr.spatial import LaneSegments
from engine.map.town import MAPS_DIR
from serverproc import ROOT

CARLA_TOWN03 = ROOT.parent / "shared" / "testdata" / "opendrive" / "Town03.xodr"


def _segments(path) -> LaneSegments:
    if not path.is_file():
        pytest.fail(f"missing map: {path}")
    return LaneSegments(RoadNetwork(parse_xodr(path.read_text())))


@pytest.fixture(scope="module", params=["flat Town01", "hilly CARLA Town03"])
def tree_and_segments(request):
    segments = _segments(MAPS_DIR / "Town01.xodr" if request.param == "flat Town01" else CARLA_TOWN03)
    return ChordTree(segments.a, segments.b), segments


def _walk(tree, node, level, out):
    out.append((node, level))
    for child in tree._children[node] or ():
        _walk(tree, child, level - 1, out)


def test_tree_nodes_hold_four_to_sixteen_entries_and_boxes_contain_their_children(tree_and_segments):
    tree, segments = tree_and_segments
    nodes = []
    _walk(tree, 0, tree._height, nodes)
    assert tree._height >= 2
    chords = []
    for node, level in nodes:
        entries = tree._children[node] if level > 0 else tree._chords[node]
        assert (level == 0) == (tree._children[node] is None)
        if node != 0:
            assert MIN_ELEMENTS <= len(entries) <= MAX_ELEMENTS
        if level > 0:
            for child in entries:
                if tree._children[child] is None:
                    ends = np.concatenate([segments.a[tree._chords[child]], segments.b[tree._chords[child]]])
                    inner_low, inner_high = ends.min(axis=0), ends.max(axis=0)
                else:
                    inner_low = tree._node_low[tree._children[child]].min(axis=0)
                    inner_high = tree._node_high[tree._children[child]].max(axis=0)
                assert (tree._node_low[child] == inner_low).all() and (tree._node_high[child] == inner_high).all()
        else:
            chords.extend(entries.tolist())
    assert sorted(chords) == list(range(len(segments.a)))


def test_search_returns_a_chord_at_the_least_distance(tree_and_segments):
    tree, segments = tree_and_segments
    allowed = (segments.type & DRIVING) != 0
    rng = random.Random(4)
    low, high = segments.a.min(axis=0), segments.a.max(axis=0)
    for _ in range(200):
        point = np.array([rng.uniform(low[0], high[0]), rng.uniform(low[1], high[1]), 0.0], dtype=np.float32)
        found = tree.first_nearest(point.astype(np.float64), allowed)
        distances = chord_distances(point.astype(np.float64), segments.a, segments.b)
        assert allowed[found] and distances[found] == distances[allowed].min()


def test_shortcut_for_equally_near_chords_agrees_with_the_full_search(tree_and_segments):
    tree, segments = tree_and_segments
    allowed = (segments.type & DRIVING) != 0
    rng = random.Random(5)
    checked = across_leaves = 0
    # Points beyond a shared chord end are equally near to both chords that meet there.
    for index in rng.sample(range(len(segments.a)), 1500):
        end = segments.b[index]
        step = segments.b[index] - segments.a[index]
        normal = np.array([-step[1], step[0], 0.0]) / max(np.hypot(step[0], step[1]), 1e-9)
        point = np.float32(end + normal * rng.uniform(-30.0, 30.0)).astype(np.float64)
        distances = chord_distances(point, segments.a, segments.b)
        distances[~allowed] = np.inf
        tied = np.flatnonzero(distances == distances.min())
        if len(tied) < 2:
            continue
        checked += 1
        across_leaves += len(set(tree.leaf_of[tied].tolist())) > 1
        assert tree.first_of_tied(point, tied, allowed) == tree.first_nearest(point, allowed)
    assert checked >= 50 and across_leaves >= 10


def test_branch_heap_pops_nearest_first_then_deepest():
    rng = random.Random(6)
    heap = []
    items = [((float(rng.randint(0, 5)), rng.randint(0, 3)), i) for i in range(300)]
    for item in items:
        _heap_push(heap, item)
    popped = [_heap_pop(heap) for _ in range(len(items))]
    keys = [key for key, _ in popped]
    assert keys == sorted(keys) and sorted(popped) == sorted(items) and heap == []
