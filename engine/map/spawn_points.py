"""Recommended spawn points: on driving lanes outside junctions, centred, facing the traffic direction."""

from __future__ import annotations

import math

import numpy as np

from carla_odr import OpenDrive

SpawnPoint = tuple[float, float, float, float, float, float]  # x, y, z, pitch, yaw, roll (CARLA)


def generate_spawn_points(
    odr: OpenDrive,
    spacing: float = 20.0,
    end_margin: float = 8.0,
    height: float = 0.3,
    min_gap: float = 8.0,
) -> list[SpawnPoint]:
    """Spawn points every ``spacing`` metres along each driving lane, in CARLA coordinates.

    Lanes of the two directions are staggered by half a spacing; ``end_margin`` keeps points off
    lane-section ends (junction mouths), and any point closer than ``min_gap`` to an earlier one is
    dropped, so vehicles spawned at different points never overlap. Right-hand traffic: lanes with
    negative ids drive along the road's s, positive ids against it.
    """
    points: list[SpawnPoint] = []
    kept_xy: list[tuple[float, float]] = []
    for road_id in sorted(odr.roads):
        road = odr.roads[road_id]
        if road.is_junction:
            continue
        for section in road.lane_sections:
            first, last = section.s + end_margin, section.end_s - end_margin
            if last < first:
                continue
            for lane_id in section.right_ids + section.left_ids:
                if section.lanes[lane_id].type != "driving":
                    continue
                stagger = 0.0 if lane_id < 0 else spacing / 2.0
                s = np.arange(first + stagger, last + 1e-9, spacing)
                if len(s) == 0:
                    continue
                for point in _lane_poses(road, lane_id, s, height):
                    if all(math.hypot(point[0] - x, point[1] - y) >= min_gap for x, y in kept_xy):
                        points.append(point)
                        kept_xy.append((point[0], point[1]))
    return points


def _lane_poses(road, lane_id: int, s: np.ndarray, height: float) -> list[SpawnPoint]:
    x, y, z, heading = road.lane_center(lane_id, s)
    slope = road.elevation.derivative(s)
    if lane_id > 0:
        heading = heading + math.pi
        slope = -slope
    yaw = -np.degrees(heading)
    yaw = (yaw + 180.0) % 360.0 - 180.0
    pitch = np.degrees(np.arctan(slope))
    return [
        (float(px), float(-py), float(pz + height), float(pp), float(pw), 0.0)
        for px, py, pz, pp, pw in zip(x, y, z, pitch, yaw)
    ]
