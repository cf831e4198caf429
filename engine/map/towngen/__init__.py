"""Deterministic generators of the towns' OpenDRIVE maps (``python -m engine.map.towngen``)."""

from __future__ import annotations

from typing import Callable

from . import town01

# Town name -> function returning its OpenDRIVE text.
TOWNS: dict[str, Callable[[], str]] = {
    "Town01": town01.build,
}
