"""Serialise a :class:`Network` as OpenDRIVE 1.4 XML, byte-for-byte the same on every run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .lanes import LaneSpec, Mark
from .network import Link, Network, RoadSpec
from .plan import wrap_angle


@dataclass(frozen=True)
class HeaderSpec:
    name: str
    geo_reference: str
    date: str = "2024-01-01T00:00:00"
    vendor: str = "towngen"
    version: str = "1"


def num(value: float) -> str:
    """Shortest stable text for a number; rounding hides float noise such as 6e-17 for zero."""
    value = round(float(value), 9)
    if value == 0.0:
        return "0"
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _sub(parent: ET.Element, tag: str, **attributes) -> ET.Element:
    return ET.SubElement(parent, tag, {key: str(value) for key, value in attributes.items()})


def _zero_cubic(parent: ET.Element, tag: str, start_name: str = "s") -> None:
    _sub(parent, tag, **{start_name: "0", "a": "0", "b": "0", "c": "0", "d": "0"})


def write_xodr(network: Network, header: HeaderSpec) -> str:
    root = ET.Element("OpenDRIVE")
    north, south, east, west = network.bounds()
    head = _sub(
        root,
        "header",
        revMajor=1,
        revMinor=4,
        name=header.name,
        version=header.version,
        date=header.date,
        north=num(north),
        south=num(south),
        east=num(east),
        west=num(west),
        vendor=header.vendor,
    )
    ET.SubElement(head, "geoReference").text = header.geo_reference
    for road_id in sorted(network.roads):
        _write_road(root, network.roads[road_id])
    for controller in network.controllers:
        node = _sub(root, "controller", id=controller.id, name=controller.name, sequence=0)
        for signal_id in controller.signal_ids:
            _sub(node, "control", signalId=signal_id, type="0")
    for junction_id in sorted(network.junctions):
        junction = network.junctions[junction_id]
        node = _sub(root, "junction", id=junction.id, name=junction.name)
        for index, connection in enumerate(junction.connections):
            conn = _sub(
                node,
                "connection",
                id=index,
                incomingRoad=connection.incoming_road,
                connectingRoad=connection.connecting_road,
                contactPoint=connection.contact_point,
            )
            for lane_from, lane_to in connection.lane_links:
                _sub(conn, "laneLink", **{"from": lane_from, "to": lane_to})
        for controller_id in junction.controllers:
            _sub(node, "controller", id=controller_id, type="0")
    ET.indent(root, space="    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _link(parent: ET.Element, tag: str, link: Link) -> None:
    attributes = {"elementType": link.element_type, "elementId": link.element_id}
    if link.contact_point is not None:
        attributes["contactPoint"] = link.contact_point
    _sub(parent, tag, **attributes)


def _mark(parent: ET.Element, mark: Mark) -> None:
    attributes = {"sOffset": num(mark.s_offset), "type": mark.type, "material": "standard", "color": mark.color}
    if mark.width > 0.0:
        attributes["width"] = num(mark.width)
    attributes["laneChange"] = mark.lane_change
    _sub(parent, "roadMark", **attributes)


def _write_road(root: ET.Element, road: RoadSpec) -> None:
    node = _sub(root, "road", name=road.name, length=num(road.length), id=road.id, junction=road.junction)
    link = _sub(node, "link")
    if road.predecessor is not None:
        _link(link, "predecessor", road.predecessor)
    if road.successor is not None:
        _link(link, "successor", road.successor)
    if road.speed_kmh is not None:
        road_type = _sub(node, "type", s="0", type=road.road_type)
        _sub(road_type, "speed", max=num(road.speed_kmh), unit="km/h")

    plan = _sub(node, "planView")
    s = 0.0
    for piece in road.pieces:
        geometry = _sub(
            plan,
            "geometry",
            s=num(s),
            x=num(piece.start.x),
            y=num(piece.start.y),
            hdg=num(wrap_angle(piece.start.hdg)),
            length=num(piece.length),
        )
        if piece.is_spiral:
            _sub(geometry, "spiral", curvStart=num(piece.curvature), curvEnd=num(piece.curvature_end))
        elif piece.curvature == 0.0:
            _sub(geometry, "line")
        else:
            _sub(geometry, "arc", curvature=num(piece.curvature))
        s += piece.length

    profile = _sub(node, "elevationProfile")
    if road.elevation:
        for s0, a, b, c, d in road.elevation:
            _sub(profile, "elevation", s=num(s0), a=num(a), b=num(b), c=num(c), d=num(d))
    else:
        _zero_cubic(profile, "elevation")
    _sub(node, "lateralProfile")
    lanes = _sub(node, "lanes")
    _zero_cubic(lanes, "laneOffset")
    section = _sub(lanes, "laneSection", s="0")
    left = sorted((lane for lane in road.lanes if lane.id > 0), key=lambda lane: -lane.id)
    right = sorted((lane for lane in road.lanes if lane.id < 0), key=lambda lane: -lane.id)
    if left:
        side = _sub(section, "left")
        for lane in left:
            _write_lane(side, lane, road.length)
    centre = _sub(_sub(section, "center"), "lane", id=0, type="none", level="false")
    for mark in road.centre_marks:
        _mark(centre, mark)
    if right:
        side = _sub(section, "right")
        for lane in right:
            _write_lane(side, lane, road.length)

    if road.crosswalks:
        objects = _sub(node, "objects")
        for crosswalk in road.crosswalks:
            element = _sub(objects, "object", type="crosswalk", name="crosswalk", id=crosswalk.id,
                           s=num(crosswalk.s), t="0", zOffset="0", validLength="0", orientation="none",
                           length=num(crosswalk.length), width=num(crosswalk.width), height="0",
                           hdg="0", pitch="0", roll="0")
            outline = _sub(element, "outline")
            for u, v in crosswalk.corners + crosswalk.corners[:1]:     # closed, as CARLA's towns write it
                _sub(outline, "cornerLocal", u=num(u), v=num(v), z="0", height="0")
    if road.signals:
        signals = _sub(node, "signals")
        for signal in road.signals:
            element = _sub(
                signals,
                "signal",
                s=num(signal.s),
                t=num(signal.t),
                id=signal.id,
                name=signal.name,
                dynamic=signal.dynamic,
                orientation=signal.orientation,
                zOffset=num(signal.z_offset),
                type=signal.type,
                country="OpenDRIVE",
                subtype=signal.subtype,
                value=num(signal.value),
                height=num(signal.height),
                width=num(signal.width),
                hOffset="0",
                pitch="0",
                roll="0",
            )
            _sub(element, "validity", fromLane=signal.validity[0], toLane=signal.validity[1])


def _write_lane(parent: ET.Element, lane: LaneSpec, length: float) -> None:
    node = _sub(parent, "lane", id=lane.id, type=lane.type, level="false")
    if lane.predecessor is not None or lane.successor is not None:
        link = _sub(node, "link")
        if lane.predecessor is not None:
            _sub(link, "predecessor", id=lane.predecessor)
        if lane.successor is not None:
            _sub(link, "successor", id=lane.successor)
    if lane.width_end is None:
        _sub(node, "width", sOffset="0", a=num(lane.width), b="0", c="0", d="0")
    else:
        # A smooth step from width to width_end: level at both ends, so neighbouring lanes meet without a kink.
        change = lane.width_end - lane.width
        _sub(node, "width", sOffset="0", a=num(lane.width), b="0", c=num(3.0 * change / length ** 2),
             d=num(-2.0 * change / length ** 3))
    for mark in lane.marks:
        _mark(node, mark)
