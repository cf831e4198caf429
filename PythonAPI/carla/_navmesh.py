"""The walker navigation mesh in the client: Detour's queries over the mesh the server sends.

Polygons of every tile are numbered one after the other; links join them across shared edges (inside a
tile) and across tile borders (portals, as dtNavMesh::connectExtLinks matches them). The queries follow
Detour's dtNavMeshQuery: nearest polygon, closest point and height, A* over polygons, string pulling
(findStraightPath with area crossings), moveAlongSurface, and findRandomPoint, which draws exactly as
Detour does in single precision so that a seed gives the official client's locations.

Coordinates are Recast's (x, y up, z): CARLA (x, y, z) is (x, z, y) here.
"""

import heapq
import math

import numpy as np

from carla_odr import detour

H_SCALE = 0.999             # Detour's A* heuristic scale
MAX_SEARCH_NODES = 2048     # CARLA's MAX_QUERY_SEARCH_NODES
MOVE_MAX_STACK = 48
STRAIGHTPATH_START, STRAIGHTPATH_END = 0x01, 0x02
_SIDE_OFFSETS = {0: (1, 0), 2: (0, 1), 4: (-1, 0), 6: (0, -1)}
_F32 = np.float32


class QueryFilter:
    """dtQueryFilter: flags a polygon must have (include) and must not have (exclude), cost per area."""

    def __init__(self, include=detour.FLAG_ALL, exclude=0, area_costs=None):
        self.include = include
        self.exclude = exclude
        self.area_cost = np.ones(detour.AREA_GRASS + 60, np.float64) if area_costs is None else area_costs

    def set_area_cost(self, area, cost):
        self.area_cost[area] = cost

    def passes(self, flags):
        return (flags & self.include) != 0 and (flags & self.exclude) == 0


