"""The parsed OpenDRIVE document: header, roads, lanes, junctions, signals, controllers.

Evaluation (reference line, lane centres) lives on :class:`Road`; everything is in OpenDRIVE
coordinates (x east, y north, z up, heading counter-clockwise from +x, radians).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .cubic import PiecewiseCubic
from .geometry import PlanView


@dataclass(frozen=True)
class GeoReference:
    """Latitude, longitude and altitude of the map origin, from the header's PROJ string."""

    latitude: float = 0.0
    longitude: float = 0.0
    altitude: float = 0.0


@dataclass(frozen=True)
class Header:
    rev_major: int = 1
    rev_minor: int = 4
    name: str = ""
    version: str = ""
    date: str = ""
    north: float = 0.0
    south: float = 0.0
    east: float = 0.0
    west: float = 0.0
    vendor: str = ""
    geo_reference_text: str = ""
    geo_reference: GeoReference = GeoReference()


@dataclass(frozen=True)
class RoadLink:
    """A road's predecessor or successor: another road (with its contact point) or a junction."""

    element_type: str  # "road" or "junction"
    element_id: int
    contact_point: Optional[str] = None  # "start" / "end" for roads


@dataclass(frozen=True)
class RoadMark:
    s_offset: float
    type: str = "none"
    color: str = "standard"
    width: float = 0.0
    lane_change: str = ""
    material: str = "standard"


@dataclass
class Lane:
    id: int
    type: str
    level: bool = False
    width: PiecewiseCubic = field(default_factory=PiecewiseCubic)
    road_marks: tuple[RoadMark, ...] = ()
    predecessors: tuple[int, ...] = ()
    successors: tuple[int, ...] = ()
    speed_max: Optional[float] = None  # metres per second


@dataclass
class LaneSection:
    s: float
    lanes: dict[int, Lane]  # by id; 0 is the centre lane
    end_s: float = 0.0

    @property
    def left_ids(self) -> list[int]:
        return sorted(i for i in self.lanes if i > 0)

    @property
    def right_ids(self) -> list[int]:
        return sorted((i for i in self.lanes if i < 0), reverse=True)

    def lane_borders(self, lane_id: int, s) -> tuple[np.ndarray, np.ndarray]:
        """Inner and outer border offsets (t, without the road's lane offset) of a lane at road offsets s."""
        if lane_id not in self.lanes or lane_id == 0:
            raise KeyError(f"lane {lane_id} is not in the lane section at s={self.s}")
        s = np.asarray(s, dtype=np.float64)
        ds = s - self.s
        sign = 1.0 if lane_id > 0 else -1.0
        inner = np.zeros_like(s)
        for step in range(1, abs(lane_id)):
            inner = inner + self.lanes[int(sign) * step].width(ds)
        outer = inner + self.lanes[lane_id].width(ds)
        return sign * inner, sign * outer


@dataclass(frozen=True)
class Signal:
    id: str
    s: float
    t: float
    name: str = ""
    dynamic: str = "no"
    orientation: str = "+"
    z_offset: float = 0.0
    country: str = ""
    type: str = ""
    subtype: str = ""
    value: float = 0.0
    unit: str = ""
    height: float = 0.0
    width: float = 0.0
    text: str = ""
    h_offset: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    validities: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class RoadObject:
    """A road ``<object>`` (crosswalk, parking space, pole, ...), placed at (s, t) of its road.

    ``corners_local`` are ``<cornerLocal>`` (u, v, z) points of its outline, in the frame at (s, t)
    turned by the road's heading plus ``hdg``; ``corners_road`` are ``<cornerRoad>`` (s, t, dz) points.
    """

    id: str
    type: str
    s: float
    t: float
    name: str = ""
    z_offset: float = 0.0
    hdg: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    orientation: str = "none"
    length: float = 0.0
    width: float = 0.0
    height: float = 0.0
    corners_local: tuple[tuple[float, float, float], ...] = ()
    corners_road: tuple[tuple[float, float, float], ...] = ()


@dataclass
class Road:
    id: int
    name: str
    length: float
    junction: int  # -1 outside junctions
    plan_view: PlanView
    lane_sections: list[LaneSection]
    predecessor: Optional[RoadLink] = None
    successor: Optional[RoadLink] = None
    elevation: PiecewiseCubic = field(default_factory=PiecewiseCubic)
    # Roll of the cross-section about the reference line, radians; positive lowers the right (t < 0) side.
    superelevation: PiecewiseCubic = field(default_factory=PiecewiseCubic)
    lane_offset: PiecewiseCubic = field(default_factory=PiecewiseCubic)
    speed_max: Optional[float] = None  # metres per second, from the road <type>
    signals: list[Signal] = field(default_factory=list)
    objects: list[RoadObject] = field(default_factory=list)

    @property
    def is_junction(self) -> bool:
        return self.junction != -1

    def lane_section_index(self, s) -> np.ndarray:
        starts = np.array([section.s for section in self.lane_sections])
        index = np.searchsorted(starts, np.asarray(s, dtype=np.float64), side="right") - 1
        return np.clip(index, 0, len(self.lane_sections) - 1)

    def lane_section_at(self, s: float) -> LaneSection:
        return self.lane_sections[int(self.lane_section_index(s))]

    def reference_pose(self, s) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(x, y, z, heading)`` of the reference line at road offsets s."""
        x, y, heading = self.plan_view.evaluate(s)
        return x, y, self.elevation(s), heading

    def lane_t(self, lane_id: int, s, where: float = 0.5) -> np.ndarray:
        """Lateral offset t of a lane at road offsets s; the lane must exist in every section s falls in.

        ``where`` picks the point across the lane: 0 the inner border, 0.5 the centre, 1 the outer border.
        """
        s = np.asarray(s, dtype=np.float64)
        index = self.lane_section_index(s)
        across = np.empty_like(s)
        for i in np.unique(index):
            mask = index == i
            inner, outer = self.lane_sections[int(i)].lane_borders(lane_id, s[mask])
            across[mask] = inner + where * (outer - inner)
        return self.lane_offset(s) + across

    def lane_point(self, lane_id: int, s, where: float = 0.5):
        """``(x, y, z, heading)`` of a point across a lane at road offsets s.

        The heading is the reference line's; traffic on lanes with positive ids drives against it.
        The cross-section is flat (superelevation is not applied).
        """
        x, y, z, heading = self.reference_pose(s)
        t = self.lane_t(lane_id, s, where)
        return x - np.sin(heading) * t, y + np.cos(heading) * t, z, heading

    def lane_center(self, lane_id: int, s):
        """``(x, y, z, heading)`` of a lane's centre line at road offsets s."""
        return self.lane_point(lane_id, s, 0.5)


@dataclass(frozen=True)
class Connection:
    id: int
    incoming_road: int
    connecting_road: int
    contact_point: str
    lane_links: tuple[tuple[int, int], ...] = ()


@dataclass
class Junction:
    id: int
    name: str
    connections: list[Connection] = field(default_factory=list)
    controllers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Controller:
    id: str
    name: str = ""
    sequence: int = 0
    signal_ids: tuple[str, ...] = ()


@dataclass
class OpenDrive:
    header: Header
    roads: dict[int, Road]
    junctions: dict[int, Junction]
    controllers: dict[str, Controller] = field(default_factory=dict)

    def road(self, road_id: int) -> Road:
        try:
            return self.roads[road_id]
        except KeyError:
            raise KeyError(f"road {road_id} is not in the map") from None
