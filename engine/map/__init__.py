"""Maps: the towns' OpenDRIVE files, spawn points and ground height."""

from .town import Town, UnknownMapError, available_maps, load_town

__all__ = ["Town", "UnknownMapError", "available_maps", "load_town"]
