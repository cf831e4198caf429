"""Town01: a small grid town, 400 m x 300 m, three by three blocks with the outer ring closed.

Inner crossings are four-way junctions, the edges meet the ring in T junctions, and the ring's
corners are rounded. Every junction has traffic lights.
"""

from __future__ import annotations

from .grid import GridLayout, build_grid
from .writer import HeaderSpec, write_xodr

# Blocks of slightly different sizes, as a real town has. OpenDRIVE y grows northwards, so the
# town lies at y <= 0 here and at y >= 0 in CARLA's coordinates.
LAYOUT = GridLayout(
    xs=(0.0, 135.0, 265.0, 400.0),
    ys=(-300.0, -195.0, -100.0, 0.0),
)

GEO_REFERENCE = (
    "+proj=tmerc +lat_0=49 +lon_0=8 +k=1 +x_0=0 +y_0=0 +datum=WGS84 +units=m "
    "+geoidgrids=egm96_15.gtx +vunits=m +no_defs"
)


def build() -> str:
    """The OpenDRIVE text of Town01."""
    return write_xodr(build_grid(LAYOUT), HeaderSpec(name="Town01", geo_reference=GEO_REFERENCE))
