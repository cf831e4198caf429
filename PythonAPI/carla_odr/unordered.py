"""Iteration order of a libstdc++ ``std::unordered_map`` with integer keys.

CARLA keeps roads and junction connections in such maps; the order in which it walks them decides
the order of lane successors and predecessors, so the same order is reproduced here.
"""

from __future__ import annotations

from bisect import bisect_left

# The start of libstdc++'s prime table (_Prime_rehash_policy); enough for maps of some 50k keys.
_PRIMES = (
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    103, 109, 113, 127, 137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257, 277, 293, 313,
    337, 359, 383, 409, 439, 467, 503, 541, 577, 619, 661, 709, 761, 823, 887, 953, 1031, 1109, 1193,
    1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357, 2549, 2753, 2971, 3209, 3469, 3739, 4027,
    4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783, 9497, 10273, 11113, 12011, 12983,
    14033, 15173, 16411, 17749, 19183, 20753, 22447, 24281, 26267, 28411, 30727, 33223, 35933, 38873,
    42043, 45481, 49201, 53201, 57557, 62233, 67307, 72817, 78779, 85229, 92203, 99733,
)
_FAST_BUCKETS = (2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13)
_SIZE_T = 2 ** 64


def _next_bucket_count(n: int) -> int:
    if n < len(_FAST_BUCKETS):
        return _FAST_BUCKETS[n]
    index = bisect_left(_PRIMES, n, 6)
    if index >= len(_PRIMES):
        raise ValueError(f"too many keys ({n}) to reproduce the container order")
    return _PRIMES[index]


def unordered_map_order(keys) -> list:
    """The iteration order of a map filled by inserting ``keys`` (distinct ints) one by one."""
    order: list = []  # the node list, front first
    bucket_count, next_resize = 1, 0
    for key in keys:
        size = len(order)
        if size + 1 > next_resize:
            minimum = max(size + 1, 0 if next_resize else 11)
            if minimum >= bucket_count:
                bucket_count = _next_bucket_count(max(minimum + 1, bucket_count * 2))
                next_resize = bucket_count
                order = _rehash(order, bucket_count)
            else:
                next_resize = bucket_count
        order = _insert(order, key, bucket_count)
    return order


def _bucket(key: int, bucket_count: int) -> int:
    return (key % _SIZE_T) % bucket_count


def _insert(order: list, key: int, bucket_count: int) -> list:
    bucket = _bucket(key, bucket_count)
    for position, other in enumerate(order):
        if _bucket(other, bucket_count) == bucket:
            # Non-empty bucket: the new node goes first in it.
            return order[:position] + [key] + order[position:]
    return [key] + order


def _rehash(order: list, bucket_count: int) -> list:
    # libstdc++ _M_rehash_aux walks the old list; a node whose bucket is still empty goes to the
    # list front, any other goes first in its bucket's run.
    result: list = []
    first_of_bucket: dict[int, int] = {}
    for key in order:
        bucket = _bucket(key, bucket_count)
        if bucket in first_of_bucket:
            result.insert(result.index(first_of_bucket[bucket]), key)
        else:
            result.insert(0, key)
        first_of_bucket[bucket] = key
    return result
