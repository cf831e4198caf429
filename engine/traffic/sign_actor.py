"""The actor record of a traffic light or sign: its trigger volume is its bounding box, as in CARLA."""
from __future__ import annotations

import dataclasses

import numpy as np

from engine.world.actors import Actor

TAG_TRAFFIC_LIGHT, TAG_TRAFFIC_SIGN = 7, 8     # CityObjectLabel
SIGN_ID_BYTES = 32                               # char sign_id[32] of the episode-state union


@dataclasses.dataclass
class SignActor(Actor):
    # (location, extent, rotation) of the trigger volume in the actor's frame.
    trigger_volume: tuple = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    sign_id: str = ""

    def bounding_box_wire(self) -> list:
        location, extent, rotation = self.trigger_volume
        return [list(location), list(extent), list(rotation), self.id]


def sign_id_bytes(sign_id: str) -> bytes:
    """The id as CARLA copies it into the record: UTF-8, cut at 32 bytes (no terminator when full)."""
    return sign_id.encode("utf-8")[:SIGN_ID_BYTES]


# The traffic-sign union of an episode-state record (offset 65): the sign id only.
SIGN_UNION = np.dtype({"names": ["sign_id"], "formats": ["S32"], "offsets": [65], "itemsize": 119})
