"""Town06: three long straight highways, 1 km each with three lanes each way, joined at their
ends and in the middle by short cross links; junctions have traffic lights.
"""

from __future__ import annotations

from .grid import GridLayout, build_grid
from .lanes import highway
from .town01 import GEO_REFERENCE
from .writer import HeaderSpec, write_xodr

LAYOUT = GridLayout(
    xs=(0.0, 500.0, 1000.0),
    ys=(-300.0, -150.0, 0.0),
    section=highway(3),
    junction_reach=22.0,
    corner_radius=45.0,
    solid_centre=0.0,
    speed_kmh=90.0,
    road_type="motorway",
)


def build() -> str:
    """The OpenDRIVE text of Town06."""
    return write_xodr(build_grid(LAYOUT), HeaderSpec(name="Town06", geo_reference=GEO_REFERENCE))
