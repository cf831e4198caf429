"""Our client's landmarks and crosswalks answer as the official client's do.

tests/scripts/map_landmarks.py asks both clients the same questions on the same server: every town we
serve, CARLA's own Town01-03 (sent with generate_opendrive_world), and those three towns again with
signals, signal references, controllers, speed-limit props and crosswalks added by a seeded generator
(CARLA's files have none). The dumps must agree: same ids, types, lanes and order, locations within 1 cm,
rotations within 0.1 degree. Small-map tests pin CARLA's reading rules with our client alone.
"""
from __future__ import annotations

import json
import math
import random
import re
import sys

import pytest

from engine.map.town import available_maps
from serverproc import ROOT, ServerProcess, run_client, require_official_client

sys.path.insert(0, str(ROOT / "PythonAPI"))

import carla  # noqa: E402
from carla_odr import parse_xodr  # noqa: E402

CARLA_XODR_DIR = ROOT.parent / "shared" / "testdata" / "opendrive"
CARLA_TOWNS = ["Town01", "Town02", "Town03"]
LANDMARK_SEED = 7
MAPS = ([("town", name) for name in available_maps()] + [("carla_xodr", name) for name in CARLA_TOWNS]
        + [("carla_with_landmarks", name) for name in CARLA_TOWNS])

LOCATION_TOLERANCE = 0.01   # metres
ROTATION_TOLERANCE = 0.1    # degrees
SCALAR_TOLERANCE = 0.001    # s, t, distances and the other numbers a landmark carries
SHOWN_DIFFS = 5


# -- maps with landmarks ---------------------------------------------------------------------------------------

SIGNAL_KINDS = [  # type, subtype, value, unit, name
    ("1000001", "-1", "-1", "", "Signal_3Light_Post01"),
    ("206", "-1", "-1", "", "Sign_Stop"),
    ("205", "-1", "-1", "", "Sign_Yield"),
    ("274", "30", "30", "km/h", "Speed_Sign"),
    ("101", "", "", "", "Danger"),
    ("W", "", "", "", "Light_W"),
    ("1000011", "10", "", "", "Light_Arrow_STATIC"),
]
ORIENTATIONS = ['orientation="+"', 'orientation="-"', 'orientation="none"', ""]
SHORTEST_CROSSWALK_ROAD = 6.0


def _number(rng, low, high):
    return round(rng.uniform(low, high), 2)


def _signal(rng, road, s, signal_id):
    """One <signal> beside the road, or (sometimes) on a driving lane, with varied attributes."""
    section = road.lane_section_at(min(s, road.length))
    ds = min(s, road.length) - section.s
    left = sum(float(section.lanes[i].width(ds)) for i in section.left_ids)
    right = sum(float(section.lanes[i].width(ds)) for i in section.right_ids)
    # Off the road or, sometimes, well inside the first driving lane; never on a lane border, where
    # CARLA's nearest-lane search breaks the tie by its R-tree's order (see test_map_differential).
    on_lane = rng.random() < 0.15
    to_right = rng.random() < 0.5
    offset = float(road.lane_offset(min(s, road.length)))
    t = offset + ((-1.37 if on_lane else -(right + 0.83)) if to_right else (1.37 if on_lane else left + 0.83))
    lanes = section.right_ids if to_right else section.left_ids
    roll = rng.random()
    validity = ""
    if roll < 0.4 and lanes:
        low, high = sorted((rng.choice(lanes), rng.choice(lanes)))
        validity = f'<validity fromLane="{low}" toLane="{high}"/>'
    elif roll < 0.5:
        validity = '<validity fromLane="0" toLane="0"/>'       # dropped by CARLA
    elif roll < 0.6:
        validity = '<validity fromLane="-1" toLane="-1"/><validity fromLane="1" toLane="2"/>'
    kind_type, subtype, value, unit, name = rng.choice(SIGNAL_KINDS)
    extra = ""
    if rng.random() < 0.3:
        extra = (f' hOffset="{_number(rng, -0.5, 0.5)}" pitch="{_number(rng, -0.1, 0.1)}"'
                 f' roll="{_number(rng, -0.1, 0.1)}"')
    value = f'value="{value}" ' if value else ""
    dynamic = rng.choice(['dynamic="yes"', 'dynamic="no"', ""])
    return (f'<signal s="{s}" t="{round(t, 3)}" id="{signal_id}" name="{name}" {dynamic} {rng.choice(ORIENTATIONS)} '
            f'zOffset="{_number(rng, 0.0, 3.0)}" country="OpenDRIVE" type="{kind_type}" subtype="{subtype}" {value}'
            f'unit="{unit}" height="{_number(rng, 0.5, 4.0)}" width="{_number(rng, 0.2, 1.0)}" text="{name[:4]}"'
            f'{extra}>{validity}</signal>')