class NavMesh:
    """A Detour navigation mesh set, flattened: polygons of all tiles with their links and detail triangles."""

    def __init__(self, navmesh_set):
        tiles = sorted(navmesh_set.tiles, key=lambda t: detour.decode_ref(navmesh_set.params, t.tile_ref)[1])
        self.params = navmesh_set.params
        self.tiles = tiles
        self.walkable_climb = float(tiles[0].walkable_climb) if tiles else 0.0
        verts, counts, corners, flags, areas, types = [], [], [], [], [], []
        vert_base = 0
        self.tile_poly_base = []
        for t, tile in enumerate(tiles):
            self.tile_poly_base.append(len(counts))
            verts.append(tile.verts)
            n = tile.polys['vert_count'].astype(np.int64)
            counts.append(n)
            corners.append(tile.polys['verts'].astype(np.int64) + vert_base)
            flags.append(tile.polys['flags'])
            areas.append(tile.areas)
            types.append(tile.types)
            vert_base += len(tile.verts)
        self.verts32 = np.concatenate(verts) if verts else np.zeros((0, 3), np.float32)
        self.verts = self.verts32.astype(np.float64)
        self.counts = np.concatenate(counts) if counts else np.zeros(0, np.int64)
        self.corners = np.concatenate(corners) if corners else np.zeros((0, 6), np.int64)
        self.flags = np.concatenate(flags).astype(np.int64) if flags else np.zeros(0, np.int64)
        self.areas = np.concatenate(areas).astype(np.int64) if areas else np.zeros(0, np.int64)
        self.types = np.concatenate(types).astype(np.int64) if types else np.zeros(0, np.int64)
        self.poly_verts = [self.verts[self.corners[p, :self.counts[p]]] for p in range(len(self.counts))]
        self._corner_tuples = [[tuple(float(c) for c in v) for v in verts] for verts in self.poly_verts]
        used = np.arange(6)[None, :] < self.counts[:, None]
        masked = np.where(used[..., None], self.verts[np.where(used, self.corners, 0)], np.nan)
        self.bmin = np.nanmin(masked, axis=1) if len(masked) else np.zeros((0, 3))
        self.bmax = np.nanmax(masked, axis=1) if len(masked) else np.zeros((0, 3))
        self.links = [[] for _ in range(len(self.counts))]     # per poly: (edge, neighbour, left, right)
        self._connect_internal()
        self._connect_portals()
        self._detail32 = self._detail_triangles()
        self._detail = [tris.astype(np.float64) for tris in self._detail32]

    @property
    def poly_count(self):
        return len(self.counts)

    # -- building ------------------------------------------------------------------------------------------

    def _connect_internal(self):
        for t, tile in enumerate(self.tiles):
            base = self.tile_poly_base[t]
            for i, poly in enumerate(tile.polys):
                p = base + i
                for j in range(int(poly['vert_count'])):
                    nei = int(poly['neis'][j])
                    if nei and not nei & detour.EXT_LINK:
                        self._add_link(p, j, base + nei - 1)

    def _add_link(self, p, edge, neighbour, tmin=0.0, tmax=1.0):
        """A link across edge ``edge`` of p; its portal (left, right) as float tuples, the part of the edge
        from tmin to tmax."""
        n = self.counts[p]
        va = self.verts[self.corners[p, edge]]
        vb = self.verts[self.corners[p, (edge + 1) % n]]
        left, right = va + (vb - va) * tmin, va + (vb - va) * tmax
        self.links[p].append((edge, neighbour, tuple(float(v) for v in left), tuple(float(v) for v in right)))

    def _connect_portals(self):
        """Links across tile borders: edges flagged DT_EXT_LINK | side meet edges of the tile on that side
        flagged with the opposite side; each link keeps the part of the edge the other one overlaps."""
        by_location = {}
        for t, tile in enumerate(self.tiles):
            by_location.setdefault((tile.x, tile.y), []).append(t)
        for t, tile in enumerate(self.tiles):
            base = self.tile_poly_base[t]
            for i, poly in enumerate(tile.polys):
                for j in range(int(poly['vert_count'])):
                    nei = int(poly['neis'][j])
                    if not nei & detour.EXT_LINK or (nei & 0xFF) not in _SIDE_OFFSETS:
                        continue
                    side = nei & 0xFF
                    dx, dy = _SIDE_OFFSETS[side]
                    for other in by_location.get((tile.x + dx, tile.y + dy), ()):
                        self._link_across(base + i, j, side, other)

    def _link_across(self, p, edge, side, other_tile):
        axis = 0 if side in (0, 4) else 2          # the border is at constant x (sides 0, 4) or z (2, 6)
        along = 2 if axis == 0 else 0
        n = self.counts[p]
        va = self.verts[self.corners[p, edge]]
        vb = self.verts[self.corners[p, (edge + 1) % n]]
        length = vb[along] - va[along]
        if abs(length) < 1e-6:
            return
        opposite = detour.EXT_LINK | ((side + 4) % 8)
        base = self.tile_poly_base[other_tile]
        tile = self.tiles[other_tile]
        for i, poly in enumerate(tile.polys):
            for j in range(int(poly['vert_count'])):
                if int(poly['neis'][j]) != opposite:
                    continue
                q = base + i
                wa = self.verts[self.corners[q, j]]
                wb = self.verts[self.corners[q, (j + 1) % self.counts[q]]]
                if abs(wa[axis] - va[axis]) > 0.01 or abs(wb[axis] - va[axis]) > 0.01:
                    continue
                lo = max(min(va[along], vb[along]), min(wa[along], wb[along]))
                hi = min(max(va[along], vb[along]), max(wa[along], wb[along]))
                if hi - lo < 0.01:
                    continue
                t0 = (lo - va[along]) / length
                t1 = (hi - va[along]) / length
                self._add_link(p, edge, q, min(t0, t1), max(t0, t1))

    def _detail_triangles(self):
        """Per polygon, its detail triangles as a (k, 3, 3) float32 array (the fan when a tile has no detail)."""
        out = []
        for tile in self.tiles:
            for i, poly in enumerate(tile.polys):
                own = tile.verts[poly['verts'][:int(poly['vert_count'])]]
                if len(tile.detail_meshes):
                    d = tile.detail_meshes[i]
                    extra = tile.detail_verts[int(d['vert_base']):int(d['vert_base']) + int(d['vert_count'])]
                    points = np.concatenate([own, extra])
                    tris = tile.detail_tris[int(d['tri_base']):int(d['tri_base']) + int(d['tri_count']), :3]
                    out.append(points[tris.astype(np.int64)])
                else:
                    out.append(own[np.array([[0, j - 1, j] for j in range(2, len(own))])])
        return out

    # -- points and polygons -------------------------------------------------------------------------------

    def poly_height(self, p, pos):
        """Height of the detail surface under pos, None when pos is not over the polygon."""
        if not _point_in_polygon(pos, self._corner_tuples[p]):
            return None
        for tri in self._detail[p]:
            h = _height_in_triangle(pos, tri[0], tri[1], tri[2])
            if h is not None:
                return h
        return self._closest_on_edges(p, pos)[1]

    def _closest_on_edges(self, p, pos):
        verts = self._corner_tuples[p]
        best, best_d = None, math.inf
        for i, a in enumerate(verts):
            b = verts[i - 1]
            d, t = _dist_pt_seg_2d(pos, b, a)
            if d < best_d:
                best_d, best = d, _lerp(b, a, t)
        return np.array(best)

    def closest_point_on_poly(self, p, pos):
        """(closest point, whether pos is over the polygon), as dtNavMesh::closestPointOnPoly."""
        h = self.poly_height(p, pos)
        if h is not None:
            return np.array([pos[0], h, pos[2]]), True
        return self._closest_on_edges(p, pos), False

    def closest_point_on_boundary(self, p, pos):
        """dtNavMeshQuery::closestPointOnPolyBoundary: pos itself when inside, else the nearest edge point."""
        if _point_in_polygon(pos, self._corner_tuples[p]):
            return np.array(pos, dtype=np.float64)
        return self._closest_on_edges(p, pos)

    def find_nearest_poly(self, center, half_extents, query_filter):
        """(polygon, nearest point) in the box round center, or (-1, None); a polygon right under or over
        center within the climb height wins over a nearer one beside it."""
        center = np.asarray(center, dtype=np.float64)
        lo = center - half_extents
        hi = center + half_extents
        near = np.flatnonzero(np.all(self.bmin <= hi, axis=1) & np.all(self.bmax >= lo, axis=1))
        best, best_point, best_d = -1, None, math.inf
        for p in near:
            if not query_filter.passes(int(self.flags[p])):
                continue
            point, over = self.closest_point_on_poly(p, center)
            if over:
                d = abs(center[1] - point[1]) - self.walkable_climb
                d = d * d if d > 0 else 0.0
            else:
                d = float(np.sum((center - point) ** 2))
            if d < best_d:
                best, best_point, best_d = int(p), point, d
        return best, best_point

    def neighbours(self, p, query_filter):
        for edge, q, left, right in self.links[p]:
            if query_filter.passes(int(self.flags[q])):
                yield edge, q, left, right

    def portal(self, p, q):
        for _, neighbour, left, right in self.links[p]:
            if neighbour == q:
                return left, right
        return None

    # -- paths ---------------------------------------------------------------------------------------------

    def find_path(self, start, end, start_pos, end_pos, query_filter, max_path=256):
        """dtNavMeshQuery::findPath: A* between polygons through edge midpoints; a partial path ends at the
        polygon nearest the goal. Returns the polygon list (at most max_path, from the start)."""
        if start == end:
            return [start]
        end_pos = np.asarray(end_pos, dtype=np.float64)
        nodes = {start: [np.asarray(start_pos, dtype=np.float64), 0.0, 0.0, -1, True]}   # pos, cost, total, parent, open
        nodes[start][2] = _dist(start_pos, end_pos) * H_SCALE
        heap = [(nodes[start][2], 0, start)]
        counter = 1
        last_best, last_best_cost = start, nodes[start][2]
        closed = set()
        while heap:
            total, _, best = heapq.heappop(heap)
            node = nodes[best]
            if best in closed or total != node[2]:
                continue
            closed.add(best)
            node[4] = False
            if best == end:
                last_best = best
                break
            parent = node[3]
            for _, q, left, right in self.neighbours(best, query_filter):
                if q == parent:
                    continue
                known = nodes.get(q)
                if known is None and len(nodes) >= MAX_SEARCH_NODES:
                    continue
                pos = known[0] if known is not None else _lerp(left, right, 0.5)
                cost = node[1] + _dist(node[0], pos) * query_filter.area_cost[self.areas[best]]
                if q == end:
                    cost += _dist(pos, end_pos) * query_filter.area_cost[self.areas[q]]
                    heuristic = 0.0
                else:
                    heuristic = _dist(pos, end_pos) * H_SCALE
                new_total = cost + heuristic
                if known is not None and new_total >= known[2]:
                    continue
                nodes[q] = [pos, cost, new_total, best, True]
                closed.discard(q)
                heapq.heappush(heap, (new_total, counter, q))
                counter += 1
                if heuristic < last_best_cost:
                    last_best_cost, last_best = heuristic, q
        path = []
        p = last_best
        while p != -1:
            path.append(p)
            p = nodes[p][3]
        path.reverse()
        return path[:max_path]

    def find_straight_path(self, start_pos, end_pos, path, max_points=256, area_crossings=False):
        """dtNavMeshQuery::findStraightPath (the funnel): [(point, flags, polygon entered or -1)]."""
        out = []
        if not path:
            return out
        start = tuple(float(v) for v in self.closest_point_on_boundary(path[0], start_pos))
        end = tuple(float(v) for v in self.closest_point_on_boundary(path[-1], end_pos))
        if _append(out, start, STRAIGHTPATH_START, path[0], max_points):
            return out
        if len(path) > 1:
            apex = left_pt = right_pt = start
            apex_i = left_i = right_i = 0
            left_poly = right_poly = path[0]
            i = 0
            while i < len(path):
                if i + 1 < len(path):
                    portal = self.portal(path[i], path[i + 1])
                    if portal is None:
                        end = tuple(float(v) for v in self.closest_point_on_boundary(path[i], end_pos))
                        if area_crossings:
                            self._append_portals(out, apex_i, i, end, path, max_points)
                        _append(out, end, 0, path[i], max_points)
                        return out
                    left, right = portal
                    if i == 0 and _dist_pt_seg_2d(apex, left, right)[0] < 0.001 ** 2:
                        i += 1
                        continue
                else:
                    left = right = end
                corner = None              # the funnel side that becomes the new apex, if one does
                if _tri_area_2d(apex, right_pt, right) <= 0.0:
                    if _vequal(apex, right_pt) or _tri_area_2d(apex, left_pt, right) > 0.0:
                        right_pt = right
                        right_poly = path[i + 1] if i + 1 < len(path) else -1
                        right_i = i
                    else:
                        corner = left_pt, left_i, left_poly
                if corner is None and _tri_area_2d(apex, left_pt, left) >= 0.0:
                    if _vequal(apex, left_pt) or _tri_area_2d(apex, right_pt, left) < 0.0:
                        left_pt = left
                        left_poly = path[i + 1] if i + 1 < len(path) else -1
                        left_i = i
                    else:
                        corner = right_pt, right_i, right_poly
                if corner is None:
                    i += 1
                    continue
                corner_pt, corner_i, corner_poly = corner
                if area_crossings and self._append_portals(out, apex_i, corner_i, corner_pt, path, max_points):
                    return out
                flags = STRAIGHTPATH_END if corner_poly == -1 else 0
                if _append(out, corner_pt, flags, corner_poly, max_points):
                    return out
                apex = left_pt = right_pt = corner_pt
                apex_i = left_i = right_i = corner_i
                i = apex_i + 1
            if area_crossings and self._append_portals(out, apex_i, len(path) - 1, end, path, max_points):
                return out
        _append(out, end, STRAIGHTPATH_END, -1, max_points)
        return out

    def _append_portals(self, out, start_i, end_i, end_pos, path, max_points):
        """Points where the straight segment from the last point crosses into another area; True when full."""
        start_pos = out[-1][0]
        for i in range(start_i, end_i):
            portal = self.portal(path[i], path[i + 1])
            if portal is None:
                break
            if self.areas[path[i]] == self.areas[path[i + 1]]:
                continue
            left, right = portal
            hit = _intersect_seg_seg_2d(start_pos, end_pos, left, right)
            if hit is not None:
                if _append(out, _lerp(left, right, hit), 0, path[i + 1], max_points):
                    return True
        return False

    def move_along_surface(self, start, start_pos, end_pos, query_filter, max_visited=16):
        """dtNavMeshQuery::moveAlongSurface: (reachable point nearest end_pos, visited polygons from start)."""
        start_pos = tuple(float(v) for v in start_pos)
        end_pos = tuple(float(v) for v in end_pos)
        parent = {start: -1}
        stack = [start]
        best_pos, best_dist, best_node = start_pos, math.inf, -1
        search_pos = _lerp(start_pos, end_pos, 0.5)
        search_rad2 = (_dist(start_pos, end_pos) / 2.0 + 0.001) ** 2
        while stack:
            cur = stack.pop(0)
            verts = self._corner_tuples[cur]
            if _point_in_polygon(end_pos, verts):
                best_node, best_pos = cur, end_pos
                break
            n = len(verts)
            edge_neighbours = {}
            for edge, q, _, _ in self.neighbours(cur, query_filter):
                edge_neighbours.setdefault(edge, []).append(q)
            for i in range(n):
                j = (i - 1) % n
                vj, vi = verts[j], verts[i]
                neis = edge_neighbours.get(j, ())
                if not neis:
                    d, t = _dist_pt_seg_2d(end_pos, vj, vi)
                    if d < best_dist:
                        best_pos, best_dist, best_node = _lerp(vj, vi, t), d, cur
                    continue
                for q in neis:
                    if q in parent:
                        continue
                    if _dist_pt_seg_2d(search_pos, vj, vi)[0] > search_rad2:
                        continue
                    if len(stack) < MOVE_MAX_STACK:
                        parent[q] = cur
                        stack.append(q)
        visited = []
        node = best_node
        while node != -1:
            visited.append(node)
            node = parent[node]
        visited.reverse()
        return np.array(best_pos), visited[:max_visited]

    # -- random points -------------------------------------------------------------------------------------

    def find_random_point(self, query_filter, frand, frands):
        """dtNavMeshQuery::findRandomPoint in single precision: a tile, then a polygon weighted by area
        (reservoir sampling, one draw per polygon that passes the filter), then a point in it.
        ``frand()`` draws one number, ``frands(n)`` n of them. Returns (polygon, point) or (-1, None)
        where Detour fails."""
        tile = -1
        tile_sum = _F32(0.0)
        for t in range(len(self.tiles)):
            tile_sum = _F32(tile_sum + _F32(1.0))
            if frand() * tile_sum <= _F32(1.0):
                tile = t
        if tile < 0:
            return -1, None
        base = self.tile_poly_base[tile]
        count = len(self.tiles[tile].polys)
        polys = np.arange(base, base + count)
        passing = polys[(self.types[polys] == detour.POLYTYPE_GROUND)
                        & ((self.flags[polys] & query_filter.include) != 0)
                        & ((self.flags[polys] & query_filter.exclude) == 0)]
        chosen = -1
        if len(passing):
            poly_areas = self._poly_areas32(passing)
            area_sums = np.add.accumulate(poly_areas, dtype=np.float32)
            hits = np.flatnonzero(frands(len(passing)) * area_sums <= poly_areas)
            if len(hits):
                chosen = int(passing[hits[-1]])      # the last polygon a draw picks is the one kept
        if chosen < 0:
            return -1, None
        s, t = frand(), frand()
        point = _random_point_in_convex_poly(self.verts32[self.corners[chosen, :self.counts[chosen]]], s, t)
        h = self._poly_height32(chosen, point)
        if h is None:
            return -1, None
        return chosen, np.array([point[0], h, point[2]], dtype=np.float64)

    def _poly_areas32(self, polys):
        """Per polygon the sum of its fan triangles' dtTriArea2D, accumulated in single precision."""
        total = np.zeros(len(polys), np.float32)
        v = self.verts32
        a = v[self.corners[polys, 0]]
        for j in range(2, 6):
            has = self.counts[polys] > j
            if not has.any():
                break
            b = v[self.corners[polys, j - 1]]
            c = v[self.corners[polys, j]]
            area = (c[:, 0] - a[:, 0]) * (b[:, 2] - a[:, 2]) - (b[:, 0] - a[:, 0]) * (c[:, 2] - a[:, 2])
            total = np.where(has, (total + area).astype(np.float32), total)
        return total

    def _poly_height32(self, p, point):
        """dtNavMesh::getPolyHeight in single precision (None when the point is not in the polygon)."""
        verts = self.verts32[self.corners[p, :self.counts[p]]]
        if not _point_in_polygon(point, verts, float32=True):
            return None
        for tri in self._detail32[p]:
            h = _height_in_triangle32(point, tri[0], tri[1], tri[2])
            if h is not None:
                return float(h)
        return float(self._closest_on_edges(p, point.astype(np.float64))[1])


