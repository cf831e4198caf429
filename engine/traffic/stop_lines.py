"""Stop lines of traffic lights and signs on the lane graph, and where each vehicle has to stop for them.

The world's light and sign systems list their lane stop lines as ``(road_id, lane_id, s, light index)`` and
``(road_id, lane_id, s, 'stop' | 'yield')``; they are mapped onto lane samples whenever a list changes. A
red light stops a vehicle at its line; a yellow one too, when the vehicle can still stop (CARLA's Traffic
Manager stops for both). A stop sign needs a full stop at its line, after which the junction's
reservations decide; a yield sign makes its junction lanes give way (see ``junctions``).
"""
from __future__ import annotations

import numpy as np

RED, YELLOW = 0, 1
CREEP_SPEED = 2.0         # m/s: slower than this, a vehicle whose front is up to
CREEP_OVERHANG = 3.0      # m past a red light's line still waits (one spawned or stopped on the line)
STOP_SIGN, YIELD_SIGN = 1, 2


class StopLines:
    """The world's stop lines on the lane graph's samples, and the stops they ask of each vehicle."""

    def __init__(self, graph):
        self.graph = graph
        self.light_at = None          # sample -> light index, -1 none (None: no lights in the world)
        self.sign_at = None           # sample -> STOP_SIGN, YIELD_SIGN or 0 (None: no signs)
        self.minor = graph.lane_minor.copy()     # junction lanes that give way: structure, then signs
        self._lights_key = None
        self._signs_key = None

    def refresh(self, world) -> None:
        """Map the world's stop lines onto the lane samples again when a list has changed."""
        g = self.graph
        stops, key = _stop_list(world, "traffic_lights")
        if key != self._lights_key:
            self._lights_key = key
            self.light_at = None
            if stops:
                self.light_at = np.full(g.n_points, -1, dtype=np.int64)
                for point, light in self._points(stops):
                    self.light_at[point] = int(light)
        stops, key = _stop_list(world, "traffic_signs")
        if key != self._signs_key:
            self._signs_key = key
            self.sign_at = None
            self.minor = g.lane_minor.copy()
            if stops:
                self.sign_at = np.zeros(g.n_points, dtype=np.int8)
                for point, kind in self._points(stops):
                    self.sign_at[point] = STOP_SIGN if kind == "stop" else YIELD_SIGN
                    for following in g.successors[int(g.lane[point])]:
                        self.minor[following] |= bool(g.lane_junction[following] >= 0)

    def _points(self, stops):
        """(sample, tag) of each stop line ``(road_id, lane_id, s, tag)`` that lies on a driving lane."""
        for road_id, lane_id, s, tag in stops:
            point = self.graph.point_of(int(road_id), int(lane_id), float(s))
            if point >= 0:
                yield point, tag

    def light_stops(self, world, hidx, hval, s, setback, ex, brake_reach, ignore, speed) -> np.ndarray:
        """Per vehicle, the distance along its path to the first line whose light says stop (inf for none):
        red unless the front is already over it (a slow vehicle whose front is just past it has not
        entered the junction, and waits), yellow unless it is too late to stop."""
        n = len(hidx)
        if self.light_at is None:
            return np.full(n, np.inf)
        light = self.light_at[hidx]
        row, col = ((light >= 0) & hval).nonzero()       # the few line samples; row by row, nearest first
        if len(row) == 0:
            return np.full(n, np.inf)
        state = np.asarray(world.traffic_lights.state)[light[row, col]]
        line = s[row, col] - setback[row, col]
        front = line - ex[row]
        over = np.where(speed[row] < CREEP_SPEED, -CREEP_OVERHANG, -0.5)
        stop = ((state == RED) & (front > over)) | ((state == YELLOW) & (front > brake_reach[row]))
        stop &= ~ignore[row]
        return _first_per_row(n, row[stop], line[stop], np.inf)

    def sign_stops(self, hidx, hval, s, setback, served, ignore):
        """Per vehicle, the distance to the first stop sign line it has not stopped at yet (``served``
        holds, per vehicle, the sample of the last one it did), and that line's sample (-1 for none)."""
        n = len(hidx)
        if self.sign_at is None:
            return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        row, col = ((self.sign_at[hidx] == STOP_SIGN) & hval).nonzero()
        sample = hidx[row, col]
        pending = (sample != served[row]) & ~ignore[row]
        row, col, sample = row[pending], col[pending], sample[pending]
        line = s[row, col] - setback[row, col]
        return _first_per_row(n, row, line, np.inf), _first_per_row(n, row, sample, -1)


def _first_per_row(n: int, row: np.ndarray, values: np.ndarray, default) -> np.ndarray:
    """Per row 0..n-1, the first of ``values`` listed for it (``row`` ascending), else ``default``."""
    result = np.full(n, default, dtype=values.dtype)
    first = np.ones(len(row), dtype=bool)
    first[1:] = row[1:] != row[:-1]
    result[row[first]] = values[first]
    return result


def _stop_list(world, system: str):
    """The stop lines of one of the world's light or sign systems, and a key that changes with the list."""
    stops = getattr(getattr(world, system, None), "stops", None)
    return stops, ((id(stops), len(stops)) if stops is not None else None)
