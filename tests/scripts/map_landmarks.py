"""Dump the landmark and crosswalk answers of one map as JSON.

Usage: map_landmarks.py --port P MAP [OUT]. MAP is a town name (client.load_world) or the path of an
.xodr file (client.generate_opendrive_world). It dumps every landmark of get_all_landmarks, the
landmarks by id and by type, every landmark's group, the landmarks ahead (50 m) of about a hundred
waypoints and get_crosswalks. The waypoints come from a seeded sample of generate_waypoints and from
20 m before each of the first landmarks, so both clients ask the same questions. The JSON goes to
OUT when given (a one-line summary is printed), otherwise to stdout.
"""
import random

import carla
from _common import connect, emit_or_save, load_map, rotation, vector

SEED = 20260212
SAMPLED_WAYPOINTS = 70
LANDMARK_WAYPOINTS = 30
SEARCH_DISTANCE = 50.0
APPROACH = 20.0
GENERATE_DISTANCE = 2.0


def where(wp):
    return None if wp is None else {"ids": [wp.road_id, wp.section_id, wp.lane_id], "s": wp.s,
                                    "location": vector(wp.transform.location)}


def landmark(item):
    """Everything a landmark says about itself."""
    return {
        "id": item.id, "name": item.name, "type": item.type, "sub_type": item.sub_type,
        "value": item.value, "unit": item.unit, "road_id": item.road_id, "s": item.s, "t": item.t,
        "orientation": int(item.orientation), "is_dynamic": item.is_dynamic, "z_offset": item.z_offset,
        "country": item.country, "height": item.height, "width": item.width, "text": item.text,
        "h_offset": item.h_offset, "pitch": item.pitch, "roll": item.roll, "distance": item.distance,
        "location": vector(item.transform.location), "rotation": rotation(item.transform.rotation),
        "validities": [list(v) for v in item.get_lane_validities()], "waypoint": where(item.waypoint),
    }


def short(item):
    """A landmark found by a search: which reference, how far, and where it applies."""
    return {"id": item.id, "road_id": item.road_id, "s": item.s, "distance": item.distance,
            "waypoint": where(item.waypoint)}


def reference(item):
    return [item.id, item.road_id, item.s]


def search_waypoints(carla_map, landmarks):
    keys = sorted((wp.road_id, wp.section_id, wp.lane_id, wp.s)
                  for wp in carla_map.generate_waypoints(GENERATE_DISTANCE))
    rng = random.Random(SEED)
    picked = rng.sample(keys, min(SAMPLED_WAYPOINTS, len(keys)))
    queries = [(road_id, lane_id, s) for road_id, _, lane_id, s in picked]
    for item in landmarks[:LANDMARK_WAYPOINTS]:
        lane_id = item.get_lane_validities()[0][0] if item.get_lane_validities() else -1
        lane_id = lane_id or -1
        approach = item.s - APPROACH if lane_id < 0 else item.s + APPROACH
        queries.append((item.road_id, lane_id, max(approach, 0.0)))
    result = []
    for road_id, lane_id, s in queries:
        wp = carla_map.get_waypoint_xodr(road_id, lane_id, s)
        if wp is None:
            wp = carla_map.get_waypoint_xodr(road_id, lane_id, 0.0)
        if wp is not None:
            result.append(wp)
    return result


def main():
    client, args = connect({"map": {}, "out": {"nargs": "?", "default": None}})
    carla_map = load_map(client, args.map)
    landmarks = carla_map.get_all_landmarks()
    ids = sorted({item.id for item in landmarks})
    types = sorted({item.type for item in landmarks} | {carla.LandmarkType.StopSign})
    searches = []
    for wp in search_waypoints(carla_map, landmarks):
        searches.append({
            "waypoint": where(wp),
            "ahead": [short(item) for item in wp.get_landmarks(SEARCH_DISTANCE)],
            "ahead_to_junction": [short(item) for item in wp.get_landmarks(SEARCH_DISTANCE, True)],
            "lights_ahead": [short(item) for item in wp.get_landmarks_of_type(SEARCH_DISTANCE, "1000001")],
        })
    try:
        crosswalks = [vector(point) for point in carla_map.get_crosswalks()]
    except RuntimeError:
        crosswalks = "RuntimeError"
    result = {
        "map_name": carla_map.name,
        "landmarks": [landmark(item) for item in landmarks],
        "from_id": {i: [reference(item) for item in carla_map.get_all_landmarks_from_id(i)] for i in ids},
        "of_type": {t: [reference(item) for item in carla_map.get_all_landmarks_of_type(t)] for t in types},
        "groups": [[reference(member) for member in carla_map.get_landmark_group(item)] for item in landmarks],
        "searches": searches,
        "crosswalks": crosswalks,
    }
    emit_or_save(result, args.out, {"map_name": result["map_name"], "landmarks": len(landmarks),
                                    "searches": len(searches), "crosswalk_points": len(crosswalks)})


main()