# -- geometry helpers (Detour's DetourCommon) ----------------------------------------------------------------

def _dist(a, b):
    return float(math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2))


def _vequal(a, b):
    """dtVequal: closer than 1/16384 m."""
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2 < (1.0 / 16384.0) ** 2


def _lerp(a, b, t):
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def _tri_area_2d(a, b, c):
    return (c[0] - a[0]) * (b[2] - a[2]) - (b[0] - a[0]) * (c[2] - a[2])


def _append(out, pos, flags, poly, max_points):
    """appendVertex; True when the path is complete (full, or the end was appended)."""
    if out and _vequal(out[-1][0], pos):
        out[-1] = (out[-1][0], flags, poly)
        return False
    out.append((np.array(pos, dtype=np.float64), flags, poly))
    return len(out) >= max_points or flags == STRAIGHTPATH_END


def _point_in_polygon(pt, verts, float32=False):
    """Crossing test in the x-z plane; ``float32`` rounds each crossing's x to float32 first (the
    callers that mirror Detour code working in single precision)."""
    inside = False
    n = len(verts)
    j = n - 1
    for i in range(n):
        vi, vj = verts[i], verts[j]
        if (vi[2] > pt[2]) != (vj[2] > pt[2]):
            x = (vj[0] - vi[0]) * (pt[2] - vi[2]) / (vj[2] - vi[2]) + vi[0]
            if pt[0] < (np.float32(x) if float32 else x):
                inside = not inside
        j = i
    return inside


