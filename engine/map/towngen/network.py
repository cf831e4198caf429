"""A road network being built: roads, junctions, signals and controllers, with link helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from .lanes import CrossSection, LaneSpec, Mark, lanes_of
from .plan import Piece, Pose


@dataclass(frozen=True)
class Link:
    """A road's predecessor/successor: ``Link("road", 7, "start")`` or ``Link("junction", 3)``."""

    element_type: str
    element_id: int
    contact_point: str | None = None


@dataclass(frozen=True)
class SignalSpec:
    id: str
    s: float
    t: float
    orientation: str  # "+": for traffic along s, "-": against it
    validity: tuple[int, int]
    type: str = "1000001"  # a traffic light with three lamps
    name: str = "Signal_3Light_Post01"
    dynamic: str = "yes"
    subtype: str = "-1"
    value: float = -1.0
    height: float = 3.5
    width: float = 0.5
    z_offset: float = 0.0


@dataclass(frozen=True)
class CrosswalkSpec:
    """A crosswalk outline: corners (u along the road, v to its left) around the point at s on the
    reference line."""

    id: str
    s: float
    corners: tuple[tuple[float, float], ...]
    length: float
    width: float


@dataclass
class RoadSpec:
    id: int
    pieces: list[Piece]
    lanes: list[LaneSpec]
    centre_marks: tuple[Mark, ...]
    junction: int = -1
    name: str = ""
    predecessor: Link | None = None
    successor: Link | None = None
    speed_kmh: float | None = None
    signals: list[SignalSpec] = field(default_factory=list)
    crosswalks: list[CrosswalkSpec] = field(default_factory=list)
    # Elevation records (s, a, b, c, d); none means a flat road at z = 0.
    elevation: tuple[tuple[float, float, float, float, float], ...] = ()
    road_type: str = "town"

    @property
    def length(self) -> float:
        return sum(piece.length for piece in self.pieces)

    @property
    def start(self) -> Pose:
        return self.pieces[0].start

    @property
    def end(self) -> Pose:
        return self.pieces[-1].end

    def pose_at(self, contact: str) -> Pose:
        return self.start if contact == "start" else self.end

    def pose_at_s(self, s: float) -> Pose:
        """Reference-line pose at road offset ``s`` (clamped to the road)."""
        for piece in self.pieces:
            if s <= piece.length:
                return piece.at(max(s, 0.0))
            s -= piece.length
        return self.end

    def lane(self, lane_id: int) -> LaneSpec:
        for lane in self.lanes:
            if lane.id == lane_id:
                return lane
        raise KeyError(f"road {self.id} has no lane {lane_id}")

    def set_lane(self, lane: LaneSpec) -> None:
        self.lanes = [lane if existing.id == lane.id else existing for existing in self.lanes]

    def half_width(self, side: int) -> float:
        return sum(lane.width for lane in self.lanes if lane.id * side > 0)


@dataclass(frozen=True)
class ConnectionSpec:
    incoming_road: int
    connecting_road: int
    contact_point: str
    lane_links: tuple[tuple[int, int], ...]


@dataclass
class JunctionSpec:
    id: int
    name: str
    connections: list[ConnectionSpec] = field(default_factory=list)
    controllers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ControllerSpec:
    id: str
    name: str
    signal_ids: tuple[str, ...]


