"""Deterministic generators of the towns' OpenDRIVE maps (``python -m engine.map.towngen``)."""

from __future__ import annotations

from typing import Callable

from . import town01, town02, town03, town04, town05, town06, town07

# Town name -> function returning its OpenDRIVE text.
TOWNS: dict[str, Callable[[], str]] = {
    "Town01": town01.build,
    "Town02": town02.build,
    "Town03": town03.build,
    "Town04": town04.build,
    "Town05": town05.build,
    "Town06": town06.build,
    "Town07": town07.build,
}
