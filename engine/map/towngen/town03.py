"""Town03: a city ringed and crossed by avenues with two lanes each way, plus two-lane streets.

The avenues meet at a two-lane roundabout in the middle of town; every street corner eases in and
out through clothoids (spirals). Junctions have traffic lights, the roundabout yield signs.
"""

from __future__ import annotations

from .grid import GridLayout, build_grid
from .lanes import multi_lane_urban
from .town01 import GEO_REFERENCE
from .writer import HeaderSpec, write_xodr

LAYOUT = GridLayout(
    xs=(0.0, 140.0, 300.0, 430.0),
    ys=(-320.0, -200.0, -90.0, 0.0),
    # The ring road round the town and the two avenues through it; the rest are two-lane streets.
    main_streets=frozenset({("x", 0), ("x", 1), ("x", 3), ("y", 0), ("y", 1), ("y", 3)}),
    main_section=multi_lane_urban(2),
    junction_reach=16.0,
    corner_radius=30.0,
    clothoid_corners=True,
    roundabouts=frozenset({(1, 1)}),
)


def build() -> str:
    """The OpenDRIVE text of Town03."""
    return write_xodr(build_grid(LAYOUT), HeaderSpec(name="Town03", geo_reference=GEO_REFERENCE))