def _crosswalk(rng, road, object_id):
    s = _number(rng, 2.0, road.length - 2.0)
    half = _number(rng, 4.0, 8.0)
    corners = [(-half, -2), (half, -2), (half, 2), (-half, 2)] + ([(-half, -2)] if rng.random() < 0.5 else [])
    outline = "".join(f'<cornerLocal u="{u}" v="{v}" z="0"/>' for u, v in corners)
    return (f'<object id="{object_id}" type="crosswalk" name="Crosswalk" s="{s}" t="{_number(rng, -1.0, 1.0)}" '
            f'zOffset="0" hdg="{_number(rng, 1.4, 1.75)}" orientation="none" length="4" width="{2 * half}">'
            f'<outline>{outline}</outline></object>')


def with_landmarks(text: str, seed: int) -> str:
    """The OpenDRIVE text with seeded signals (varied types, orientations, validities, some on driving
    lanes, some past the road's end), signal references on junction roads, controllers grouping the signals
    (referred to by the junctions), crosswalks and RoadRunner speed-limit props added to its roads."""
    odr = parse_xodr(text)
    rng = random.Random(seed)
    added = {}
    signal_ids = []
    next_id = 5000
    for road_id in sorted(odr.roads):
        road = odr.roads[road_id]
        signals, objects = [], []
        if rng.random() < 0.45:
            positions = sorted({_number(rng, 0.0, road.length) for _ in range(rng.randint(1, 3))})
            if rng.random() < 0.1:
                positions.append(round(road.length + 3.0, 2))
            for s in positions:
                signals.append(_signal(rng, road, s, next_id))
                signal_ids.append(str(next_id))
                next_id += 1
        if signal_ids and road.is_junction and rng.random() < 0.5:
            validity = "" if rng.random() < 0.5 else '<validity fromLane="-1" toLane="-1"/>'
            signals.append(f'<signalReference s="{_number(rng, 0.0, road.length)}" t="0" id="{rng.choice(signal_ids)}" '
                           f'{rng.choice(ORIENTATIONS)}>{validity}</signalReference>')
        if not road.is_junction and road.length > SHORTEST_CROSSWALK_ROAD and rng.random() < 0.2:
            objects.append(_crosswalk(rng, road, next_id))
            next_id += 1
        if not road.is_junction and rng.random() < 0.1:
            objects.append(f'<object id="{next_id}" type="pole" name="Speed_{rng.choice((30, 40, 60))}" '
                           f's="{_number(rng, 0.0, road.length)}" t="-7.31" zOffset="0" hdg="0.1" orientation="+" '
                           f'height="2" width="0.6"/>')
            signal_ids.append(str(next_id))
            next_id += 1
        xml = ("<objects>" + "".join(objects) + "</objects>" if objects else "") + \
              ("<signals>" + "".join(signals) + "</signals>" if signals else "")
        if xml:
            added[road_id] = xml

    text = re.sub(r'<road\b[^>]*?\bid="(\d+)"[^>]*>.*?</road>',
                  lambda m: m.group(0)[:-len("</road>")] + added.get(int(m.group(1)), "") + "</road>",
                  text, flags=re.S)
    rng.shuffle(signal_ids)
    controllers = [(f"c{n}", signal_ids[n:n + 3]) for n in range(0, len(signal_ids), 3)]
    junction_ids = sorted(odr.junctions)

    def junction_controllers(match):
        index = junction_ids.index(int(match.group(1)))
        refs = "".join(f'<controller id="{cid}" type="0"/>'
                       for n, (cid, _) in enumerate(controllers) if n % len(junction_ids) == index)
        return match.group(0) + refs

    text = re.sub(r'<junction\b[^>]*\bid="(\d+)"[^>]*>', junction_controllers, text)
    declared = "".join(f'<controller id="{cid}" name="{cid}" sequence="0">'
                       + "".join(f'<control signalId="{m}" type="0"/>' for m in members) + "</controller>"
                       for cid, members in controllers)
    return text.replace("</OpenDRIVE>", declared + "</OpenDRIVE>")


# -- comparison ------------------------------------------------------------------------------------------------