class Network:
    """Holds what a town is made of; roads and junctions share one id counter, as map editors do."""

    def __init__(self) -> None:
        self.roads: dict[int, RoadSpec] = {}
        self.junctions: dict[int, JunctionSpec] = {}
        self.controllers: list[ControllerSpec] = []
        self._next_id = 0
        self._next_signal_id = 1000
        self._next_object_id = 1

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def new_object_id(self) -> str:
        self._next_object_id += 1
        return str(self._next_object_id - 1)

    def new_signal_id(self) -> str:
        self._next_signal_id += 1
        return str(self._next_signal_id - 1)

    def add_road(
        self,
        pieces: list[Piece],
        section: CrossSection,
        *,
        speed_kmh: float | None = 30.0,
        centre_marks: tuple[Mark, ...] | None = None,
    ) -> RoadSpec:
        road_id = self.new_id()
        road = RoadSpec(
            id=road_id,
            pieces=list(pieces),
            lanes=lanes_of(section),
            centre_marks=centre_marks if centre_marks is not None else section.centre_marks,
            name=f"Road {road_id}",
            speed_kmh=speed_kmh,
        )
        self.roads[road_id] = road
        return road

    def new_junction(self) -> JunctionSpec:
        junction_id = self.new_id()
        junction = JunctionSpec(junction_id, f"Junction {junction_id}")
        self.junctions[junction_id] = junction
        return junction

    def link_roads(self, first: RoadSpec, first_contact: str, second: RoadSpec, second_contact: str) -> None:
        """Join two roads end to end (contacts "start"/"end"), with lane links for lanes both have."""
        for road, contact, other, other_contact in (
            (first, first_contact, second, second_contact),
            (second, second_contact, first, first_contact),
        ):
            link = Link("road", other.id, other_contact)
            if contact == "start":
                road.predecessor = link
            else:
                road.successor = link
            # Facing contacts (start-start, end-end) reverse the direction of s, so lane ids flip sign.
            flip = -1 if contact == other_contact else 1
            other_ids = {lane.id for lane in other.lanes}
            for lane in list(road.lanes):
                target = flip * lane.id
                if target not in other_ids:
                    continue
                if contact == "start":
                    road.set_lane(replace(lane, predecessor=target))
                else:
                    road.set_lane(replace(lane, successor=target))

    def bounds(self) -> tuple[float, float, float, float]:
        """(north, south, east, west) of all reference lines, padded by the widest road side."""
        xs, ys, pad = [], [], 0.0
        for road in self.roads.values():
            for piece in road.pieces:
                for i in range(9):
                    p = piece.at(piece.length * i / 8.0)
                    xs.append(p.x)
                    ys.append(p.y)
            pad = max(pad, road.half_width(1), road.half_width(-1))
        return max(ys) + pad, min(ys) - pad, max(xs) + pad, min(xs) - pad


def apply_elevation(network: Network, height, step: float = 40.0) -> None:
    """Give every road an elevation profile following ``height(x, y)`` (OpenDRIVE coordinates).

    Each road is cut into pieces of at most ``step`` metres; on each a cubic matches the height and
    its slope along the road at both ends, so roads meeting at a point share height and slope there.
    """
    delta = 0.5

    def sample(road: RoadSpec, s: float) -> tuple[float, float]:
        pose = road.pose_at_s(s)
        ahead, behind = pose.advanced(delta), pose.advanced(-delta)
        slope = (height(ahead.x, ahead.y) - height(behind.x, behind.y)) / (2.0 * delta)
        return height(pose.x, pose.y), slope

    for road in network.roads.values():
        count = max(1, math.ceil(road.length / step))
        stations = [road.length * i / count for i in range(count + 1)]
        values = [sample(road, s) for s in stations]
        records = []
        for (s0, (z0, m0)), (s1, (z1, m1)) in zip(zip(stations, values), zip(stations[1:], values[1:])):
            h = s1 - s0
            c = (3.0 * (z1 - z0) / h - 2.0 * m0 - m1) / h
            d = (m0 + m1 - 2.0 * (z1 - z0) / h) / (h * h)
            records.append((s0, z0, m0, c, d))
        road.elevation = tuple(records)


def heading_into(road: RoadSpec, contact: str) -> float:
    """Heading at one end of a road that points along the road's body (away from what it touches)."""
    pose = road.pose_at(contact)
    return pose.hdg if contact == "start" else math.atan2(-math.sin(pose.hdg), -math.cos(pose.hdg))
