"""CARLA's client-side walker AI: carla::nav::Navigation, WalkerManager and client::detail::WalkerNavigation.

The server only serves the navigation mesh and takes walker states: each ``world.tick()`` (and
``wait_for_tick()``) this client steps the crowd by the last frame's delta and sends every AI walker's
transform and speed as ``ApplyWalkerState`` commands in one ``apply_batch``. A walker follows the
string-pulled route to its target point by point; where the route steps onto a crosswalk or a road it
stops (up to a minute) while the traffic light nearest to it is green or yellow for the cars, then until
no vehicle is within 6 m; at the end of a route, or when it has not moved half a metre in four seconds, it
picks a random sidewalk location and walks there.
Random numbers come from the C library's generator as CARLA draws them, seeded by
``world.set_pedestrians_seed``.
"""

import math

import numpy as np

from carla_odr import detour
from carla_odr.detour import NavMeshFormatError, read_navmesh_set

from ._crand import LIBC_RANDOM
from ._crowd import AgentParams, Crowd
from ._navmesh import NavMesh, QueryFilter

AGENT_HEIGHT = 1.8
AGENT_RADIUS = 0.3
MAX_AGENTS = 500
AGENT_UNBLOCK_DISTANCE = 0.5
AGENT_UNBLOCK_TIME = 4.0
AREA_GRASS_COST = 1.0
AREA_ROAD_COST = 10.0
POLY_PICK_EXTENTS = np.array([2.0, 4.0, 2.0])
RANDOM_LOCATION_ROUNDS = 10
REACHED_SQUARED = 1.0               # a route point counts as reached within 1 m
STOP_AND_CHECK_SECONDS = 60.0
LIGHT_YELLOW, LIGHT_GREEN = 1, 2    # carla.TrafficLightState values that keep walkers waiting
VEHICLE_CHECK_DISTANCE = 6.0
MAX_ROUTE_ATTEMPTS = 10

IDLE, WALKING, IN_EVENT, STOP = 'idle', 'walking', 'in_event', 'stop'
CONTINUE, END, TIMEOUT = 'continue', 'end', 'timeout'


def to_recast(x, y, z):
    return np.array([x, z, y], dtype=np.float64)


def from_recast(p):
    return float(p[0]), float(p[2]), float(p[1])


class _RoutePoint:
    __slots__ = ('event', 'time', 'location', 'area', 'check_light', 'light')

    def __init__(self, event, location, area, time=0.0):
        self.event = event            # 'ignore' or 'stop_and_check'
        self.time = time
        self.location = location      # CARLA (x, y, z)
        self.area = area
        self.check_light = True       # stop_and_check: find the traffic light on the first check
        self.light = None             # ...its actor id


class _WalkerInfo:
    def __init__(self):
        self.state = IDLE
        self.route = []
        self.current = 0
        self.origin = (0.0, 0.0, 0.0)
        self.to = (0.0, 0.0, 0.0)


