"""Zebra crossings painted where the map's OpenDRIVE has ``<object type="crosswalk">`` outlines.

Outlines are placed as OpenDRIVE says: ``cornerLocal`` (u, v, z) in the frame at the object's (s, t), turned by
the road's heading plus the object's ``hdg``; ``cornerRoad`` (s, t, dz) directly on the road. The outline is
filled with bars that run along the traffic, BAR_WIDTH wide and BAR_GAP apart, repeated along the outline's
longest edge (the walking direction).
Everything is in OpenDRIVE's frame; the mesh builder mirrors it into CARLA's.
"""
from __future__ import annotations

import numpy as np

from carla_odr import OpenDrive, Road, RoadObject
from engine.render.primitives import Part

CROSSWALK_TYPE = "crosswalk"
BAR_WIDTH = 0.5
BAR_GAP = 0.5
CROSSWALK_LIFT = 0.01     # above the road surface, over the lane markings it crosses


def outline_points(road: Road, item: RoadObject) -> np.ndarray:
    """(k, 3) outline of an object: OpenDRIVE x, y, counter-clockwise seen from above, and z above the road
    surface under each corner."""
    if item.corners_local:
        local = np.array(item.corners_local, dtype=np.float64)
        x, y, _, heading = (float(v[0]) for v in road.reference_pose(np.array([item.s])))
        origin = np.array([x - np.sin(heading) * item.t, y + np.cos(heading) * item.t])
        angle = heading + item.hdg
        u = np.array([np.cos(angle), np.sin(angle)])
        v = np.array([-np.sin(angle), np.cos(angle)])
        xy = origin + local[:, :1] * u + local[:, 1:2] * v
        points = np.column_stack([xy, item.z_offset + local[:, 2]])
    elif item.corners_road:
        corners = np.array(item.corners_road, dtype=np.float64)
        x, y, _, heading = road.reference_pose(np.clip(corners[:, 0], 0.0, road.length))
        t = corners[:, 1]
        points = np.column_stack([x - np.sin(heading) * t, y + np.cos(heading) * t, corners[:, 2]])
    else:
        raise ValueError(f"road {road.id} object {item.id}: a {item.type} needs an outline with corners")
    if len(points) >= 2 and np.allclose(points[0], points[-1]):
        points = points[:-1]          # a closed outline repeats its first corner
    if len(points) < 3:
        raise ValueError(f"road {road.id} object {item.id}: the outline needs at least 3 distinct corners")
    xy = points[:, :2]
    area = 0.5 * np.sum(xy[:, 0] * np.roll(xy[:, 1], -1) - np.roll(xy[:, 0], -1) * xy[:, 1])
    return points if area >= 0.0 else points[::-1]


def road_height(road: Road, s_ref: float, xy: np.ndarray) -> np.ndarray:
    """Road elevation under points near road offset ``s_ref``, their s taken along the tangent there."""
    x, y, _, heading = (float(v[0]) for v in road.reference_pose(np.array([s_ref])))
    s = s_ref + (xy[:, 0] - x) * np.cos(heading) + (xy[:, 1] - y) * np.sin(heading)
    return road.elevation(np.clip(s, 0.0, road.length))


def _clip(polygon: np.ndarray, direction: np.ndarray, limit: float, keep_below: bool) -> np.ndarray:
    """Part of a polygon where (p . direction) <= limit (or >= limit), Sutherland-Hodgman."""
    if len(polygon) == 0:
        return polygon
    d = polygon[:, :2] @ direction - limit
    if not keep_below:
        d = -d
    out = []
    for i in range(len(polygon)):
        a, b = polygon[i], polygon[(i + 1) % len(polygon)]
        da, db = d[i], d[(i + 1) % len(polygon)]
        if da <= 0.0:
            out.append(a)
        if (da < 0.0 < db) or (db < 0.0 < da):
            out.append(a + (b - a) * (da / (da - db)))
    return np.array(out).reshape(-1, 3)


def crosswalk_bars(outline: np.ndarray) -> list:
    """(k, 3) counter-clockwise polygons of the painted bars filling an outline."""
    edges = np.roll(outline[:, :2], -1, axis=0) - outline[:, :2]
    longest = edges[np.argmax(np.linalg.norm(edges, axis=1))]
    walk = longest / np.linalg.norm(longest)     # bars follow one another along the walking direction
    positions = outline[:, :2] @ walk
    lo, hi = float(positions.min()), float(positions.max())
    count = max(1, int((hi - lo + BAR_GAP) // (BAR_WIDTH + BAR_GAP)))
    margin = 0.5 * ((hi - lo) - (count * (BAR_WIDTH + BAR_GAP) - BAR_GAP))   # centre the bars
    bars = []
    for k in range(count):
        start = lo + max(margin, 0.0) + k * (BAR_WIDTH + BAR_GAP)
        bar = _clip(_clip(outline, walk, start, keep_below=False), walk, start + BAR_WIDTH, keep_below=True)
        if len(bar) >= 3:
            bars.append(bar)
    return bars


def crosswalk_part(odr: OpenDrive) -> Part:
    """Triangles of every crosswalk's bars, facing up, in road and object order."""
    positions, indices = [], []
    count = 0
    for road_id in sorted(odr.roads):
        road = odr.roads[road_id]
        for item in road.objects:
            if item.type.lower() != CROSSWALK_TYPE:
                continue
            outline = outline_points(road, item)
            s_ref = item.s if item.corners_local else float(np.mean([c[0] for c in item.corners_road]))
            for bar in crosswalk_bars(outline):
                bar = bar + np.column_stack([np.zeros((len(bar), 2)), road_height(road, s_ref, bar[:, :2])])
                k = len(bar)
                fan = np.stack([np.zeros(k - 2, np.int64), np.arange(1, k - 1), np.arange(2, k)], axis=1)
                positions.append(bar + np.array([0.0, 0.0, CROSSWALK_LIFT]))
                indices.append(fan.reshape(-1) + count)
                count += k
    if not positions:
        return Part(np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, np.int64))
    positions = np.concatenate(positions)
    return Part(positions, np.tile([0.0, 0.0, 1.0], (len(positions), 1)), np.concatenate(indices))
