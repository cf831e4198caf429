"""Maps: the towns' OpenDRIVE files, spawn points and ground height."""

from .town import OPENDRIVE_MAP, Town, UnknownMapError, available_maps, load_town, town_from_opendrive

__all__ = ["OPENDRIVE_MAP", "Town", "UnknownMapError", "available_maps", "load_town", "town_from_opendrive"]
