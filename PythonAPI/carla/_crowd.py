"""A crowd of walkers on the navigation mesh, after Detour's dtCrowd as CARLA configures it.

Each agent follows a corridor of polygons to its target: it steers toward the next corners of the string-
pulled path (anticipating turns), slows down near the goal, keeps apart from its neighbours (separation),
is pushed out of overlaps with them, and moves along the mesh surface so that it never leaves the walkable
polygons. Paused agents stand still. Detour's sampled obstacle avoidance is left out: separation and
overlap resolution keep walkers apart.
"""

import math

import numpy as np

MAX_NEIGHBOURS = 6
MAX_CORNERS = 4
MIN_TARGET_DIST = 0.01
COLLISION_RESOLVE_FACTOR = 0.7
PATH_MAX_POLYS = 256


class AgentParams:
    __slots__ = ('radius', 'height', 'max_acceleration', 'max_speed', 'collision_query_range',
                 'separation_weight', 'filter_index')

    def __init__(self, radius, height, max_acceleration, max_speed, collision_query_range, separation_weight,
                 filter_index):
        self.radius = radius
        self.height = height
        self.max_acceleration = max_acceleration
        self.max_speed = max_speed
        self.collision_query_range = collision_query_range
        self.separation_weight = separation_weight
        self.filter_index = filter_index


class Agent:
    """dtCrowdAgent: position (the corridor's), velocities, corridor, target and corners."""

    def __init__(self, params):
        self.params = params
        self.active = True
        self.walking = False          # DT_CROWDAGENT_STATE_WALKING (False: INVALID, off the mesh)
        self.paused = False
        self.npos = np.zeros(3)
        self.vel = np.zeros(3)
        self.dvel = np.zeros(3)
        self.nvel = np.zeros(3)
        self.disp = np.zeros(3)
        self.desired_speed = 0.0
        self.path = []                # the corridor's polygons, the agent's own first
        self.target = np.zeros(3)
        self.target_ref = -1
        self.target_state = 'none'    # none, requesting, valid
        self.corners = []
        self.neighbours = []


