"""OpenDRIVE road engine shared by the server and the client.

``parse_xodr(text)`` gives an :class:`OpenDrive`; roads evaluate their reference line and lane
centres at any s. Coordinates are OpenDRIVE's (x east, y north, heading counter-clockwise).
"""

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
from .parser import parse_geo_reference, parse_xodr, proj_origin

__all__ = [
    "Arc",
    "Connection",
    "Controller",
    "Cubic",
    "GeoReference",
    "Geometry",
    "Header",
    "Junction",
    "Lane",
    "LaneSection",
    "Line",
    "OpenDrive",
    "OpenDriveError",
    "ParamPoly3",
    "PiecewiseCubic",
    "PlanView",
    "Poly3",
    "Road",
    "RoadLink",
    "RoadMark",
    "RoadObject",
    "Signal",
    "Spiral",
    "parse_geo_reference",
    "parse_xodr",
    "proj_origin",
]
