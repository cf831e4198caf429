"""CARLA's lane-chord R-tree, rebuilt step for step, to break exact distance ties the way CARLA does.

CARLA keeps the lane chords in a Boost.Geometry ``rtree<..., linear<16>>`` of float32 3D segments,
inserted one by one in chord order, and answers a nearest query by Boost's best-first search, which
keeps the first chord it meets among chords at exactly the same distance. Where several chords are
equally near (a point in the wedge past a shared chord end, overlapping junction lanes) the answer
therefore depends on the tree's shape and the search's heap order. :class:`ChordTree` repeats the
insertion (linear split, least-volume-growth descent, Boost's float and double arithmetic) and
:meth:`ChordTree.first_nearest` repeats the search with libstdc++'s binary heap, so the chord it
returns is the one CARLA returns.
"""

from __future__ import annotations

import struct

import numpy as np

from .lane_transform import f32

MAX_ELEMENTS = 16
MIN_ELEMENTS = 4            # Boost's default for linear<16>: 0.3 * 16
_FLT_EPSILON = 1.1920928955078125e-07
_HUGE = 1.7976931348623157e308
_F32X3 = struct.Struct("<3f")


def _volume(box) -> float:
    """Boost's content of a float box: float edge lengths multiplied in double, x * y first."""
    if box[5] == box[2]:
        return 0.0
    dx, dy, dz = _F32X3.unpack(_F32X3.pack(box[3] - box[0], box[4] - box[1], box[5] - box[2]))
    return (dx * dy) * dz


def _union(a, b):
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (b0 if b0 < a0 else a0, b1 if b1 < a1 else a1, b2 if b2 < a2 else a2,
            b3 if b3 > a3 else a3, b4 if b4 > a4 else a4, b5 if b5 > a5 else a5)


class _Node:
    __slots__ = ("leaf", "items", "boxes", "volumes")

    def __init__(self, leaf: bool, items=None, boxes=None):
        self.leaf = leaf
        self.items = items if items is not None else []   # chord indices (leaf) or child nodes
        self.boxes = boxes if boxes is not None else []   # children's boxes (internal nodes only)
        self.volumes = [_volume(box) for box in self.boxes]