class Crowd:
    """dtCrowd over a NavMesh, with query filters by index (CARLA uses 0: no roads, 1: roads allowed)."""

    def __init__(self, navmesh, filters, max_agent_radius):
        self.mesh = navmesh
        self.filters = filters
        self.agents = []
        self.placement_half_extents = np.array([max_agent_radius * 2.0, max_agent_radius * 1.5,
                                                max_agent_radius * 2.0])

    def add_agent(self, pos, params):
        """Place a new agent on the nearest polygon; its index, or -1 when every slot is used."""
        agent = Agent(params)
        ref, nearest = self.mesh.find_nearest_poly(pos, self.placement_half_extents,
                                                   self.filters[params.filter_index])
        agent.npos = np.array(nearest if ref >= 0 else pos, dtype=np.float64)
        agent.path = [ref] if ref >= 0 else []
        agent.target = agent.npos.copy()
        agent.walking = ref >= 0
        for index, slot in enumerate(self.agents):
            if not slot.active:
                self.agents[index] = agent
                return index
        self.agents.append(agent)
        return len(self.agents) - 1

    def remove_agent(self, index):
        if 0 <= index < len(self.agents):
            self.agents[index].active = False

    def request_move_target(self, index, ref, pos):
        agent = self.agents[index]
        if ref < 0:
            return False
        agent.target_ref = ref
        agent.target = np.array(pos, dtype=np.float64)
        agent.target_state = 'requesting'
        return True

    # -- the step ------------------------------------------------------------------------------------------

    def update(self, dt):
        agents = [a for a in self.agents if a.active]
        movers = [a for a in agents if a.walking and not a.paused]
        for agent in agents:
            if agent.paused:
                agent.vel[:] = 0.0
                agent.dvel[:] = 0.0
                agent.nvel[:] = 0.0
        for agent in movers:
            if agent.target_state == 'requesting':
                self._plan(agent)
        positions = np.array([a.npos for a in agents]) if agents else np.zeros((0, 3))
        for agent in movers:
            agent.neighbours = self._neighbours(agent, agents, positions)
        for agent in movers:
            if agent.target_state == 'valid':
                agent.corners = self._corners(agent)
        for agent in movers:
            self._steer(agent)
            agent.nvel = agent.dvel.copy()
        starts = [agent.npos.copy() for agent in movers]      # the corridors' positions
        for agent in movers:
            _integrate(agent, dt)
        for _ in range(4):
            for agent in movers:
                self._separate_overlaps(agent, agents)
            for agent in movers:
                agent.npos = agent.npos + agent.disp
        for agent, start in zip(movers, starts):
            self._move_on_mesh(agent, start)

    def _plan(self, agent):
        """The path from the corridor's first polygon to the target (Detour plans it over a few ticks)."""
        mesh = self.mesh
        query = self.filters[agent.params.filter_index]
        path = mesh.find_path(agent.path[0], agent.target_ref, agent.npos, agent.target, query, PATH_MAX_POLYS)
        target = agent.target
        if path[-1] != agent.target_ref:
            target = mesh.closest_point_on_poly(path[-1], agent.target)[0]
        agent.path = path
        agent.target = np.array(target, dtype=np.float64)
        agent.target_state = 'valid'

    def _neighbours(self, agent, agents, positions):
        """The nearest agents within the collision query range and height (at most six)."""
        diff = positions - agent.npos
        dist2 = diff[:, 0] ** 2 + diff[:, 2] ** 2
        reach = agent.params.collision_query_range
        close = (dist2 < reach * reach) & (np.abs(diff[:, 1]) < agent.params.height)
        candidates = [(dist2[k], k) for k in np.flatnonzero(close) if agents[k] is not agent]
        candidates.sort()
        return [agents[k] for _, k in candidates[:MAX_NEIGHBOURS]]

    def _corners(self, agent):
        """dtPathCorridor::findCorners: the next straight-path corners, the ones right at the agent dropped."""
        points = self.mesh.find_straight_path(agent.npos, agent.target, agent.path, MAX_CORNERS)
        while points and _dist2d_sqr(points[0][0], agent.npos) <= MIN_TARGET_DIST ** 2:
            points.pop(0)
        return points

    def _steer(self, agent):
        if agent.target_state != 'valid':
            agent.dvel = np.zeros(3)
            return
        dvel = _smooth_steer_direction(agent)
        slow_down = agent.params.radius * 2.0
        agent.desired_speed = agent.params.max_speed
        dvel = dvel * agent.desired_speed * (_distance_to_goal(agent, slow_down) / slow_down)
        # Separation from the neighbours.
        reach = agent.params.collision_query_range
        weight_sum, disp = 0.0, np.zeros(3)
        for other in agent.neighbours:
            diff = agent.npos - other.npos
            diff[1] = 0.0
            dist2 = float(diff @ diff)
            if dist2 < 0.00001 or dist2 > reach * reach:
                continue
            dist = math.sqrt(dist2)
            weight = agent.params.separation_weight * (1.0 - (dist / reach) ** 2)
            disp += diff * (weight / dist)
            weight_sum += 1.0
        if weight_sum > 0.0001:
            dvel = dvel + disp / weight_sum
            speed2 = float(dvel @ dvel)
            desired2 = agent.desired_speed ** 2
            if speed2 > desired2:
                dvel = dvel * (desired2 / speed2)
        agent.dvel = dvel

    @staticmethod
    def _separate_overlaps(agent, agents):
        agent.disp = np.zeros(3)
        count = 0.0
        for other in agent.neighbours:
            diff = agent.npos - other.npos
            diff[1] = 0.0
            reach = agent.params.radius + other.params.radius
            dist2 = float(diff @ diff)
            if dist2 > reach * reach:
                continue
            dist = math.sqrt(dist2)
            if dist < 0.0001:
                sign = 1.0 if agents.index(agent) > agents.index(other) else -1.0
                diff = np.array([-agent.dvel[2], 0.0, agent.dvel[0]]) * sign
                pen = 0.01
            else:
                pen = (1.0 / dist) * ((reach - dist) * 0.5) * COLLISION_RESOLVE_FACTOR
            agent.disp += diff * pen
            count += 1.0
        if count > 0.0001:
            agent.disp /= count

    def _move_on_mesh(self, agent, start):
        """dtPathCorridor::movePosition: slide along the mesh from where the agent was toward where it
        moved, then sit on the surface."""
        mesh = self.mesh
        query = self.filters[agent.params.filter_index]
        result, visited = mesh.move_along_surface(agent.path[0], start, agent.npos, query)
        if not visited:
            agent.npos = start
            return
        agent.path = _merge_corridor_start_moved(agent.path, visited)
        height = mesh.poly_height(agent.path[0], result)
        agent.npos = np.array([result[0], start[1] if height is None else height, result[2]])
        if agent.target_state != 'valid':
            agent.path = agent.path[:1]


