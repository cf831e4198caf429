"""CARLA's own Town01-03 OpenDRIVE files parse, with the roads and junctions a plain XML scan counts."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from carla_odr import parse_xodr

TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "opendrive"
TOWNS = ["Town01", "Town02", "Town03"]

pytestmark = pytest.mark.skipif(not TESTDATA.is_dir(), reason="../shared/testdata/opendrive is not beside the project")


def _top_level_ids(text: str, tag: str) -> set[int]:
    """Ids of <road>/<junction> start tags, found by a regular expression rather than an XML parser."""
    ids = set()
    for attributes in re.findall(rf"<{tag}\s([^>]*)>", text):
        match = re.search(r'\bid="([^"]*)"', attributes)
        ids.add(int(match.group(1)))
    return ids


@pytest.mark.parametrize("town", TOWNS)
def test_carla_town_parses_with_every_road_and_junction(town):
    path = TESTDATA / f"{town}.xodr"
    text = path.read_text(encoding="utf-8")
    odr = parse_xodr(text, source=path.name)
    assert set(odr.roads) == _top_level_ids(text, "road")
    assert set(odr.junctions) == _top_level_ids(text, "junction")
    assert len(odr.roads) == text.count("<road ") and len(odr.junctions) == text.count("<junction ")


# Town03's reference lines do not all meet: many junction roads start a lane or two beside their neighbour.
@pytest.mark.parametrize("town", ["Town01", "Town02"])
def test_carla_town_reference_lines_join_their_linked_neighbours(town):
    odr = parse_xodr((TESTDATA / f"{town}.xodr").read_text(encoding="utf-8"))

    def end_point(road, contact):
        x, y, _, _ = road.reference_pose(np.array(0.0 if contact == "start" else road.length))
        return np.array([float(x), float(y)])

    for road in odr.roads.values():
        for contact, link in (("start", road.predecessor), ("end", road.successor)):
            if link is not None and link.element_type == "road":
                gap = np.linalg.norm(end_point(road, contact) - end_point(odr.road(link.element_id), link.contact_point))
                assert gap < 0.01, (town, road.id, link)


def test_carla_town_counts_are_the_known_ones():
    counts = {}
    for town in TOWNS:
        odr = parse_xodr((TESTDATA / f"{town}.xodr").read_text(encoding="utf-8"))
        counts[town] = (len(odr.roads), len(odr.junctions))
    assert counts == {"Town01": (98, 12), "Town02": (68, 8), "Town03": (279, 34)}