def _differences(official, ours, path: str, kind: str = "scalar") -> list[str]:
    """Where two dumps differ: exact for text, ints and structure; numbers within their tolerance."""
    if isinstance(official, dict) and isinstance(ours, dict):
        if official.keys() != ours.keys():
            return [f"{path}: keys official {sorted(official)} ours {sorted(ours)}"]
        found = []
        for key in official:
            child = "location" if key == "location" else "rotation" if key == "rotation" else kind
            found += _differences(official[key], ours[key], f"{path}.{key}", child)
        return found
    if kind in ("location", "rotation") and _is_vector(official) and _is_vector(ours):
        if kind == "location":
            same = math.dist(official, ours) <= LOCATION_TOLERANCE
        else:
            same = all(abs((a - b + 180.0) % 360.0 - 180.0) <= ROTATION_TOLERANCE for a, b in zip(official, ours))
        return [] if same else [f"{path}: official {official} ours {ours}"]
    if isinstance(official, list) and isinstance(ours, list):
        if len(official) != len(ours):
            return [f"{path}: official has {len(official)} items, ours {len(ours)}"]
        found = []
        for index, (a, b) in enumerate(zip(official, ours)):
            found += _differences(a, b, f"{path}[{index}]", kind)
        return found
    if isinstance(official, float) and isinstance(ours, float):
        return [] if abs(official - ours) <= SCALAR_TOLERANCE else [f"{path}: official {official} ours {ours}"]
    if official != ours or type(official) is not type(ours):
        return [f"{path}: official {official!r} ours {ours!r}"]
    return []


def _is_vector(value) -> bool:
    return isinstance(value, list) and len(value) == 3 and all(isinstance(v, (int, float)) for v in value)


def compare_dumps(official: dict, ours: dict) -> list[str]:
    """One message per section where our client's answers differ from the official client's."""
    problems = []
    for section in official.keys() | ours.keys():
        kind = "location" if section == "crosswalks" else "scalar"
        found = _differences(official.get(section), ours.get(section), section, kind)
        if found:
            shown = "\n    ".join(found[:SHOWN_DIFFS])
            problems.append(f"{section}: {len(found)} differences; first ones:\n    {shown}")
    return sorted(problems)


# -- the differential test -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with ServerProcess("-nullrhi") as proc:
        yield proc


def _map_argument(kind: str, name: str, tmp_path) -> str:
    if kind == "town":
        return name
    path = CARLA_XODR_DIR / f"{name}.xodr"
    if not path.is_file():
        pytest.fail(f"CARLA's OpenDRIVE test data is missing: {path}")
    if kind == "carla_xodr":
        return str(path)
    written = tmp_path / f"{name}_landmarks.xodr"
    written.write_text(with_landmarks(path.read_text(), LANDMARK_SEED))
    return str(written)


def _dump(which: str, server, map_argument: str, tmp_path) -> dict:
    out = tmp_path / f"{which}.json"
    run_client(which, "map_landmarks.py", server.port, map_argument, str(out))
    return json.loads(out.read_text())


@pytest.mark.parametrize("kind,name", MAPS, ids=[f"{kind}-{name}" for kind, name in MAPS])
def test_landmarks_and_crosswalks_match_the_official_client(kind, name, server, tmp_path):
    require_official_client()
    map_argument = _map_argument(kind, name, tmp_path)
    official = _dump("official", server, map_argument, tmp_path)
    ours = _dump("ours", server, map_argument, tmp_path)
    assert server.alive()
    problems = compare_dumps(official, ours)
    assert not problems, f"{name}: our client differs from the official one in {len(problems)} " \
                         "section(s):\n" + "\n".join(problems)


def test_comparison_reports_a_moved_landmark_and_a_missing_search_result():
    """The comparison itself: a 2 cm shift, a 0.2 degree turn and a dropped search result are reported."""
    item = {"id": "7", "s": 1.0, "distance": 0.0, "location": [1.0, 2.0, 3.0], "rotation": [0.0, 179.95, 0.0],
            "validities": [[-2, -1]], "waypoint": None}
    official = {"landmarks": [item], "searches": [{"ahead": [item]}], "crosswalks": [[0.0, 0.0, 0.0]]}
    same = json.loads(json.dumps(official))
    same["landmarks"][0]["rotation"][1] = -179.99      # across the seam: 0.06 degrees apart
    same["crosswalks"][0][0] = 0.005
    assert compare_dumps(official, same) == []

    changed = json.loads(json.dumps(official))
    changed["landmarks"][0]["location"][0] += 0.02
    changed["landmarks"][0]["rotation"][1] += 0.2
    changed["searches"][0]["ahead"].pop()
    changed["crosswalks"][0][2] = 0.02
    problems = compare_dumps(official, changed)
    assert [p.split(":")[0] for p in problems] == ["crosswalks", "landmarks", "searches"]
    assert "2 differences" in problems[1] and "location" in problems[1] and "rotation" in problems[1]
    assert "official has 1 items, ours 0" in problems[2]


