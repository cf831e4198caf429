"""CARLA 0.9.14+ semantic tags (``carla.CityObjectLabel``) and the CityScapes palette the client applies.

Values and names are those of the 0.9.16 client's ``carla.CityObjectLabel``; the palette is the table of
``LibCarla/source/carla/image/CityScapesPalette.h`` (as compiled into the 0.9.16 client), one row per tag.
"""
from __future__ import annotations

import enum

import numpy as np


class CityObjectLabel(enum.IntEnum):
    NONE = 0
    Roads = 1
    Sidewalks = 2
    Buildings = 3
    Walls = 4
    Fences = 5
    Poles = 6
    TrafficLight = 7
    TrafficSigns = 8
    Vegetation = 9
    Terrain = 10
    Sky = 11
    Pedestrians = 12
    Rider = 13
    Car = 14
    Truck = 15
    Bus = 16
    Train = 17
    Motorcycle = 18
    Bicycle = 19
    Static = 20
    Dynamic = 21
    Other = 22
    Water = 23
    RoadLines = 24
    Ground = 25
    Bridge = 26
    RailTrack = 27
    GuardRail = 28


# Row i is the colour (R, G, B) of tag i.
CITYSCAPES_PALETTE = np.array([
    (0, 0, 0),         # NONE
    (128, 64, 128),    # Roads
    (244, 35, 232),    # Sidewalks
    (70, 70, 70),      # Buildings
    (102, 102, 156),   # Walls
    (190, 153, 153),   # Fences
    (153, 153, 153),   # Poles
    (250, 170, 30),    # TrafficLight
    (220, 220, 0),     # TrafficSigns
    (107, 142, 35),    # Vegetation
    (152, 251, 152),   # Terrain
    (70, 130, 180),    # Sky
    (220, 20, 60),     # Pedestrians
    (255, 0, 0),       # Rider
    (0, 0, 142),       # Car
    (0, 0, 70),        # Truck
    (0, 60, 100),      # Bus
    (0, 80, 100),      # Train
    (0, 0, 230),       # Motorcycle
    (119, 11, 32),     # Bicycle
    (110, 190, 160),   # Static
    (170, 120, 50),    # Dynamic
    (55, 90, 80),      # Other
    (45, 60, 150),     # Water
    (157, 234, 50),    # RoadLines
    (81, 0, 81),       # Ground
    (150, 100, 100),   # Bridge
    (230, 150, 140),   # RailTrack
    (180, 165, 180),   # GuardRail
], dtype=np.uint8)

VALID_TAGS = frozenset(int(label) for label in CityObjectLabel)


def palette_color(tag: int) -> tuple:
    """CityScapes (R, G, B) bytes of a tag."""
    return tuple(int(c) for c in CITYSCAPES_PALETTE[CityObjectLabel(tag)])
