"""Towns the server can load: their OpenDRIVE text, spawn points, ground height and geo reference."""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from carla_odr import OpenDrive, parse_xodr

from .ground import GroundHeight
from .spawn_points import SpawnPoint, generate_spawn_points

MAPS_DIR = Path(__file__).resolve().parents[2] / "assets" / "maps"
# What CARLA's server reports as map.name; get_available_maps lists "/Game/" + this.
MAP_PATH_PREFIX = "Carla/Maps/"
# The level CARLA loads for generate_opendrive_world; it serves the OpenDRIVE text the client sent last.
OPENDRIVE_MAP = "OpenDriveMap"


class UnknownMapError(KeyError, ValueError):
    """No such map; the message lists the available ones."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Town:
    name: str  # "Town01"
    map_name: str  # "Carla/Maps/Town01"
    xodr: str = field(repr=False)
    opendrive: OpenDrive = field(repr=False)
    spawn_points: tuple[SpawnPoint, ...] = field(repr=False)
    geo_reference: tuple[float, float, float]  # latitude, longitude, altitude of the origin
    _ground: GroundHeight = field(repr=False)

    @property
    def flat(self) -> bool:
        """True when every road lies at z = 0: no slope to sample under the wheels."""
        return self._ground.flat

    def ground_z(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Road surface height under CARLA (x, y) points."""
        return self._ground(x, y)


def reuse_last(build: Callable) -> Callable:
    """Decorator: ``build(key)`` runs again only when called with another object than last time; the key is
    held weakly, so the result of an unloaded town goes with it."""
    last = None

    @functools.wraps(build)
    def cached(key):
        nonlocal last
        if last is not None and last[0]() is key:
            return last[1]
        value = build(key)
        last = (weakref.ref(key), value)
        return value

    return cached


def available_maps(maps_dir: Path = MAPS_DIR) -> list[str]:
    """Names of the towns with an OpenDRIVE file, sorted: ["Town01", ...]."""
    return sorted(path.stem for path in Path(maps_dir).glob("*.xodr"))


def map_key(name: str) -> str:
    """'/Game/Carla/Maps/Town01', 'Carla/Maps/Town01' and 'town01' all give 'town01'."""
    return name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].lower()


def town_name(requested: str, maps_dir: Path = MAPS_DIR) -> str:
    """The town a requested map name means: "Town01", "Carla/Maps/Town01", "/Game/Carla/Maps/Town01" and
    "town01" alike; an unknown name raises :class:`UnknownMapError` listing the maps there are."""
    if not isinstance(requested, str):
        raise TypeError(f"map name must be a str, not {type(requested).__name__}")
    key = map_key(requested)
    names = available_maps(maps_dir)
    matches = [name for name in names if key and name.lower() == key]
    if not matches:
        raise UnknownMapError(f"Map '{requested}' not found; available maps: {', '.join(names)}")
    return matches[0]


def load_town(name: str, maps_dir: Path = MAPS_DIR) -> Town:
    """Load a town by name; an unknown name raises :class:`UnknownMapError` listing the maps there are."""
    path = Path(maps_dir) / f"{town_name(name, maps_dir)}.xodr"
    return _load(path.resolve(), path.stat().st_mtime_ns)


@lru_cache(maxsize=2)
def town_from_opendrive(xodr: str) -> Town:
    """The town CARLA builds for ``generate_opendrive_world``: named "OpenDriveMap", from a client's text.

    Text that is not a usable OpenDRIVE map raises ``ValueError`` saying what is wrong. The same text sent
    again gets the same (immutable) town without parsing it twice.
    """
    odr = parse_xodr(xodr, source="OpenDRIVE text")
    if not odr.roads:
        raise ValueError("the OpenDRIVE map has no <road>")
    return _build_town(OPENDRIVE_MAP, xodr, odr)


@lru_cache(maxsize=8)
def _load(path: Path, _mtime_ns: int) -> Town:
    xodr = path.read_text(encoding="utf-8")
    return _build_town(path.stem, xodr, parse_xodr(xodr, source=path.name))


def _build_town(name: str, xodr: str, odr: OpenDrive) -> Town:
    geo = odr.header.geo_reference
    return Town(
        name=name,
        map_name=MAP_PATH_PREFIX + name,
        xodr=xodr,
        opendrive=odr,
        spawn_points=tuple(generate_spawn_points(odr)),
        geo_reference=(geo.latitude, geo.longitude, geo.altitude),
        _ground=GroundHeight(odr),
    )
