"""Our client's road queries answer as the official client's do, on every town we serve and on CARLA's own
Town01-03 sent with generate_opendrive_world.

tests/scripts/map_queries.py asks both clients the same questions on the same server; the dumps must agree:
same ids, locations within 1 cm, rotations within 0.1 degree, generate_waypoints and get_topology as sets.
On maps drawn only with lines and arcs the waypoint transforms must be the official float32 values bit for bit.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path

import pytest

from carla_odr import parse_xodr
from engine.map.town import MAPS_DIR, available_maps
from serverproc import ROOT, ServerProcess, run_client, require_official_client

CARLA_XODR_DIR = ROOT.parent / "shared" / "testdata" / "opendrive"
CARLA_TOWNS = ["Town01", "Town02", "Town03"]
MAPS = [("town", name) for name in available_maps()] + [("carla_xodr", name) for name in CARLA_TOWNS]

LOCATION_TOLERANCE = 0.01   # metres
ROTATION_TOLERANCE = 0.1    # degrees
SCALAR_TOLERANCE = 0.01     # metres: s and lane width
SHOWN_DIFFS = 5


@pytest.fixture(scope="module")
def server():
    with ServerProcess("-nullrhi") as proc:
        yield proc


def _map_argument(kind: str, name: str) -> str:
    if kind == "town":
        return name
    path = CARLA_XODR_DIR / f"{name}.xodr"
    if not path.is_file():
        pytest.fail(f"CARLA's OpenDRIVE test data is missing: {path}")
    return str(path)


def _dump(which: str, server, map_argument: str, tmp_path) -> dict:
    out = tmp_path / f"{which}.json"
    run_client(which, "map_queries.py", server.port, map_argument, str(out))
    return json.loads(out.read_text())


# -- tolerant comparisons ------------------------------------------------------------------------------------


def _close_location(a, b) -> bool:
    return math.dist(a, b) <= LOCATION_TOLERANCE


def _close_rotation(a, b) -> bool:
    return all(abs((x - y + 180.0) % 360.0 - 180.0) <= ROTATION_TOLERANCE for x, y in zip(a, b))


def _close(a, b) -> bool:
    return abs(a - b) <= SCALAR_TOLERANCE


def _waypoint_diff(official, ours) -> str | None:
    """What differs between two waypoint records, or None when they agree."""
    if official is None or ours is None:
        return None if official is ours else f"official {official} ours {ours}"
    wrong = [key for key in ("ids", "lane_type", "lane_change", "is_junction", "junction_id",
                             "left_marking", "right_marking") if official[key] != ours[key]]
    wrong += [key for key in ("s", "lane_width") if not _close(official[key], ours[key])]
    if not _close_location(official["location"], ours["location"]):
        wrong.append("location")
    if not _close_rotation(official["rotation"], ours["rotation"]):
        wrong.append("rotation")
    if not wrong:
        return None
    return "; ".join(f"{key}: official {official[key]} ours {ours[key]}" for key in wrong)


def _pairwise(section: str, official: list, ours: list, diff) -> list[str]:
    """Compare two equally ordered lists item by item; one summary line per differing section."""
    problems = []
    if len(official) != len(ours):
        problems.append(f"official has {len(official)} items, ours {len(ours)}")
    for index, (a, b) in enumerate(zip(official, ours)):
        message = diff(a, b)
        if message:
            problems.append(f"[{index}] {message}")
    return _summary(section, len(official), problems)


def _summary(section: str, total: int, problems: list[str], verb: str = "differ") -> list[str]:
    if not problems:
        return []
    shown = "\n    ".join(problems[:SHOWN_DIFFS])
    return [f"{section}: {len(problems)} of {total} {verb}; first ones:\n    {shown}"]


def _unmatched(items: list, others: list, key, same) -> list:
    """Items of ``items`` with no partner in ``others`` (equal key, ``same`` within tolerance), each
    partner used once."""
    pool = defaultdict(list)
    for other in others:
        pool[key(other)].append(other)
    missing = []
    for item in items:
        candidates = pool.get(key(item), [])
        match = next((i for i, other in enumerate(candidates) if same(item, other)), None)
        if match is None:
            missing.append(item)
        else:
            candidates.pop(match)
    return missing


def _as_sets(section: str, official: list, ours: list, key, same) -> list[str]:
    only_official = _unmatched(official, ours, key, same)
    only_ours = _unmatched(ours, official, key, same)
    problems = [f"only official: {item}" for item in only_official[:SHOWN_DIFFS]]
    problems += [f"only ours: {item}" for item in only_ours[:SHOWN_DIFFS]]
    if not problems:
        return []
    return [f"{section}: official {len(official)}, ours {len(ours)}; {len(only_official)} official items "
            f"unmatched, {len(only_ours)} of ours unmatched; first ones:\n    " + "\n    ".join(problems)]


def _spawn_point_diff(a, b):
    if _close_location(a[:3], b[:3]) and _close_rotation(a[3:], b[3:]):
        return None
    return f"official {a} ours {b}"


def _ids_diff(a, b):
    return None if a == b else f"official {a} ours {b}"


def _chain_diff(official, ours):
    if official is None or ours is None:
        return None if official is ours else f"official {official and len(official)} steps, ours {ours and len(ours)}"
    if len(official) != len(ours):
        return f"official {len(official)} steps, ours {len(ours)}"
    for step, (a, b) in enumerate(zip(official, ours)):
        if a["ids"] != b["ids"] or not _close_location(a["location"], b["location"]):
            return f"step {step}: official {a} ours {b}"
    return None


def _xodr_diff(official, ours):
    (query_a, a), (query_b, b) = official, ours
    return _waypoint_diff(a, b) if query_a[:2] == query_b[:2] else f"queries differ: {query_a} / {query_b}"


def _pose_same(a, b) -> bool:
    return (_close_location(a["location"], b["location"]) and _close(a["s"], b["s"])
            and _close_rotation(a["rotation"], b["rotation"]))


def _topology_key(pair):
    return tuple(tuple(end["ids"]) for end in pair)


def _topology_same(a, b) -> bool:
    return all(_close_location(x["location"], y["location"]) and _close(x["s"], y["s"]) for x, y in zip(a, b))


def compare_dumps(official: dict, ours: dict) -> list[str]:
    """One message per section where our client's answers differ from the official client's."""
    problems = []
    if official["map_name"] != ours["map_name"]:
        problems.append(f"map_name: official {official['map_name']!r} ours {ours['map_name']!r}")
    problems += _pairwise("spawn_points", official["spawn_points"], ours["spawn_points"], _spawn_point_diff)
    problems += _pairwise("get_waypoint", official["get_waypoint"], ours["get_waypoint"], _waypoint_diff)
    problems += _pairwise("get_waypoint(project_to_road=False)", official["get_waypoint_off_road"],
                          ours["get_waypoint_off_road"], _ids_diff)
    problems += _as_sets("generate_waypoints(2.0)", official["generate_waypoints"], ours["generate_waypoints"],
                         lambda w: tuple(w["ids"]), _pose_same)
    problems += _as_sets("get_topology", official["topology"], ours["topology"], _topology_key, _topology_same)
    problems += _pairwise("next(5.0) chains", official["chains"], ours["chains"], _chain_diff)
    problems += _pairwise("get_waypoint_xodr", official["waypoint_xodr"], ours["waypoint_xodr"], _xodr_diff)
    return problems


def _transform_bits_diff(official, ours):
    if official is None or ours is None:
        return None
    for key in ("location", "rotation"):
        if official[key] != ours[key]:
            return f"{key} {official[key]} / {ours[key]}"
    return None


def exact_transform_problems(official: dict, ours: dict) -> list[str]:
    """Transforms that are not the official client's float32 values bit for bit: get_waypoint answers, and
    generate_waypoints poses matched by ids and s."""
    answered = [f"[{i}] {message}" for i, (a, b) in enumerate(zip(official["get_waypoint"], ours["get_waypoint"]))
                for message in [_transform_bits_diff(a, b)] if message]
    by_key = {(tuple(w["ids"]), w["s"]): w for w in official["generate_waypoints"]}
    generated = [f"{w['ids']} s={w['s']}: {message}" for w in ours["generate_waypoints"]
                 for message in [_transform_bits_diff(by_key.get((tuple(w["ids"]), w["s"])), w)] if message]
    return (_summary("get_waypoint transforms", len(official["get_waypoint"]), answered, "not bit-equal")
            + _summary("generate_waypoints transforms", len(ours["generate_waypoints"]), generated, "not bit-equal"))


def _lines_and_arcs_only(map_argument: str) -> bool:
    """Whether every plan-view geometry of the map is a line or an arc: those CARLA evaluates in closed form,
    and our client repeats its float32 arithmetic there (spirals and polynomials CARLA samples its own way)."""
    path = Path(map_argument) if map_argument.endswith(".xodr") else MAPS_DIR / f"{map_argument}.xodr"
    odr = parse_xodr(path.read_text())
    return all(g.kind in ("line", "arc") for road in odr.roads.values() for g in road.plan_view.geometries)


# -- the tests -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,name", MAPS, ids=[f"{kind}-{name}" for kind, name in MAPS])
def test_road_queries_match_the_official_client(kind, name, server, tmp_path):
    require_official_client()
    map_argument = _map_argument(kind, name)
    official = _dump("official", server, map_argument, tmp_path)
    ours = _dump("ours", server, map_argument, tmp_path)
    assert server.alive()
    problems = compare_dumps(official, ours)
    if _lines_and_arcs_only(map_argument):
        problems += exact_transform_problems(official, ours)
    assert not problems, f"{name}: our client differs from the official one in {len(problems)} " \
                         "section(s):\n" + "\n".join(problems)


def test_comparison_reports_a_moved_waypoint_and_a_missing_topology_pair():
    """The comparison itself: a 2 cm shift, a 0.2 degree turn and a dropped pair are each reported."""
    waypoint = {"ids": [1, 0, -1], "s": 5.0, "lane_width": 3.5, "lane_type": 2, "lane_change": 0,
                "is_junction": False, "junction_id": -1, "location": [1.0, 2.0, 0.0], "rotation": [0.0, 179.95, 0.0],
                "left_marking": [1, 4], "right_marking": [2, 0]}
    end = {"ids": [1, 0, -1], "s": 0.0, "location": [0.0, 0.0, 0.0]}
    official = {"map_name": "Carla/Maps/X", "spawn_points": [[0, 0, 0.3, 0, 90, 0]], "get_waypoint": [waypoint],
                "get_waypoint_off_road": [None], "generate_waypoints": [], "topology": [[end, end], [end, end]],
                "chains": [], "waypoint_xodr": []}
    same = json.loads(json.dumps(official))
    same["get_waypoint"][0]["rotation"][1] = -179.99   # across the +-180 seam: 0.06 degrees apart
    assert compare_dumps(official, same) == []

    moved = json.loads(json.dumps(official))
    moved["get_waypoint"][0]["location"][0] += 0.02
    moved["get_waypoint"][0]["rotation"][1] += 0.2
    moved["topology"].pop()
    problems = compare_dumps(official, moved)
    assert len(problems) == 2
    assert problems[0].startswith("get_waypoint: 1 of 1 differ") and "location" in problems[0] \
        and "rotation" in problems[0]
    assert problems[1].startswith("get_topology: official 2, ours 1; 1 official items unmatched")
    assert exact_transform_problems(official, same) == ["get_waypoint transforms: 1 of 1 not bit-equal; first "
                                                        "ones:\n    [0] rotation [0.0, 179.95, 0.0] / "
                                                        "[0.0, -179.99, 0.0]"]