class ChordTree:
    """The R-tree CARLA builds over the chords whose float32 ends are ``a`` and ``b`` (n, 3)."""

    def __init__(self, a: np.ndarray, b: np.ndarray):
        self._a = np.asarray(a, dtype=np.float64)
        self._b = np.asarray(b, dtype=np.float64)
        low = np.minimum(self._a, self._b)
        high = np.maximum(self._a, self._b)
        self._boxes = [tuple(row) for row in np.concatenate([low, high], axis=1).tolist()]
        z = np.concatenate([self._a[:, 2], self._b[:, 2]])
        # Every box of a map without height is flat: all volumes are 0, so descent always takes the
        # first child. Skipping that comparison changes nothing.
        self._flat = bool(len(z) == 0 or z.min() == z.max())
        self._root = _Node(True)
        self._height = 0            # internal levels above the leaves (Boost's leafs_level)
        for index in range(len(self._boxes)):
            self._insert(index)
        self._freeze()

    # -- insertion ------------------------------------------------------------------------------------

    def _box_of(self, node: _Node, item):
        return node.boxes[item] if not node.leaf else self._boxes[node.items[item]]

    def _choose(self, node: _Node, box) -> int:
        if self._flat:
            return 0
        chosen = 0
        best_growth = best_volume = _HUGE
        volumes = node.volumes
        for i, child in enumerate(node.boxes):
            grown = _union(child, box)
            if grown == child:
                volume, growth = volumes[i], 0.0
            else:
                volume = _volume(grown)
                growth = volume - volumes[i]
            if growth < best_growth or (growth == best_growth and volume < best_volume):
                best_growth, best_volume, chosen = growth, volume, i
        return chosen

    def _insert(self, index: int) -> None:
        box = self._boxes[index]
        path = []
        node = self._root
        while not node.leaf:
            i = self._choose(node, box)
            grown = _union(node.boxes[i], box)
            if grown != node.boxes[i]:
                node.boxes[i] = grown
                node.volumes[i] = _volume(grown)
            path.append((node, i))
            node = node.items[i]
        node.items.append(index)
        while len(node.items) > MAX_ELEMENTS:
            box1, sibling, box2 = self._split(node)
            if path:
                parent, i = path.pop()
                parent.boxes[i] = box1
                parent.volumes[i] = _volume(box1)
                parent.items.append(sibling)
                parent.boxes.append(box2)
                parent.volumes.append(_volume(box2))
                node = parent
            else:
                self._root = _Node(False, [node, sibling], [box1, box2])
                self._height += 1
                break

    def _split(self, node: _Node):
        """Boost's linear split: seeds by greatest normalised separation, the rest by least growth."""
        boxes = [self._box_of(node, i) for i in range(len(node.items))]
        items = node.items
        seed1, seed2 = _pick_seeds(boxes)
        group1, group2 = [items[seed1]], [items[seed2]]
        boxes1, boxes2 = [boxes[seed1]], [boxes[seed2]]
        box1, box2 = boxes[seed1], boxes[seed2]
        volume1, volume2 = _volume(box1), _volume(box2)
        remaining = len(items) - 2
        for i, item in enumerate(items):
            if i == seed1 or i == seed2:
                continue
            box = boxes[i]
            if len(group1) + remaining <= MIN_ELEMENTS:
                first = True
            elif len(group2) + remaining <= MIN_ELEMENTS:
                first = False
            else:
                grown1, grown2 = _union(box1, box), _union(box2, box)
                grown_volume1, grown_volume2 = _volume(grown1), _volume(grown2)
                growth1, growth2 = grown_volume1 - volume1, grown_volume2 - volume2
                first = growth1 < growth2 or (growth1 == growth2 and (
                    volume1 < volume2 or (volume1 == volume2 and len(group1) <= len(group2))))
            if first:
                group1.append(item)
                boxes1.append(box)
                box1 = _union(box1, box)
                volume1 = _volume(box1)
            else:
                group2.append(item)
                boxes2.append(box)
                box2 = _union(box2, box)
                volume2 = _volume(box2)
            remaining -= 1
        node.items = group1
        if node.leaf:
            sibling = _Node(True, group2)
        else:
            sibling = _Node(False, group2, boxes2)
            node.boxes = boxes1
            node.volumes = [_volume(b) for b in boxes1]
        return box1, sibling, box2

    # -- the nearest query ---------------------------------------------------------------------------

    def _freeze(self) -> None:
        """Arrays for the search: every node's box, each internal node's children, each leaf's chords."""
        self._children = []     # node id -> list of child node ids (internal) or None
        self._chords = []       # node id -> chord indices (leaf) or None
        self.leaf_of = np.zeros(len(self._boxes), dtype=np.int64)   # chord -> its leaf's node id
        self.slot_of = np.zeros(len(self._boxes), dtype=np.int64)   # chord -> its place in the leaf
        node_boxes = {}         # node id -> its box (the root has none: its row stays zero)

        def visit(node: _Node) -> int:
            node_id = len(self._children)
            self._children.append(None)
            self._chords.append(None)
            if node.leaf:
                self._chords[node_id] = np.array(node.items, dtype=np.int64)
                self.leaf_of[node.items] = node_id
                self.slot_of[node.items] = np.arange(len(node.items))
            else:
                ids = [visit(child) for child in node.items]
                for child_id, box in zip(ids, node.boxes):
                    node_boxes[child_id] = box
                self._children[node_id] = ids
            return node_id

        visit(self._root)
        boxes = np.zeros((len(self._children), 6))
        for node_id, box in node_boxes.items():
            boxes[node_id] = box
        self._node_low, self._node_high = boxes[:, :3], boxes[:, 3:]

    def first_of_tied(self, point, tied: np.ndarray, allowed: np.ndarray) -> int:
        """Which of ``tied``, allowed chords at exactly the least distance from ``point``, CARLA's
        search returns: the first in their leaf when they share one (the search reads a leaf in order
        and keeps the first of equals), else the one :meth:`first_nearest` meets first."""
        leaves = self.leaf_of[tied]
        if (leaves != leaves[0]).any():
            # A leaf nearer than the others is read first whatever else the search meets.
            p = np.asarray(point, dtype=np.float64)
            distances = _box_distances(p, self._node_low[leaves], self._node_high[leaves])
            nearest = distances == distances.min()
            if (leaves[nearest] != leaves[nearest][0]).any():
                return self.first_nearest(point, allowed)
            tied, leaves = tied[nearest], leaves[nearest]
        return int(tied[int(np.argmin(self.slot_of[tied]))])

    def first_nearest(self, point, allowed: np.ndarray):
        """The chord CARLA's nearest query returns for ``point`` (float32 values), among the chords
        where ``allowed`` is true; None when no chord is allowed."""
        p = np.asarray(point, dtype=np.float64)
        # Every distance the search may read, at once: nodes' boxes and allowed chords.
        node_distances = _box_distances(p, self._node_low, self._node_high).tolist()
        chord_distance = chord_distances(p, self._a, self._b)
        chord_distance[~allowed] = np.inf
        best = None
        best_distance = _HUGE
        heap = []
        node, level = 0, self._height
        while True:
            if level > 0:
                for child in self._children[node]:
                    distance = node_distances[child]
                    if best is None or best_distance > distance:
                        _heap_push(heap, ((distance, level - 1), child))
            else:
                chords = self._chords[node]
                distances = chord_distance[chords]
                k = int(np.argmin(distances))      # the first of equals, as the strict < keeps it
                if distances[k] < best_distance:
                    best, best_distance = int(chords[k]), float(distances[k])
            if not heap or (best is not None and best_distance <= heap[0][0][0]):
                return best
            (_, level), node = _heap_pop(heap)


