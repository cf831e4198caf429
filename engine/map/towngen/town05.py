"""Town05: a square grid city, 480 m x 330 m, every street two lanes each way with sidewalks.

Four-way junctions inside, T junctions on the edges, rounded corners; traffic lights everywhere.
"""

from __future__ import annotations

from .grid import GridLayout, build_grid
from .lanes import multi_lane_urban
from .town01 import GEO_REFERENCE
from .writer import HeaderSpec, write_xodr

LAYOUT = GridLayout(
    xs=(0.0, 120.0, 240.0, 360.0, 480.0),
    ys=(-330.0, -220.0, -110.0, 0.0),
    section=multi_lane_urban(2),
    junction_reach=16.0,
    corner_radius=28.0,
    speed_kmh=40.0,
)


def build() -> str:
    """The OpenDRIVE text of Town05."""
    return write_xodr(build_grid(LAYOUT), HeaderSpec(name="Town05", geo_reference=GEO_REFERENCE))
