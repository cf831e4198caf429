"""The autopilot's leader search (engine.traffic.hazards.find_leaders) on hand-made corridors and actors."""
import numpy as np

from engine.traffic.hazards import Actors, Agents, find_leaders
from engine.traffic.lane_graph import SPACING

HALF_LENGTH, HALF_WIDTH = 2.4, 1.0
SAMPLES = 30


def _vehicles(x, y, yaw, vx=None, slots=None, ids=None, bend=None):
    n = len(x)
    vx = np.zeros(n) if vx is None else np.asarray(vx, dtype=float)
    return Actors(x=np.asarray(x, dtype=float), y=np.asarray(y, dtype=float), z=np.zeros(n),
                  cos=np.cos(yaw), sin=np.sin(yaw), half_length=np.full(n, HALF_LENGTH),
                  half_width=np.full(n, HALF_WIDTH), vx=vx * np.cos(yaw), vy=vx * np.sin(yaw),
                  bend=np.zeros(n) if bend is None else np.asarray(bend, dtype=float),
                  slot=np.arange(n) if slots is None else np.asarray(slots),
                  ids=np.arange(100, 100 + n) if ids is None else np.asarray(ids),
                  is_vehicle=np.ones(n, dtype=bool))


def _straight_agents(actors, rows, lane_y, speed, curvature=0.0):
    """The vehicles ``rows`` of ``actors`` as agents whose corridors run straight along their heading, from
    their own x, on the line y = ``lane_y`` (one per agent)."""
    rows = np.asarray(rows)
    steps = np.arange(SAMPLES) * SPACING
    cos, sin = actors.cos[rows], actors.sin[rows]
    tx = actors.x[rows][:, None] + cos[:, None] * steps
    ty = np.asarray(lane_y, dtype=float)[:, None] + sin[:, None] * steps
    n = len(rows)
    return Agents(slots=actors.slot[rows], x=actors.x[rows], y=actors.y[rows], z=np.zeros(n), cos=cos, sin=sin,
                  speed=np.asarray(speed, dtype=float), half_length=np.full(n, HALF_LENGTH),
                  half_width=np.full(n, HALF_WIDTH), s=np.tile(steps, (n, 1)),
                  valid=np.ones((n, SAMPLES), dtype=bool), tx=tx, ty=ty, tcos=np.repeat(cos[:, None], SAMPLES, 1),
                  tsin=np.repeat(sin[:, None], SAMPLES, 1), curvature=np.full((n, SAMPLES), curvature),
                  off_centre=np.asarray(lane_y, dtype=float) - actors.y[rows])


def _all_pairs(agents, actors):
    a, o = np.meshgrid(np.arange(len(agents.slots)), np.arange(len(actors.x)), indexing="ij")
    a, o = a.ravel(), o.ravel()
    mine = actors.slot[o] != agents.slots[a]
    return a[mine], o[mine]


def test_the_leader_is_the_nearest_vehicle_in_the_corridor():
    actors = _vehicles(x=[0.0, 20.0, 12.0, 30.0], y=[0.0, 0.0, 6.0, 0.0], yaw=np.zeros(4))
    agents = _straight_agents(actors, [0], lane_y=[0.0], speed=[5.0])
    a, o = _all_pairs(agents, actors)
    leaders = find_leaders(agents, actors, a, o, lead_reach=np.array([40.0]))
    assert leaders.slot[0] == 1                          # not the one beside the road, not the one further on
    assert abs(leaders.gap[0] - (20.0 - 2 * HALF_LENGTH)) < 0.5 * SPACING


def test_nothing_in_the_corridor_means_no_leader():
    actors = _vehicles(x=[0.0, 12.0], y=[0.0, 6.0], yaw=np.zeros(2))
    agents = _straight_agents(actors, [0], lane_y=[0.0], speed=[5.0])
    a, o = _all_pairs(agents, actors)
    leaders = find_leaders(agents, actors, a, o, lead_reach=np.array([40.0]))
    assert leaders.slot[0] == -1 and np.isinf(leaders.gap[0])


def test_of_two_oncoming_vehicles_waiting_on_each_other_the_larger_id_looks_past():
    # Side by side across the road with room to pass, each one's path swerves into the other's body.
    actors = _vehicles(x=[0.0, 6.0], y=[0.0, 2.4], yaw=np.array([0.0, np.pi]), ids=[7, 9])
    agents = _straight_agents(actors, [0, 1], lane_y=[1.0, 1.4], speed=[0.0, 0.0])
    a, o = _all_pairs(agents, actors)
    leaders = find_leaders(agents, actors, a, o, lead_reach=np.array([30.0, 30.0]))
    assert leaders.slot[0] == 1                          # id 7 still waits for id 9
    assert leaders.slot[1] == -1                         # id 9 goes past
    swapped = _vehicles(x=[0.0, 6.0], y=[0.0, 2.4], yaw=np.array([0.0, np.pi]), ids=[9, 7])
    leaders = find_leaders(agents, swapped, a, o, lead_reach=np.array([30.0, 30.0]))
    assert leaders.slot[0] == -1 and leaders.slot[1] == 0


def test_oncoming_vehicles_that_cannot_pass_each_other_both_wait():
    actors = _vehicles(x=[0.0, 6.0], y=[0.0, 1.5], yaw=np.array([0.0, np.pi]), ids=[7, 9])
    agents = _straight_agents(actors, [0, 1], lane_y=[1.0, 1.4], speed=[0.0, 0.0])
    a, o = _all_pairs(agents, actors)
    leaders = find_leaders(agents, actors, a, o, lead_reach=np.array([30.0, 30.0]))
    assert leaders.slot[0] == 1 and leaders.slot[1] == 0


def test_in_a_curve_the_vehicle_behind_falls_back_from_one_moving_abreast():
    actors = _vehicles(x=[0.0, 2.0], y=[0.0, 2.3], yaw=np.zeros(2), vx=[5.0, 5.0])
    agents = _straight_agents(actors, [0], lane_y=[0.0], speed=[5.0], curvature=0.05)
    a, o = _all_pairs(agents, actors)
    leaders = find_leaders(agents, actors, a, o, lead_reach=np.array([30.0]))
    assert leaders.slot[0] == 1 and leaders.gap[0] == 0.0
    straight = _straight_agents(actors, [0], lane_y=[0.0], speed=[5.0], curvature=0.0)
    assert find_leaders(straight, actors, a, o, lead_reach=np.array([30.0])).slot[0] == -1