def _pick_seeds(boxes):
    """Boost's linear pick_seeds over x, y and z: the pair with the greatest normalised separation."""
    separation, seeds = None, None
    for axis in range(3):
        current, pair = _separation(boxes, axis)
        if separation is None or separation < current:
            separation, seeds = current, pair
    return seeds


def _separation(boxes, axis: int):
    low_axis, high_axis = axis, axis + 3
    lowest_low = boxes[0][low_axis]
    highest_high = boxes[0][high_axis]
    lowest_high, lowest_high_index = highest_high, 0
    for i in range(1, len(boxes)):
        low, high = boxes[i][low_axis], boxes[i][high_axis]
        if high < lowest_high:
            lowest_high, lowest_high_index = high, i
        if low < lowest_low:
            lowest_low = low
        if highest_high < high:
            highest_high = high
    highest_low_index = 1 if lowest_high_index == 0 else 0
    highest_low = boxes[highest_low_index][low_axis]
    for i in range(highest_low_index, len(boxes)):
        low = boxes[i][low_axis]
        if highest_low < low and i != lowest_high_index:
            highest_low, highest_low_index = low, i
    width = f32(highest_high - lowest_low)
    separation = f32(highest_low - lowest_high)
    if _FLT_EPSILON < width:
        separation = f32(separation / width)
    return separation, (highest_low_index, lowest_high_index)


def _box_distances(p, low, high) -> np.ndarray:
    """Boost's comparable point-box distance in double, summed z, y, x."""
    d = np.maximum(low - p, 0.0) + np.maximum(p - high, 0.0)
    d = d * d
    return (d[:, 2] + d[:, 1]) + d[:, 0]


def chord_distances(p, a, b) -> np.ndarray:
    """Boost's comparable point-segment distance (projected point, double) of ``p`` to each chord."""
    v = b - a
    w = p - a
    c1 = w[:, 0] * v[:, 0] + (w[:, 1] * v[:, 1] + w[:, 2] * v[:, 2])
    c2 = v[:, 0] * v[:, 0] + (v[:, 1] * v[:, 1] + v[:, 2] * v[:, 2])
    inside = (c1 > 0.0) & (c2 > c1)
    ratio = np.where(inside, c1 / np.where(inside, c2, 1.0), 0.0)
    closest = np.where((c1 <= 0.0)[:, None], a, np.where(inside[:, None], a + v * ratio[:, None], b))
    d = p - closest
    d = d * d
    return (d[:, 2] + d[:, 1]) + d[:, 0]


# The search's branches sit in a binary heap as ((distance, level), node). Boost orders them with
# std::priority_queue, whose "less" is "farther, or as far and higher up": on the (distance, level) key
# that is plain tuple ">". The node never takes part, so equal keys come out in libstdc++'s heap order.


def _sift_up(heap: list, hole: int, value) -> None:
    """libstdc++ __push_heap: ``value`` into ``hole``, moved up past the parents that rank below it."""
    key = value[0]
    parent = (hole - 1) // 2
    while hole > 0 and heap[parent][0] > key:
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = value


def _heap_push(heap: list, value) -> None:
    """libstdc++ push_heap."""
    heap.append(value)
    _sift_up(heap, len(heap) - 1, value)


def _heap_pop(heap: list):
    """libstdc++ pop_heap then pop_back: the top, with the last element sifted down from the root."""
    top = heap[0]
    last = heap.pop()
    length = len(heap)
    if length == 0:
        return top
    hole = 0
    child = 0
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if heap[child][0] > heap[child - 1][0]:
            child -= 1
        heap[hole] = heap[child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        heap[hole] = heap[child - 1]
        hole = child - 1
    _sift_up(heap, hole, last)
    return top