def _dist_pt_seg_2d(pt, p, q):
    """(squared 2D distance from pt to segment pq, parameter of the closest point)."""
    pqx, pqz = q[0] - p[0], q[2] - p[2]
    dx, dz = pt[0] - p[0], pt[2] - p[2]
    d = pqx * pqx + pqz * pqz
    t = pqx * dx + pqz * dz
    if d > 0:
        t /= d
    t = min(max(t, 0.0), 1.0)
    dx = p[0] + t * pqx - pt[0]
    dz = p[2] + t * pqz - pt[2]
    return dx * dx + dz * dz, t


def _height_in_triangle(p, a, b, c):
    v0, v1, v2 = c - a, b - a, np.asarray(p, dtype=np.float64) - a
    denom = v0[0] * v1[2] - v0[2] * v1[0]
    if abs(denom) < 1e-6:
        return None
    u = v1[2] * v2[0] - v1[0] * v2[2]
    v = v0[0] * v2[2] - v0[2] * v2[0]
    if denom < 0:
        denom, u, v = -denom, -u, -v
    if u >= 0.0 and v >= 0.0 and (u + v) <= denom:
        return float(a[1] + (v0[1] * u + v1[1] * v) / denom)
    return None


def _height_in_triangle32(p, a, b, c):
    """dtClosestHeightPointTriangle in single precision."""
    v0, v1, v2 = (c - a).astype(_F32), (b - a).astype(_F32), (p - a).astype(_F32)
    denom = _F32(v0[0] * v1[2] - v0[2] * v1[0])
    if abs(denom) < _F32(1e-6):
        return None
    u = _F32(v1[2] * v2[0] - v1[0] * v2[2])
    v = _F32(v0[0] * v2[2] - v0[2] * v2[0])
    if denom < 0:
        denom, u, v = -denom, -u, -v
    if u >= 0 and v >= 0 and _F32(u + v) <= denom:
        return _F32(a[1] + _F32(_F32(v0[1] * u) + _F32(v1[1] * v)) / denom)
    return None