class Navigation:
    """carla::nav::Navigation: the mesh, the crowd, the walkers' mapping to crowd agents, their routes."""

    def __init__(self, navmesh_bytes):
        self.mesh = NavMesh(read_navmesh_set(navmesh_bytes))
        self.random = LIBC_RANDOM
        self.probability_crossing = 0.0
        self.delta_seconds = 0.0
        no_roads = QueryFilter(detour.FLAG_WALKABLE, detour.FLAG_ROAD)
        roads = QueryFilter(detour.FLAG_WALKABLE, detour.FLAG_NONE)
        for query in (no_roads, roads):
            query.set_area_cost(detour.AREA_ROAD, AREA_ROAD_COST)
            query.set_area_cost(detour.AREA_GRASS, AREA_GRASS_COST)
        self.filters = [no_roads, roads]
        self.crowd = Crowd(self.mesh, self.filters, AGENT_RADIUS * 20)
        self.walker_index = {}        # walker id -> crowd agent index
        self.walker_by_index = {}
        self.yaw = {}
        self.blocked_position = {}
        self.time_to_unblock = 0.0
        self.walkers = {}             # walker id -> _WalkerInfo (the WalkerManager)
        self.vehicles = []            # (x, y) of every vehicle in the last state, for the crossing checks
        self.light_stops = []         # (traffic light id, (x, y, z) of one of its stop waypoints)
        self.light_states = {}        # traffic light id -> carla.TrafficLightState value, last state

    # -- settings ------------------------------------------------------------------------------------------

    def set_seed(self, seed):
        self.random.seed(seed)

    def set_cross_factor(self, percentage):
        self.probability_crossing = float(np.float32(percentage))

    def _frand(self):
        return self.random.frand()

    # -- walkers -------------------------------------------------------------------------------------------

    def add_walker(self, walker_id, location):
        """A crowd agent at the walker's feet (its location is half the agent height above them)."""
        if len(self.walker_index) >= MAX_AGENTS:
            return False
        filter_index = 1 if self._frand() <= np.float32(self.probability_crossing) else 0
        params = AgentParams(radius=AGENT_RADIUS, height=AGENT_HEIGHT, max_acceleration=160.0, max_speed=1.47,
                             collision_query_range=10.0, separation_weight=0.5, filter_index=filter_index)
        x, y, z = location
        index = self.crowd.add_agent(to_recast(x, y, z - AGENT_HEIGHT / 2.0), params)
        if index < 0:
            return False
        self.walker_index[walker_id] = index
        self.walker_by_index[index] = walker_id
        self.yaw[walker_id] = 0.0
        self.walkers[walker_id] = _WalkerInfo()
        return True

    def remove_agent(self, walker_id):
        index = self.walker_index.pop(walker_id, None)
        if index is None:
            return False
        self.crowd.remove_agent(index)
        self.walkers.pop(walker_id, None)
        self.walker_by_index.pop(index, None)
        return True

    def set_walker_max_speed(self, walker_id, max_speed):
        index = self.walker_index.get(walker_id)
        if index is None:
            return False
        self.crowd.agents[index].params.max_speed = float(max_speed)
        return True

    def _set_direct_target(self, walker_id, location):
        index = self.walker_index.get(walker_id)
        if index is None:
            return False
        point = to_recast(*location)
        ref, _ = self.mesh.find_nearest_poly(point, self.crowd.placement_half_extents, self.filters[0])
        if ref < 0:
            return False
        return self.crowd.request_move_target(index, ref, point)

    def pause(self, walker_id, paused):
        index = self.walker_index.get(walker_id)
        if index is not None:
            self.crowd.agents[index].paused = paused

    def walker_position(self, walker_id):
        index = self.walker_index.get(walker_id)
        if index is None or not self.crowd.agents[index].active:
            return None
        return from_recast(self.crowd.agents[index].npos)

    def walker_transform(self, walker_id):
        """(location, yaw, speed) as Navigation::GetWalkerTransform gives them, or None. The yaw turns
        toward the walking direction at a rate that grows with the speed."""
        index = self.walker_index.get(walker_id)
        if index is None:
            return None
        agent = self.crowd.agents[index]
        if not agent.active:
            return None
        vel = agent.vel if (abs(agent.vel[0]) > 0.1 or abs(agent.vel[2]) > 0.1) else agent.dvel
        yaw = math.degrees(math.atan2(vel[2], vel[0]))
        speed = float(np.linalg.norm(vel))
        previous = self.yaw[walker_id]
        shortest = math.fmod(yaw - previous + 540.0, 360.0) - 180.0
        rotation_speed = min(speed / 1.5, 1.0) * 6.0
        self.yaw[walker_id] = previous + shortest * rotation_speed * self.delta_seconds
        return from_recast(agent.npos), self.yaw[walker_id], float(np.linalg.norm(agent.vel))

    # -- random locations and routes -----------------------------------------------------------------------

    def random_location(self, query=None):
        """A random point on the sidewalks (CARLA (x, y, z)), or None; up to ten draws, as CARLA, which
        reports a draw that only succeeds on the tenth round as a failure."""
        query = query or QueryFilter(detour.FLAG_SIDEWALK, detour.FLAG_NONE)
        for draw in range(1, RANDOM_LOCATION_ROUNDS + 1):
            ref, point = self.mesh.find_random_point(query, self._frand, self.random.frands)
            if ref >= 0:
                return from_recast(point) if draw < RANDOM_LOCATION_ROUNDS else None
        return None

    def agent_route(self, walker_id, origin, to):
        """Navigation::GetAgentRoute: the straight path with its area crossings, as [(location, area)]."""
        index = self.walker_index.get(walker_id)
        if index is None:
            return []
        query = self.filters[self.crowd.agents[index].params.filter_index]
        start_pos, end_pos = to_recast(*origin), to_recast(*to)
        start, _ = self.mesh.find_nearest_poly(start_pos, POLY_PICK_EXTENTS, query)
        end, _ = self.mesh.find_nearest_poly(end_pos, POLY_PICK_EXTENTS, query)
        if start < 0 or end < 0:
            return []
        path = self.mesh.find_path(start, end, start_pos, end_pos, query)
        if not path:
            return []
        if path[-1] != end:
            end_pos = self.mesh.closest_point_on_poly(path[-1], end_pos)[0]
        route, area = [], detour.AREA_SIDEWALK
        for point, _, poly in self.mesh.find_straight_path(start_pos, end_pos, path, area_crossings=True):
            if poly >= 0:
                area = int(self.mesh.areas[poly])   # the end point has no polygon: CARLA keeps the last area
            route.append((from_recast(point), area))
        return route

    def set_walker_route(self, walker_id, to=None, attempts=MAX_ROUTE_ATTEMPTS):
        """WalkerManager::SetWalkerRoute: plan from where the walker is to ``to`` (a random location when
        None), stopping to check for vehicles where the route enters a crosswalk or a road."""
        info = self.walkers.get(walker_id)
        if info is None:
            return False
        if to is None:
            to = self.random_location() or (0.0, 0.0, 0.0)
        info.origin = self.walker_position(walker_id) or (0.0, 0.0, 0.0)
        info.to = to
        info.current = 0
        info.state = IDLE
        info.route = []
        previous = detour.AREA_SIDEWALK
        for location, area in self.agent_route(walker_id, info.origin, to):
            if area in (detour.AREA_ROAD, detour.AREA_CROSSWALK):
                if previous not in (detour.AREA_CROSSWALK, detour.AREA_ROAD):
                    info.route.append(_RoutePoint('stop_and_check', location, area, STOP_AND_CHECK_SECONDS))
            else:
                info.route.append(_RoutePoint('ignore', location, area))
            previous = area
        return self._next_point(walker_id, attempts)

    def _next_point(self, walker_id, attempts=MAX_ROUTE_ATTEMPTS):
        info = self.walkers[walker_id]
        info.current += 1
        if info.current < len(info.route):
            info.state = WALKING
            self.pause(walker_id, False)
            self._set_direct_target(walker_id, info.route[info.current].location)
        else:
            info.state = STOP
            self.pause(walker_id, True)
            if attempts > 0 and info.route:
                self.set_walker_route(walker_id, None, attempts - 1)
        return True

    def _vehicle_near(self, walker_id, distance):
        position = self.walker_position(walker_id)
        if position is None:
            return False
        return any((vx - position[0]) ** 2 + (vy - position[1]) ** 2 < distance * distance
                   for vx, vy in self.vehicles)

    def _nearest_light(self, position):
        best, best_d = None, math.inf
        for light, stop in self.light_stops:
            d = sum((a - b) ** 2 for a, b in zip(position, stop))
            if d < best_d:
                best, best_d = light, d
        return best

    def _run_event(self, walker_id, info, delta):
        """WalkerEventVisitor: ignore, or stop and check (wait while the nearest traffic light lets the cars
        go, then while a vehicle is near)."""
        point = info.route[info.current]
        if point.event == 'ignore':
            return END
        point.time -= delta
        if point.time <= 0.0:
            return TIMEOUT
        self.pause(walker_id, True)
        position = self.walker_position(walker_id) or (0.0, 0.0, 0.0)
        if point.check_light:
            point.light = self._nearest_light(position)
            point.check_light = False
        if point.light is not None and self.light_states.get(point.light) in (LIGHT_GREEN, LIGHT_YELLOW):
            return CONTINUE
        self.pause(walker_id, False)
        return CONTINUE if self._vehicle_near(walker_id, VEHICLE_CHECK_DISTANCE) else END

    def _update_routes(self, delta):
        """WalkerManager::Update."""
        for walker_id, info in list(self.walkers.items()):
            if info.state == WALKING:
                target = info.route[info.current].location
                current = self.walker_position(walker_id)
                if current is not None and sum((a - b) ** 2 for a, b in zip(target, current)) <= REACHED_SQUARED:
                    info.state = IN_EVENT
            elif info.state == IN_EVENT:
                result = self._run_event(walker_id, info, delta)
                if result == END:
                    self._next_point(walker_id)
                elif result == TIMEOUT:
                    self.set_walker_route(walker_id)
            elif info.state == STOP:
                info.state = IDLE

    # -- the tick ------------------------------------------------------------------------------------------

    def update(self, delta_seconds, vehicles=(), light_states=None):
        """Navigation::UpdateCrowd: step the crowd, the routes, and give a new target to walkers that have
        been stuck for AGENT_UNBLOCK_TIME."""
        self.delta_seconds = float(delta_seconds)
        self.vehicles = list(vehicles)
        self.light_states = dict(light_states or {})
        self.crowd.update(self.delta_seconds)
        self._update_routes(self.delta_seconds)
        self.time_to_unblock += self.delta_seconds
        if self.time_to_unblock >= AGENT_UNBLOCK_TIME:
            for index, agent in enumerate(self.crowd.agents):
                if not agent.active or agent.paused:
                    continue
                previous = self.blocked_position.get(index, np.zeros(3))
                moved2 = float(np.sum((agent.npos - previous) ** 2))
                self.blocked_position[index] = agent.npos.copy()
                if moved2 < AGENT_UNBLOCK_DISTANCE ** 2 and index in self.walker_by_index:
                    location = self.random_location() or (0.0, 0.0, 0.0)
                    self.set_walker_route(self.walker_by_index[index], location)
            self.time_to_unblock = 0.0


def load_navigation(data):
    """A Navigation for the mesh bytes, or raise NavMeshFormatError saying what is wrong with them."""
    if not data:
        raise NavMeshFormatError("the server sent no navigation mesh")
    return Navigation(bytes(data))
