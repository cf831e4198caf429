"""Town07: countryside. Narrow two-lane roads without sidewalks over rolling hills, curves that
ease in through clothoids, and stop signs at every junction.
"""

from __future__ import annotations

import math

from .grid import GridLayout, build_grid
from .lanes import rural
from .network import apply_elevation
from .town01 import GEO_REFERENCE
from .writer import HeaderSpec, write_xodr

LAYOUT = GridLayout(
    xs=(0.0, 120.0, 250.0, 360.0),
    ys=(-280.0, -160.0, -70.0, 0.0),
    missing=frozenset({((1, 1), (2, 1)), ((1, 2), (1, 3)), ((2, 0), (2, 1))}),
    section=rural(),
    junction_reach=10.0,
    corner_radius=30.0,
    clothoid_corners=True,
    traffic_lights=False,
    signs="stop",
    speed_kmh=40.0,
    road_type="rural",
)


def hill_height(x: float, y: float) -> float:
    """Ground height of the hills (metres), gentle enough for roads: slopes of at most about 10 %."""
    return 6.0 + 5.0 * math.sin(x / 85.0) * math.cos(y / 110.0) + 2.5 * math.sin((x + y) / 60.0)


def build() -> str:
    """The OpenDRIVE text of Town07."""
    network = build_grid(LAYOUT)
    apply_elevation(network, hill_height)
    return write_xodr(network, HeaderSpec(name="Town07", geo_reference=GEO_REFERENCE))
