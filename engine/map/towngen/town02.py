"""Town02: a compact town, 200 m x 200 m, of short blocks on two-lane streets.

Inner streets are staggered so nearly every crossing is a T junction; the outer ring has rounded
corners. Every junction has traffic lights.
"""

from __future__ import annotations

from .grid import GridLayout, build_grid
from .town01 import GEO_REFERENCE
from .writer import HeaderSpec, write_xodr

LAYOUT = GridLayout(
    xs=(0.0, 62.0, 128.0, 195.0),
    ys=(-200.0, -132.0, -66.0, 0.0),
    # Without these the inner crossings would be four-way; dropping one arm of each makes a T.
    missing=frozenset({((1, 1), (1, 2)), ((2, 0), (2, 1)), ((2, 2), (2, 3))}),
    corner_radius=16.0,
)


def build() -> str:
    """The OpenDRIVE text of Town02."""
    return write_xodr(build_grid(LAYOUT), HeaderSpec(name="Town02", geo_reference=GEO_REFERENCE))