def _integrate(agent, dt):
    max_delta = agent.params.max_acceleration * dt
    dv = agent.nvel - agent.vel
    ds = float(np.linalg.norm(dv))
    if ds > max_delta:
        dv = dv * (max_delta / ds)
    agent.vel = agent.vel + dv
    if float(np.linalg.norm(agent.vel)) > 0.0001:
        agent.npos = agent.npos + agent.vel * dt
    else:
        agent.vel = np.zeros(3)


def _dist2d_sqr(a, b):
    return (a[0] - b[0]) ** 2 + (a[2] - b[2]) ** 2


def _distance_to_goal(agent, reach):
    if not agent.corners:
        return reach
    point, flags, _ = agent.corners[-1]
    if flags & 0x02:                 # DT_STRAIGHTPATH_END
        return min(math.sqrt(_dist2d_sqr(agent.npos, point)), reach)
    return reach


def _smooth_steer_direction(agent):
    """calcSmoothSteerDirection: toward the first corner, bent toward the second."""
    if not agent.corners:
        return np.zeros(3)
    p0 = agent.corners[0][0]
    p1 = agent.corners[min(1, len(agent.corners) - 1)][0]
    dir0 = p0 - agent.npos
    dir1 = p1 - agent.npos
    dir0[1] = dir1[1] = 0.0
    len0 = float(np.linalg.norm(dir0))
    len1 = float(np.linalg.norm(dir1))
    if len1 > 0.001:
        dir1 = dir1 / len1
    direction = np.array([dir0[0] - dir1[0] * len0 * 0.5, 0.0, dir0[2] - dir1[2] * len0 * 0.5])
    norm = float(np.linalg.norm(direction))
    return direction / norm if norm > 0.0 else direction


def _merge_corridor_start_moved(path, visited):
    """dtMergeCorridorStartMoved: the visited polygons replace the corridor's start up to the furthest
    polygon they share."""
    furthest_path = furthest_visited = -1
    for i in range(len(path) - 1, -1, -1):
        for j in range(len(visited) - 1, -1, -1):
            if path[i] == visited[j]:
                furthest_path, furthest_visited = i, j
        if furthest_path >= 0:
            break
    if furthest_path < 0:
        return path
    return _merged(path, visited, furthest_path, furthest_visited)


def _merged(path, visited, furthest_path, furthest_visited):
    """The visited polygons from the last one back to the shared one, then the rest of the corridor."""
    req = len(visited) - furthest_visited
    tail = path[furthest_path + 1:]
    head = [visited[(len(visited) - 1) - i] for i in range(req)]
    return (head + tail)[:PATH_MAX_POLYS]