def _random_point_in_convex_poly(pts, s, t):
    """dtRandomPointInConvexPoly in single precision: a fan triangle by area, then a point in it."""
    n = len(pts)
    areas = np.zeros(n, _F32)
    area_sum = _F32(0.0)
    for i in range(2, n):
        areas[i] = _F32(_tri_area_2d(pts[0], pts[i - 1], pts[i]))
        area_sum = _F32(area_sum + max(_F32(0.001), areas[i]))
    thr = _F32(s * area_sum)
    acc = _F32(0.0)
    u = _F32(1.0)
    tri = n - 1
    for i in range(2, n):
        dacc = areas[i]
        if thr >= acc and thr < _F32(acc + dacc):
            u = _F32((thr - acc) / dacc)
            tri = i
            break
        acc = _F32(acc + dacc)
    v = np.sqrt(_F32(t))
    a = _F32(1) - v
    b = _F32((_F32(1) - u) * v)
    c = _F32(u * v)
    pa, pb, pc = pts[0], pts[tri - 1], pts[tri]
    return (a * pa + b * pb + c * pc).astype(_F32)


def _intersect_seg_seg_2d(ap, aq, bp, bq):
    """Parameter along bp-bq where segment ap-aq crosses it (dtIntersectSegSeg2D), or None."""
    ux, uz = aq[0] - ap[0], aq[2] - ap[2]
    vx, vz = bq[0] - bp[0], bq[2] - bp[2]
    wx, wz = ap[0] - bp[0], ap[2] - bp[2]
    d = ux * vz - uz * vx
    if abs(d) < 1e-6:
        return None
    s = (vx * wz - vz * wx) / d
    t = (ux * wz - uz * wx) / d
    return t if 0.0 <= s <= 1.0 and 0.0 <= t <= 1.0 else None