def test_generated_landmarks_cover_what_the_comparison_needs():
    """The seeded towns carry what CARLA's own files lack: references, groups, props, crosswalks."""
    text = with_landmarks((CARLA_XODR_DIR / "Town01.xodr").read_text(), LANDMARK_SEED)
    carla_map = carla.Map("Town01", text)
    landmarks = carla_map.get_all_landmarks()
    assert len(landmarks) > 80
    assert {item.type for item in landmarks} >= {"1000001", "206", "205", "274", "101", "W"}
    assert any(item.unit == "mph" for item in landmarks)                  # a Speed_ prop
    assert len({item.id for item in landmarks}) < len(landmarks)          # signal references
    assert sum(1 for item in landmarks if carla_map.get_landmark_group(item)) > 20
    assert len(carla_map.get_crosswalks()) >= 8


# -- CARLA's reading rules on a small map (values from the official client) -----------------------------------

SMALL_MAP = """<?xml version="1.0" standalone="yes"?>
<OpenDRIVE>
  <header revMajor="1" revMinor="4" name="small"><geoReference><![CDATA[+lat_0=0 +lon_0=0]]></geoReference></header>
  <road name="r1" length="100" id="1" junction="-1">
    <link/>
    <planView><geometry s="0" x="0" y="0" hdg="0.3" length="100"><line/></geometry></planView>
    <elevationProfile><elevation s="0" a="1" b="0.05" c="0" d="0"/></elevationProfile>
    <lanes>
      <laneOffset s="0" a="0.5" b="0" c="0" d="0"/>
      <laneSection s="0">
        <left>
          <lane id="2" type="sidewalk" level="false"><width sOffset="0" a="2" b="0" c="0" d="0"/></lane>
          <lane id="1" type="driving" level="false"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane>
        </left>
        <center><lane id="0" type="none" level="false"/></center>
        <right>
          <lane id="-1" type="driving" level="false"><width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane>
          <lane id="-2" type="sidewalk" level="false"><width sOffset="0" a="2" b="0" c="0" d="0"/></lane>
        </right>
      </laneSection>
    </lanes>
    <objects>
      <object id="900" type="crosswalk" name="cw" s="60" t="0.5" zOffset="0" hdg="0.2" orientation="none">
        <outline>
          <cornerLocal u="-3" v="-2" z="0"/><cornerLocal u="3" v="-2" z="0"/>
          <cornerLocal u="3" v="2" z="0.1"/><cornerLocal u="-3" v="2" z="0"/>
        </outline>
      </object>
      <object id="901" type="pole" name="Speed_40" s="70" t="-6" zOffset="0.5" hdg="0.1" orientation="+"/>
    </objects>
    <signals>
      <signal s="10" t="-6" id="A" name="SignA" dynamic="no" orientation="+" zOffset="2" country="DE" type="206"/>
      <signal s="20" t="-6" id="B" name="SignB" orientation="" type="274" value="30" unit="km/h"/>
      <signal s="30" t="-1.75" id="C" name="LightC" dynamic="yes" orientation="-" type="1000001"/>
      <signal s="40" t="6" id="D" name="SignD" orientation="-" type="205" hOffset="0.5" pitch="0.1" roll="0.2">
        <validity fromLane="1" toLane="1"/><validity fromLane="2" toLane="2"/>
      </signal>
      <signal s="150" t="-6" id="E" name="SignE" orientation="+" type="101"/>
      <signal s="55" t="-6" id="F" name="SignF" orientation="+" type="101"><validity fromLane="0" toLane="0"/></signal>
      <signalReference s="50" t="6" id="A" orientation="-"/>
    </signals>
  </road>
</OpenDRIVE>
"""


@pytest.fixture(scope="module")
def small_map():
    return carla.Map("small", SMALL_MAP)


def _by_id_and_s(carla_map):
    return {(item.id, round(item.s, 3)): item for item in carla_map.get_all_landmarks()}


