"""OpenDRIVE XML -> :class:`OpenDrive`. Anything malformed raises :class:`OpenDriveError` saying what and where.

The tree is built by ElementTree's C parser, which keeps no line numbers; only when an element turns out
to be wrong is the text scanned again with expat to find the line of that element.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Optional
from xml.parsers import expat

from .cubic import Cubic, PiecewiseCubic
from .errors import OpenDriveError
from .geometry import Arc, Geometry, Line, ParamPoly3, PlanView, Poly3, Spiral
from .model import (
    Connection,
    Controller,
    GeoReference,
    Header,
    Junction,
    Lane,
    LaneSection,
    OpenDrive,
    Road,
    RoadLink,
    RoadMark,
    RoadObject,
    Signal,
)

_IGNORED_CHILDREN = ("userData", "include", "dataQuality")
_SPEED_TO_MPS = {"m/s": 1.0, "km/h": 1.0 / 3.6, "mph": 0.44704}
_NO_SPEED_LIMIT = (None, "no limit", "undefined")
_INFINITY = float("inf")
# How far (metres) a geometry or lane section may start beyond its road's length: rounding in exporters.
_S_TOLERANCE = 1e-3


class _ElementError(ValueError):
    """A problem with one element; :func:`parse_xodr` turns it into an :class:`OpenDriveError` with its line."""

    def __init__(self, node: ET.Element, problem: str):
        super().__init__(problem)
        self.node = node
        self.problem = problem


def parse_xodr(text: str, source: Optional[str] = None) -> OpenDrive:
    """Parse an OpenDRIVE document given as a string; ``source`` (a file name, say) names it in errors.

    Malformed or unusable input raises :class:`OpenDriveError`, a ``ValueError`` whose message names
    the source, the line and column of the offending element and what is wrong with it.
    """
    root = _parse_xml(text, source)
    try:
        return _parse_document(root)
    except _ElementError as error:
        line, column = _locate(text, root, error.node)
        raise OpenDriveError(error.problem, source, line, column) from None
    except ValueError as error:
        raise OpenDriveError(str(error), source) from None


def _parse_xml(text: str, source: Optional[str]) -> ET.Element:
    if not isinstance(text, str):
        raise OpenDriveError(f"OpenDRIVE input must be a str, not {type(text).__name__}", source)
    for declaration in ("<!DOCTYPE", "<!ENTITY"):
        at = text.find(declaration)
        if at >= 0:
            line = text.count("\n", 0, at) + 1
            column = at - text.rfind("\n", 0, at)
            raise OpenDriveError(f"{declaration} declarations are not allowed in OpenDRIVE", source, line, column)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as error:
        line, column = error.position
        problem = f"not well-formed XML: {expat.ErrorString(error.code)}"
        raise OpenDriveError(problem, source, line, column + 1) from None
    if root.tag != "OpenDRIVE":
        problem = f"the root element must be <OpenDRIVE>, found <{root.tag}>"
        raise OpenDriveError(problem, source, *_locate(text, root, root))
    return root


def _locate(text: str, root: ET.Element, node: ET.Element) -> tuple[Optional[int], Optional[int]]:
    """Line and column (from 1) of ``node``'s start tag: the n-th element of the tree is the n-th start tag."""
    index = next((i for i, element in enumerate(root.iter()) if element is node), None)
    if index is None:
        return None, None
    parser = expat.ParserCreate()
    seen = 0

    class Found(Exception):
        pass

    def start(_name, _attributes):
        nonlocal seen
        if seen == index:
            raise Found(parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        seen += 1

    parser.StartElementHandler = start
    try:
        parser.Parse(text, True)
    except Found as found:
        return found.args
    except expat.ExpatError:
        pass
    return None, None


def _parse_unique(root: ET.Element, tag: str, parse) -> tuple[dict, dict]:
    """Parse every <tag> child; return {id: item} and {id: element}, refusing a repeated id."""
    items: dict = {}
    nodes: dict = {}
    for node in root.findall(tag):
        item = parse(node)
        if item.id in items:
            raise _ElementError(node, f"{tag} id {item.id} appears twice")
        items[item.id] = item
        nodes[item.id] = node
    return items, nodes


def _parse_document(root: ET.Element) -> OpenDrive:
    roads, road_nodes = _parse_unique(root, "road", _parse_road)
    junctions, junction_nodes = _parse_unique(root, "junction", _parse_junction)
    controllers = {c.id: c for c in (_parse_controller(node) for node in root.findall("controller"))}
    _check_references(roads, junctions, road_nodes, junction_nodes)
    return OpenDrive(_parse_header(root.find("header")), roads, junctions, controllers)


# -- attributes -------------------------------------------------------------------------------


def _grandchildren(node: ET.Element, child: str, tag: str) -> list[ET.Element]:
    """``node.findall(f"{child}/{tag}")`` for the first ``child``, without ElementPath's slower path walk."""
    parent = node.find(child)
    return parent.findall(tag) if parent is not None else []


def _where(node: ET.Element, context: str) -> str:
    return f"{context}: <{node.tag}>" if context else f"<{node.tag}>"


def _text(node: ET.Element, name: str, context: str, default: Optional[str] = None) -> str:
    value = node.get(name)
    if value is None:
        if default is None:
            raise _ElementError(node, f"{_where(node, context)} is missing attribute '{name}'")
        return default
    return value


def _number(node: ET.Element, name: str, context: str, default, cast, kind: str):
    value = node.get(name)
    if value is None:
        if default is None:
            raise _ElementError(node, f"{_where(node, context)} is missing attribute '{name}'")
        return default
    try:
        number = cast(value)
    except ValueError:
        raise _ElementError(node, f"{_where(node, context)} attribute '{name}'={value!r} is not {kind}") from None
    if not -_INFINITY < number < _INFINITY:  # float() takes "nan" and "inf"
        raise _ElementError(node, f"{_where(node, context)} attribute '{name}'={value!r} is not a finite number")
    return number


def _float(node: ET.Element, name: str, context: str, default: Optional[float] = None) -> float:
    return _number(node, name, context, default, float, "a number")


def _int(node: ET.Element, name: str, context: str, default: Optional[int] = None) -> int:
    return _number(node, name, context, default, int, "an integer")


def _cubic(node: ET.Element, start_name: str, context: str) -> Cubic:
    return Cubic(
        _float(node, start_name, context),
        _float(node, "a", context, 0.0),
        _float(node, "b", context, 0.0),
        _float(node, "c", context, 0.0),
        _float(node, "d", context, 0.0),
    )


# -- header -----------------------------------------------------------------------------------


def proj_origin(proj: str) -> tuple[Optional[float], Optional[float]]:
    """``+lat_0`` and ``+lon_0`` of a PROJ string, None where absent; ValueError when malformed."""
    values = dict(re.findall(r"\+(lat_0|lon_0)=([-+0-9.eE]+)", proj or ""))
    try:
        return tuple(float(values[k]) if k in values else None for k in ("lat_0", "lon_0"))
    except ValueError:
        raise ValueError(f"geoReference {proj!r} has a malformed lat_0 or lon_0") from None


def parse_geo_reference(proj: str) -> GeoReference:
    """Origin latitude/longitude from a PROJ string's ``+lat_0``/``+lon_0`` (0 where absent)."""
    latitude, longitude = proj_origin(proj)
    return GeoReference(latitude or 0.0, longitude or 0.0, 0.0)


def _parse_header(node: Optional[ET.Element]) -> Header:
    if node is None:
        return Header()
    geo_node = node.find("geoReference")
    geo_text = (geo_node.text or "").strip() if geo_node is not None else ""
    context = "header"
    try:
        geo_reference = parse_geo_reference(geo_text)
    except ValueError as error:
        raise _ElementError(geo_node, str(error)) from None
    return Header(
        rev_major=_int(node, "revMajor", context, 1),
        rev_minor=_int(node, "revMinor", context, 4),
        name=node.get("name", ""),
        version=node.get("version", ""),
        date=node.get("date", ""),
        north=_float(node, "north", context, 0.0),
        south=_float(node, "south", context, 0.0),
        east=_float(node, "east", context, 0.0),
        west=_float(node, "west", context, 0.0),
        vendor=node.get("vendor", ""),
        geo_reference_text=geo_text,
        geo_reference=geo_reference,
    )


# -- roads ------------------------------------------------------------------------------------


def _parse_road(node: ET.Element) -> Road:
    road_id = _int(node, "id", "")
    context = f"road {road_id}"
    length = _float(node, "length", context)
    if length <= 0.0:
        raise _ElementError(node, f"{context} has length {length}; a road must be longer than 0")
    predecessor, successor = _parse_road_links(node.find("link"), context)

    plan_view = node.find("planView")
    if plan_view is None:
        raise _ElementError(node, f"{context} has no <planView>")
    geometries = [_parse_geometry(g, context, length) for g in plan_view.findall("geometry")]
    if not geometries:
        raise _ElementError(plan_view, f"{context}: <planView> has no <geometry>")

    elevation = PiecewiseCubic([_cubic(e, "s", context) for e in _grandchildren(node, "elevationProfile", "elevation")])
    lateral = node.find("lateralProfile")
    superelevation = (
        PiecewiseCubic([_cubic(e, "s", context) for e in lateral.findall("superelevation")])
        if lateral is not None
        else PiecewiseCubic()
    )
    lanes_node = node.find("lanes")
    if lanes_node is None:
        raise _ElementError(node, f"{context} has no <lanes>")
    lane_offset = PiecewiseCubic([_cubic(e, "s", context) for e in lanes_node.findall("laneOffset")])
    sections = [_parse_lane_section(s, context, length) for s in lanes_node.findall("laneSection")]
    if not sections:
        raise _ElementError(lanes_node, f"{context}: <lanes> has no <laneSection>")
    sections.sort(key=lambda section: section.s)
    for section, following in zip(sections, sections[1:] + [None]):
        section.end_s = following.s if following is not None else length

    speed_max = None
    speed = node.find("type/speed")
    if speed is not None and speed.get("max") not in _NO_SPEED_LIMIT:
        speed_max = _speed(speed, context)

    signals = [_parse_signal(s, context) for s in node.findall("signals/signal")]
    objects = [_parse_object(o, context) for o in node.findall("objects/object")]
    return Road(
        id=road_id,
        name=node.get("name", ""),
        length=length,
        junction=_int(node, "junction", context, -1),
        plan_view=PlanView(geometries),
        lane_sections=sections,
        predecessor=predecessor,
        successor=successor,
        elevation=elevation,
        superelevation=superelevation,
        lane_offset=lane_offset,
        speed_max=speed_max,
        signals=signals,
        objects=objects,
    )


def _speed(node: ET.Element, context: str) -> float:
    unit = node.get("unit", "m/s")
    if unit not in _SPEED_TO_MPS:
        raise _ElementError(node, f"{_where(node, context)} has unknown speed unit {unit!r}")
    return _float(node, "max", context) * _SPEED_TO_MPS[unit]


def _parse_road_links(node: Optional[ET.Element], context: str):
    links = []
    for name in ("predecessor", "successor"):
        link = node.find(name) if node is not None else None
        if link is None:
            links.append(None)
            continue
        element_type = _text(link, "elementType", context)
        if element_type not in ("road", "junction"):
            problem = f"{context}: <{name}> has elementType {element_type!r}, expected road or junction"
            raise _ElementError(link, problem)
        contact = link.get("contactPoint")
        if element_type == "road" and contact not in ("start", "end"):
            problem = f"{context}: <{name}> to a road needs contactPoint start or end, got {contact!r}"
            raise _ElementError(link, problem)
        links.append(RoadLink(element_type, _int(link, "elementId", context), contact))
    return tuple(links)


def _parse_geometry(node: ET.Element, context: str, road_length: float) -> Geometry:
    common = dict(
        s=_float(node, "s", context),
        x=_float(node, "x", context),
        y=_float(node, "y", context),
        hdg=_float(node, "hdg", context),
        length=_float(node, "length", context),
    )
    if common["length"] < 0.0:
        raise _ElementError(node, f"{context}: <geometry> at s={common['s']} has a negative length")
    if not 0.0 <= common["s"] <= road_length + _S_TOLERANCE:
        problem = f"{context}: <geometry> starts at s={common['s']}, outside the road's length {road_length}"
        raise _ElementError(node, problem)
    where = f"{context} geometry s={common['s']}"
    shapes = [child for child in node if child.tag not in _IGNORED_CHILDREN]
    if len(shapes) != 1:
        kinds = ", ".join(f"<{child.tag}>" for child in shapes) or "nothing"
        raise _ElementError(node, f"{where}: <geometry> must hold exactly one shape, found {kinds}")
    shape = shapes[0]
    if shape.tag == "line":
        return Line(**common)
    if shape.tag == "arc":
        return Arc(**common, curvature=_float(shape, "curvature", where))
    if shape.tag == "spiral":
        return Spiral(**common, curv_start=_float(shape, "curvStart", where), curv_end=_float(shape, "curvEnd", where))
    if shape.tag == "poly3":
        return Poly3(**common, **{k: _float(shape, k, where) for k in "abcd"})
    if shape.tag == "paramPoly3":
        names = ("aU", "bU", "cU", "dU", "aV", "bV", "cV", "dV")
        values = {name.lower(): _float(shape, name, where) for name in names}
        p_range = shape.get("pRange", "normalized")
        if p_range not in ("arcLength", "normalized"):
            raise _ElementError(shape, f"{where}: <paramPoly3> pRange {p_range!r} is neither arcLength nor normalized")
        return ParamPoly3(**common, **values, p_range=p_range)
    problem = f"{where}: unsupported geometry <{shape.tag}>; expected line, arc, spiral, poly3 or paramPoly3"
    raise _ElementError(shape, problem)


def _parse_lane_section(node: ET.Element, context: str, road_length: float) -> LaneSection:
    s = _float(node, "s", context)
    where = f"{context} laneSection s={s}"
    if not 0.0 <= s <= road_length + _S_TOLERANCE:
        raise _ElementError(node, f"{where}: the section starts outside the road's length {road_length}")
    lanes: dict[int, Lane] = {}
    for side in ("left", "center", "right"):
        for lane_node in _grandchildren(node, side, "lane"):
            lane = _parse_lane(lane_node, where)
            expected = {"left": lane.id > 0, "center": lane.id == 0, "right": lane.id < 0}[side]
            if not expected:
                raise _ElementError(lane_node, f"{where}: lane {lane.id} cannot be in <{side}>")
            if lane.id in lanes:
                raise _ElementError(lane_node, f"{where}: lane {lane.id} appears twice")
            lanes[lane.id] = lane
    if not any(lane_id != 0 for lane_id in lanes):
        raise _ElementError(node, f"{where} has no lanes: <left> and <right> hold no <lane>")
    for lane_id in lanes:
        step = 1 if lane_id > 0 else -1
        for inner in range(step, lane_id, step):
            if inner not in lanes:
                raise _ElementError(node, f"{where}: lane {lane_id} exists but lane {inner} does not")
    return LaneSection(s=s, lanes=lanes)


def _parse_lane(node: ET.Element, context: str) -> Lane:
    lane_id = _int(node, "id", context)
    where = f"{context} lane {lane_id}"
    border = node.find("border")
    if border is not None:
        raise _ElementError(border, f"{where}: <border> lane records are not supported; describe the lane with <width>")
    widths = [_cubic(w, "sOffset", where) for w in node.findall("width")]
    if lane_id != 0 and not widths:
        raise _ElementError(node, f"{where} has no <width>")
    marks = tuple(
        RoadMark(
            s_offset=_float(m, "sOffset", where),
            type=m.get("type", "none"),
            color=m.get("color", ""),  # absent: CARLA reports Other
            width=_float(m, "width", where, 0.0),
            lane_change=m.get("laneChange", ""),
            material=m.get("material", "standard"),
        )
        for m in node.findall("roadMark")
    )
    speed = node.find("speed")
    return Lane(
        id=lane_id,
        type=node.get("type", "none"),
        level=node.get("level", "false") in ("true", "1"),
        width=PiecewiseCubic(widths),
        road_marks=marks,
        predecessors=tuple(_int(p, "id", where) for p in _grandchildren(node, "link", "predecessor")),
        successors=tuple(_int(p, "id", where) for p in _grandchildren(node, "link", "successor")),
        speed_max=_speed(speed, where) if speed is not None and speed.get("max") not in _NO_SPEED_LIMIT else None,
    )


def _parse_object(node: ET.Element, context: str) -> RoadObject:
    """An ``<object>`` with its first outline (``<outline>``, or the first of ``<outlines>``)."""
    object_id = _text(node, "id", context)
    where = f"{context} object {object_id}"
    outline = node.find("outline")
    if outline is None:
        outline = node.find("outlines/outline")
    corners = outline if outline is not None else ET.Element("outline")
    return RoadObject(
        id=object_id,
        type=node.get("type", "none"),
        s=_float(node, "s", where),
        t=_float(node, "t", where),
        name=node.get("name", ""),
        z_offset=_float(node, "zOffset", where, 0.0),
        hdg=_float(node, "hdg", where, 0.0),
        pitch=_float(node, "pitch", where, 0.0),
        roll=_float(node, "roll", where, 0.0),
        orientation=node.get("orientation", "none"),
        length=_float(node, "length", where, 0.0),
        width=_float(node, "width", where, 0.0),
        height=_float(node, "height", where, 0.0),
        corners_local=tuple((_float(c, "u", where), _float(c, "v", where), _float(c, "z", where, 0.0))
                            for c in corners.findall("cornerLocal")),
        corners_road=tuple((_float(c, "s", where), _float(c, "t", where), _float(c, "dz", where, 0.0))
                           for c in corners.findall("cornerRoad")),
    )


def _parse_signal(node: ET.Element, context: str) -> Signal:
    signal_id = _text(node, "id", context)
    where = f"{context} signal {signal_id}"
    return Signal(
        id=signal_id,
        s=_float(node, "s", where),
        t=_float(node, "t", where),
        name=node.get("name", ""),
        dynamic=node.get("dynamic", "no"),
        orientation=node.get("orientation", "+"),
        z_offset=_float(node, "zOffset", where, 0.0),
        country=node.get("country", ""),
        type=node.get("type", ""),
        subtype=node.get("subtype", ""),
        value=_float(node, "value", where, 0.0),
        unit=node.get("unit", ""),
        height=_float(node, "height", where, 0.0),
        width=_float(node, "width", where, 0.0),
        text=node.get("text", ""),
        h_offset=_float(node, "hOffset", where, 0.0),
        pitch=_float(node, "pitch", where, 0.0),
        roll=_float(node, "roll", where, 0.0),
        validities=tuple(
            (_int(v, "fromLane", where), _int(v, "toLane", where)) for v in node.findall("validity")
        ),
    )


# -- junctions and controllers ----------------------------------------------------------------


def _parse_junction(node: ET.Element) -> Junction:
    junction_id = _int(node, "id", "")
    context = f"junction {junction_id}"
    connections = []
    for c in node.findall("connection"):
        contact = c.get("contactPoint", "start")
        if contact not in ("start", "end"):
            raise _ElementError(c, f"{context}: <connection> contactPoint {contact!r} is neither start nor end")
        connections.append(
            Connection(
                id=_int(c, "id", context),
                incoming_road=_int(c, "incomingRoad", context),
                connecting_road=_int(c, "connectingRoad", context),
                contact_point=contact,
                lane_links=tuple((_int(l, "from", context), _int(l, "to", context)) for l in c.findall("laneLink")),
            )
        )
    controllers = [_text(c, "id", context) for c in node.findall("controller")]
    return Junction(junction_id, node.get("name", ""), connections, controllers)


def _parse_controller(node: ET.Element) -> Controller:
    controller_id = _text(node, "id", "")
    context = f"controller {controller_id}"
    return Controller(
        id=controller_id,
        name=node.get("name", ""),
        sequence=_int(node, "sequence", context, 0),
        signal_ids=tuple(_text(c, "signalId", context) for c in node.findall("control")),
    )


def _check_references(
    roads: dict[int, Road],
    junctions: dict[int, Junction],
    road_nodes: dict[int, ET.Element],
    junction_nodes: dict[int, ET.Element],
) -> None:
    for road in roads.values():
        for name, link in (("predecessor", road.predecessor), ("successor", road.successor)):
            if link is None:
                continue
            known = roads if link.element_type == "road" else junctions
            if link.element_id not in known:
                problem = f"road {road.id}: {name} names unknown {link.element_type} {link.element_id}"
                raise _ElementError(road_nodes[road.id].find(f"link/{name}"), problem)
        if road.is_junction and road.junction not in junctions:
            raise _ElementError(road_nodes[road.id], f"road {road.id} belongs to unknown junction {road.junction}")
    for junction in junctions.values():
        connection_nodes = junction_nodes[junction.id].findall("connection")
        for connection, node in zip(junction.connections, connection_nodes):
            for name in ("incoming_road", "connecting_road"):
                if getattr(connection, name) not in roads:
                    problem = (
                        f"junction {junction.id} connection {connection.id}: "
                        f"{name.replace('_', ' ')} {getattr(connection, name)} is not a road"
                    )
                    raise _ElementError(node, problem)
