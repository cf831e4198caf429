"""Lane cross-sections: lane types, widths and road marks of one side of a road."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mark:
    """A roadMark on a lane's outer border (the centre lane's mark is the road's centre line)."""

    type: str = "none"  # solid, broken, curb, none, ...
    color: str = "white"
    width: float = 0.0
    s_offset: float = 0.0

    @property
    def lane_change(self) -> str:
        return "both" if self.type == "broken" else "none"


NO_MARK = Mark()
EDGE_LINE = Mark("solid", "white", 0.15)
CURB = Mark("curb", "white", 0.15)
CENTRE_BROKEN = Mark("broken", "yellow", 0.15)
CENTRE_SOLID = Mark("solid", "yellow", 0.15)


@dataclass(frozen=True)
class LaneKind:
    """One lane of a side, counted from the centre outwards."""

    type: str
    width: float
    mark: Mark = NO_MARK


@dataclass(frozen=True)
class LaneSpec:
    """A lane as written: id, kind, road marks and the lane ids it links to in neighbour roads."""

    id: int
    type: str
    width: float
    marks: tuple[Mark, ...] = (NO_MARK,)
    predecessor: int | None = None
    successor: int | None = None
    width_end: float | None = None    # a lane that widens or narrows smoothly to this width; None: constant


@dataclass(frozen=True)
class CrossSection:
    """Lanes on each side of the reference line, innermost first (left ids 1, 2, ...; right -1, -2, ...)."""

    right: tuple[LaneKind, ...]
    left: tuple[LaneKind, ...] = ()
    centre_marks: tuple[Mark, ...] = field(default=(NO_MARK,))

    def half_width(self, side: str = "right") -> float:
        return sum(lane.width for lane in (self.right if side == "right" else self.left))

    def lane_id_of_type(self, lane_type: str, side: int = -1) -> int:
        lanes = self.right if side < 0 else self.left
        for index, lane in enumerate(lanes, start=1):
            if lane.type == lane_type:
                return side * index
        raise KeyError(f"no {lane_type} lane on side {side}")


def urban_side(driving: float = 3.5, shoulder: float = 0.5, sidewalk: float = 2.5) -> tuple[LaneKind, ...]:
    """Driving lane, a shoulder ending in a curb, then a sidewalk."""
    side = [LaneKind("driving", driving, EDGE_LINE)]
    if shoulder > 0.0:
        side.append(LaneKind("shoulder", shoulder, CURB))
    if sidewalk > 0.0:
        side.append(LaneKind("sidewalk", sidewalk, NO_MARK))
    return tuple(side)


def two_lane_urban(driving: float = 3.5, shoulder: float = 0.5, sidewalk: float = 2.5) -> CrossSection:
    """One driving lane each way with sidewalks on both sides."""
    side = urban_side(driving, shoulder, sidewalk)
    return CrossSection(right=side, left=side, centre_marks=(CENTRE_BROKEN,))


def centre_marks_for(length: float, solid_start: float, solid_end: float) -> tuple[Mark, ...]:
    """Broken centre line with solid stretches of the given lengths at each end (0: none)."""
    marks: list[Mark] = []
    if solid_start > 0.0:
        marks.append(CENTRE_SOLID)
    broken_from = solid_start
    broken_to = length - solid_end
    if broken_to - broken_from > 1.0:
        marks.append(Mark(CENTRE_BROKEN.type, CENTRE_BROKEN.color, CENTRE_BROKEN.width, broken_from))
        if solid_end > 0.0:
            marks.append(Mark(CENTRE_SOLID.type, CENTRE_SOLID.color, CENTRE_SOLID.width, broken_to))
    elif not marks:
        marks.append(CENTRE_SOLID if solid_end > 0.0 else CENTRE_BROKEN)
    return tuple(marks)


def lanes_of(section: CrossSection) -> list[LaneSpec]:
    """LaneSpecs of a cross-section without links."""
    lanes = []
    for sign, side in ((1, section.left), (-1, section.right)):
        for index, kind in enumerate(side, start=1):
            lanes.append(LaneSpec(sign * index, kind.type, kind.width, (kind.mark,)))
    return lanes


LANE_DIVIDER = Mark("broken", "white", 0.15)


def multi_lane_side(lanes: int, driving: float = 3.5, shoulder: float = 0.5, sidewalk: float = 2.5,
                    shoulder_mark: Mark = CURB) -> tuple[LaneKind, ...]:
    """``lanes`` driving lanes (broken white between them, a solid edge line outside), then a
    shoulder and an optional sidewalk."""
    side = [LaneKind("driving", driving, LANE_DIVIDER) for _ in range(lanes - 1)]
    side.append(LaneKind("driving", driving, EDGE_LINE))
    if shoulder > 0.0:
        side.append(LaneKind("shoulder", shoulder, shoulder_mark if sidewalk > 0.0 else NO_MARK))
    if sidewalk > 0.0:
        side.append(LaneKind("sidewalk", sidewalk, NO_MARK))
    return tuple(side)


def multi_lane_urban(lanes: int = 2, driving: float = 3.5) -> CrossSection:
    """An avenue: ``lanes`` driving lanes each way, solid double-duty centre line, sidewalks."""
    side = multi_lane_side(lanes, driving)
    return CrossSection(right=side, left=side, centre_marks=(CENTRE_SOLID,))


def highway(lanes: int = 3, driving: float = 3.75, shoulder: float = 2.5) -> CrossSection:
    """A highway: ``lanes`` lanes each way and a paved shoulder, no sidewalks."""
    side = multi_lane_side(lanes, driving, shoulder, sidewalk=0.0)
    return CrossSection(right=side, left=side, centre_marks=(CENTRE_SOLID,))


def one_way(lanes: int, driving: float = 3.5, shoulder: float = 0.5, sidewalk: float = 2.5) -> CrossSection:
    """Lanes on the right of the reference line only (traffic along s)."""
    return CrossSection(right=multi_lane_side(lanes, driving, shoulder, sidewalk), left=(), centre_marks=(EDGE_LINE,))


def rural(driving: float = 3.0, shoulder: float = 1.0) -> CrossSection:
    """A narrow country road: one lane each way and a grass-edged shoulder, no sidewalks."""
    side = (LaneKind("driving", driving, EDGE_LINE), LaneKind("shoulder", shoulder, NO_MARK))
    return CrossSection(right=side, left=side, centre_marks=(CENTRE_BROKEN,))
