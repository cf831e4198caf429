"""Signals, signal references, controllers and crosswalks of an OpenDRIVE map, read the way CARLA
0.9.16's OpenDRIVE parser and MapBuilder read them.

CARLA's reading differs from a plain one in ways its clients can see, so this module keeps them:
attributes are read like pugixml's ``value()``/``as_double()``/``as_int()`` (missing or unreadable
numbers are 0, missing text is ''); every ``<signal>`` is also a reference of its own road; objects
named ``Speed_<n>`` become speed-limit signals; a reference's s is clamped into its road; references
valid only for lane 0 are dropped and references without ``<validity>`` get CARLA's default lanes;
a crosswalk without an outline keeps the corners of the crosswalk read before it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

# MapBuilder::AddSignalReference keeps a reference this far inside its road's end.
_ROAD_END_MARGIN = 0.00001
# SignalType::IsTrafficLight: the signal types CARLA treats as traffic lights.
TRAFFIC_LIGHT_TYPES = frozenset((
    '1000001', '1000002', '1000009', '1000010', '1000011', '1000007', '1000014', '1000015',
    '1000016', '1000017', '1000018', '1000019', '1000013', '1000020', '1000008', '1000012',
    'F', 'W', 'A'))

_DOUBLE_PREFIX = re.compile(
    r'\s*([+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))', re.IGNORECASE)
_INT_PREFIX = re.compile(r'\s*([+-]?)(0[xX][0-9a-fA-F]+|\d+)')


def as_double(text) -> float:
    """pugixml's ``as_double``: the number that the text starts with, 0 when there is none."""
    if text is None:
        return 0.0
    match = _DOUBLE_PREFIX.match(text)
    return float(match.group(1)) if match else 0.0


def as_int(text, bits=32, signed=True) -> int:
    """pugixml's ``as_int``/``as_uint``: a leading decimal or 0x integer, saturated to its type."""
    if text is None:
        return 0
    match = _INT_PREFIX.match(text)
    if not match:
        return 0
    digits = match.group(2)
    value = int(digits, 16) if digits[:2] in ('0x', '0X') else int(digits)
    if match.group(1) == '-':
        value = -value
    if signed:
        low, high = -2 ** (bits - 1), 2 ** (bits - 1) - 1
    else:
        low, high = 0, 2 ** bits - 1
        if value < 0:       # strtoul wraps a negative number round
            value %= 2 ** bits
    return min(max(value, low), high)


@dataclass(eq=False)
class MapSignal:
    """A ``<signal>`` (road::Signal): where it stands and what it shows."""

    road_id: int
    id: str
    s: float
    t: float
    name: str = ''
    dynamic: str = ''
    orientation: str = ''
    z_offset: float = 0.0
    country: str = ''
    type: str = ''
    subtype: str = ''
    value: float = 0.0
    unit: str = ''
    height: float = 0.0
    width: float = 0.0
    text: str = ''
    h_offset: float = 0.0
    pitch: float = 0.0
    roll: float = 0.0
    # (x, y, z, heading, pitch, roll) of a <positionInertial>, OpenDRIVE frame, or None.
    inertial: tuple | None = None
    controllers: set = field(default_factory=set)

    @property
    def is_dynamic(self) -> bool:
        return self.dynamic == 'yes'


@dataclass(eq=False)
class SignalReference:
    """A signal as one road refers to it (RoadInfoSignal): every landmark is one of these."""

    signal_id: str
    road_id: int
    s: float
    t: float
    orientation: str
    validities: list = field(default_factory=list)   # (from_lane, to_lane) pairs
    signal: MapSignal | None = None

    @property
    def orientation_code(self) -> int:
        """SignalOrientation: 0 Positive ('+'), 1 Negative ('-'), 2 Both (anything else)."""
        return {'+': 0, '-': 1}.get(self.orientation, 2)


@dataclass(frozen=True)
class Crosswalk:
    """A ``<object type="crosswalk">`` with the (u, v, z) corners CARLA keeps for it."""

    road_id: int
    s: float
    t: float
    hdg: float
    corners: tuple


@dataclass
class MapLandmarkData:
    """Everything landmark queries need, per road in file order (not yet sorted by s)."""

    signals: dict          # id -> MapSignal (a repeated id: the last one read)
    references: dict       # road id -> [SignalReference]
    controllers: dict      # controller id -> sorted signal ids (a repeated id: the first one)
    crosswalks: dict       # road id -> [Crosswalk]