def test_references_are_clamped_into_the_road_and_lane_zero_references_dropped(small_map):
    found = _by_id_and_s(small_map)
    assert sorted(found) == [("901", 70.0), ("A", 10.0), ("A", 50.0), ("B", 20.0), ("C", 30.0),
                             ("D", 40.0), ("E", 100.0)]
    assert [item.id for item in small_map.get_all_landmarks()] == ["A", "B", "C", "D", "A", "901", "E"]
    assert found[("E", 100.0)].s == pytest.approx(100.0 - 1e-5)


def test_validities_default_to_the_lanes_the_signal_faces(small_map):
    found = _by_id_and_s(small_map)
    assert found[("A", 10.0)].get_lane_validities() == [(1, 2)]
    assert found[("A", 50.0)].get_lane_validities() == [(-2, -1)]
    assert found[("B", 20.0)].get_lane_validities() == [(1, 2), (-2, -1)]
    assert found[("D", 40.0)].get_lane_validities() == [(1, 1), (2, 2)]


def test_signal_transforms_follow_carla(small_map):
    found = _by_id_and_s(small_map)
    expected = {  # location, rotation as the official client reports them
        ("A", 10.0): ((11.326, 2.777, 3.5), (0.0, -17.189, 0.0)),
        ("B", 20.0): ((20.88, -0.178, 2.0), (0.0, -17.189, 0.0)),
        ("C", 30.0): ((30.037, -5.261, 2.5), (2.865, -17.189, 0.0)),   # pushed off the driving lane
        ("D", 40.0): ((36.44, -17.553, 3.0), (5.73, -45.837, 11.459)),
        ("901", 70.0): ((68.647, -14.954, 5.0), (0.0, -22.918, 0.0)),
        ("E", 100.0): ((97.307, -23.82, 8.5), (0.0, -17.189, 0.0)),
    }
    for key, (location, rotation) in expected.items():
        transform = found[key].transform
        assert math.dist(location, (transform.location.x, transform.location.y, transform.location.z)) < 0.002, key
        assert (transform.rotation.pitch, transform.rotation.yaw, transform.rotation.roll) == \
            pytest.approx(rotation, abs=0.002), key
    speed = found[("901", 70.0)]
    assert (speed.type, speed.sub_type, speed.value, speed.unit, speed.text, speed.country, speed.is_dynamic,
            speed.h_offset, speed.z_offset) == ("274", "40", 40.0, "mph", "40", "OpenDRIVE", False, 0.1, 0.5)
    assert found[("B", 20.0)].orientation == carla.LandmarkOrientation.Both


def test_landmarks_ahead_of_a_waypoint(small_map):
    start = small_map.get_waypoint_xodr(1, -1, 0.0)
    ahead = [(item.id, round(item.distance, 6), round(item.waypoint.s, 6)) for item in start.get_landmarks(60.0)]
    assert ahead == [("B", 20.0, 20.0), ("C", 30.0, 30.0), ("A", 50.0, 50.0)]
    backwards = small_map.get_waypoint_xodr(1, 1, 20.0)
    assert [(item.id, item.distance) for item in backwards.get_landmarks(25.0)] == [("B", 0.0), ("A", 10.0)]
    assert [item.id for item in backwards.get_landmarks_of_type(25.0, "206")] == ["A"]
    # A negative distance looks backwards; CARLA's assertion fails only where a valid signal lies there.
    assert small_map.get_waypoint_xodr(1, -1, 45.0).get_landmarks(-10.0) == []
    with pytest.raises(RuntimeError):
        small_map.get_waypoint_xodr(1, -1, 55.0).get_landmarks(-10.0)


def test_crosswalk_corners_follow_carla(small_map):
    points = [(p.x, p.y, p.z) for p in small_map.get_crosswalks()]
    expected = [(55.354, -15.494, 3.875), (60.613, -18.367, 4.175), (58.691, -21.875, 4.275),
                (53.437, -19.005, 3.875)]
    assert len(points) == len(expected)
    for got, want in zip(points, expected):
        assert math.dist(got, want) < 0.002


def test_landmark_queries_reject_wrong_arguments(small_map):
    with pytest.raises(TypeError):
        small_map.get_all_landmarks_from_id(5)
    with pytest.raises(TypeError):
        small_map.get_landmark_group(None)
    with pytest.raises(TypeError):
        small_map.get_waypoint_xodr(1, -1, 0.0).get_landmarks("far")
    with pytest.raises(RuntimeError):
        carla.Landmark()
    assert carla.LandmarkType.StopSign == "206" and carla.LandmarkType.MaximumSpeed == "274"
