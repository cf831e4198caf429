"""Road surface height at any (x, y), from the roads' elevation profiles."""

from __future__ import annotations

import numpy as np

from carla_odr import OpenDrive

_QUERY_CHUNK = 256


class GroundHeight:
    """Height of the road surface under CARLA (x, y) points: the elevation of the nearest road.

    A map whose elevation profiles are all zero is flat and answers 0 without any search.
    Cross-sections are taken as flat, so the height is the reference line's at the nearest sample.
    """

    def __init__(self, odr: OpenDrive, sample_step: float = 1.0):
        self.flat = all(road.elevation.is_zero for road in odr.roads.values())
        if self.flat:
            self._xy = np.zeros((0, 2))
            self._z = np.zeros(0)
            return
        xy, z = [], []
        for road_id in sorted(odr.roads):
            road = odr.roads[road_id]
            s = np.linspace(0.0, road.length, max(2, int(np.ceil(road.length / sample_step)) + 1))
            x, y, elevation, _ = road.reference_pose(s)
            xy.append(np.stack([x, -y], axis=1))  # to CARLA coordinates
            z.append(elevation)
        self._xy = np.concatenate(xy)
        self._z = np.concatenate(z)
        self._xy_norm2 = (self._xy**2).sum(axis=1)

    def __call__(self, x, y) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        shape = np.broadcast_shapes(x.shape, y.shape)
        if self.flat:
            return np.zeros(shape)
        queries = np.stack(np.broadcast_arrays(x, y), axis=-1).reshape(-1, 2)
        heights = np.empty(len(queries))
        for start in range(0, len(queries), _QUERY_CHUNK):
            chunk = queries[start : start + _QUERY_CHUNK]
            # |q - p|^2 without its |q|^2 term, which does not change the argmin.
            distance = self._xy_norm2[None, :] - 2.0 * chunk @ self._xy.T
            heights[start : start + _QUERY_CHUNK] = self._z[np.argmin(distance, axis=1)]
        return heights.reshape(shape)