def read_landmarks(xodr_text: str, lanes_at) -> MapLandmarkData:
    """Read a map's signals as CARLA does. ``lanes_at(road_id, s)`` gives the lane ids of the lane
    sections at s of a road (for default validities), or None when the road does not exist."""
    try:
        root = ET.fromstring(xodr_text)
    except ET.ParseError as error:
        raise ValueError('the OpenDRIVE text is not well-formed XML: %s' % error) from None
    roads = root.findall('road')
    lengths = {}
    for node in roads:
        lengths.setdefault(as_int(node.get('id'), signed=False), as_double(node.get('length')))

    signals: dict = {}
    references: dict = {}
    crosswalks: dict = {}

    def add_reference(road_id, signal_id, s, t, orientation, validity_nodes):
        if s < 0.0:
            raise ValueError('road %d: signal %r has a negative s (%r)' % (road_id, signal_id, s))
        fixed_s = min(max(s, 0.0), lengths.get(road_id, 0.0) - _ROAD_END_MARGIN)
        reference = SignalReference(signal_id, road_id, fixed_s, t, orientation)
        reference.validities = [(as_int(v.get('fromLane')), as_int(v.get('toLane')))
                                for v in validity_nodes]
        references.setdefault(road_id, []).append(reference)

    for node in roads:                                    # SignalParser
        road_id = as_int(node.get('id'), signed=False)
        signals_node = node.find('signals')
        if signals_node is None:
            continue
        for item in signals_node.findall('signal'):
            signal = _signal_from_node(road_id, item)
            inertial = item.findall('positionInertial')
            if inertial:
                last = inertial[-1]
                signal.inertial = tuple(as_double(last.get(name))
                                        for name in ('x', 'y', 'z', 'hdg', 'pitch', 'roll'))
            signals[signal.id] = signal
            add_reference(road_id, signal.id, signal.s, signal.t, signal.orientation,
                          item.findall('validity'))
        for item in signals_node.findall('signalReference'):
            add_reference(road_id, item.get('id', ''), as_double(item.get('s')),
                          as_double(item.get('t')), item.get('orientation', ''),
                          item.findall('validity'))

    corners: tuple = ()
    for node in roads:                                    # ObjectParser
        road_id = as_int(node.get('id'), signed=False)
        objects_node = node.find('objects')
        if objects_node is None:
            continue
        for item in objects_node.findall('object'):
            name = item.get('name', '')
            if item.get('type', '') == 'crosswalk':
                outline = item.find('outline')
                if outline is not None:
                    corners = tuple((as_double(c.get('u')), as_double(c.get('v')),
                                     as_double(c.get('z'))) for c in outline.findall('cornerLocal'))
                crosswalks.setdefault(road_id, []).append(Crosswalk(
                    road_id, as_double(item.get('s')), as_double(item.get('t')),
                    as_double(item.get('hdg')), corners))
            elif name[:6] in ('Speed_', 'speed_'):
                signal = _speed_signal_from_object(road_id, item, name)
                signals[signal.id] = signal
                add_reference(road_id, signal.id, signal.s, signal.t, signal.orientation, ())

    controllers: dict = {}
    for node in root.findall('controller'):               # ControllerParser
        controller_id = node.get('id', '')
        if controller_id not in controllers:
            controllers[controller_id] = tuple(sorted({c.get('signalId', '')
                                                       for c in node.findall('control')}))

    for road_list in references.values():                 # MapBuilder::Build
        road_list[:] = [r for r in road_list
                        if not r.validities or any(v != (0, 0) for v in r.validities)]
    for road_list in references.values():
        for reference in road_list:
            signal = signals.get(reference.signal_id)
            if signal is None:
                raise ValueError('road %d: signalReference to %r, a signal the map does not have'
                                 % (reference.road_id, reference.signal_id))
            reference.signal = signal
            if not reference.validities:
                reference.validities = _default_validities(
                    reference, lanes_at(reference.road_id, reference.s) or ())

    for junction in root.findall('junction'):
        for item in junction.findall('controller'):
            signal_ids = controllers.get(item.get('id', ''))
            for signal_id in signal_ids or ():
                if signal_id in signals:
                    signals[signal_id].controllers.add(item.get('id', ''))
    return MapLandmarkData(signals, references, controllers, crosswalks)


def _signal_from_node(road_id: int, node) -> MapSignal:
    text = node.get
    return MapSignal(
        road_id=road_id, id=text('id', ''), s=as_double(text('s')), t=as_double(text('t')),
        name=text('name', ''), dynamic=text('dynamic', ''), orientation=text('orientation', ''),
        z_offset=as_double(text('zOffset')), country=text('country', ''), type=text('type', ''),
        subtype=text('subtype', ''), value=as_double(text('value')), unit=text('unit', ''),
        height=as_double(text('height')), width=as_double(text('width')), text=text('text', ''),
        h_offset=as_double(text('hOffset')), pitch=as_double(text('pitch')),
        roll=as_double(text('roll')))


def _speed_signal_from_object(road_id: int, node, name: str) -> MapSignal:
    """A RoadRunner speed-limit prop (``Speed_30``, ``Speed_STATIC_30``...): a 274 sign in mph."""
    speed_text = name[13:] if 'STATIC' in name else name[6:]
    match = _DOUBLE_PREFIX.match(speed_text)
    if not match:
        raise ValueError('road %d: object %r has no speed in its name' % (road_id, name))
    text = node.get
    return MapSignal(
        road_id=road_id, id=text('id', ''), s=as_double(text('s')), t=as_double(text('t')),
        name=name, dynamic='no', orientation=text('orientation', ''),
        z_offset=as_double(text('zOffset')), country='OpenDRIVE', type='274', subtype=speed_text,
        value=float(match.group(1)), unit='mph', height=as_double(text('height')),
        width=as_double(text('width')), text=speed_text, h_offset=as_double(text('hdg')),
        pitch=as_double(text('pitch')), roll=as_double(text('roll')))


def _default_validities(reference: SignalReference, lane_ids) -> list:
    """MapBuilder::GenerateDefaultValiditiesForSignalReferences: the lanes the reference faces."""
    result = []
    positive = [lane for lane in lane_ids if lane > 0]
    negative = [lane for lane in lane_ids if lane < 0]
    orientation = reference.orientation_code
    if orientation in (0, 2) and positive:
        result.append((1, max(positive)))
    if orientation in (1, 2) and negative:
        result.append((min(negative), -1))
    return result
