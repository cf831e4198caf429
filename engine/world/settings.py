"""Episode settings: the 11 fields of rpc::EpisodeSettings, in wire order."""
from __future__ import annotations

import dataclasses
import math
from typing import Optional

from engine.server import wire


@dataclasses.dataclass
class EpisodeSettings:
    synchronous_mode: bool = False
    no_rendering_mode: bool = False
    fixed_delta_seconds: Optional[float] = None
    substepping: bool = True
    max_substep_delta_time: float = 0.01
    max_substeps: int = 10
    max_culling_distance: float = 0.0
    deterministic_ragdolls: bool = True
    tile_stream_distance: float = 3000.0
    actor_active_distance: float = 2000.0
    spectator_as_ego: bool = True

    def to_wire(self) -> list:
        return [self.synchronous_mode, self.no_rendering_mode, wire.pack_optional(self.fixed_delta_seconds),
                self.substepping, self.max_substep_delta_time, self.max_substeps, self.max_culling_distance,
                self.deterministic_ragdolls, self.tile_stream_distance, self.actor_active_distance,
                self.spectator_as_ego]

    @classmethod
    def from_wire(cls, data) -> "EpisodeSettings":
        if not isinstance(data, (list, tuple)) or len(data) < 6:
            raise wire.WireError("settings: expected the EpisodeSettings array (at least 6 fields)")
        fixed = wire.unpack_optional(data[2], "fixed_delta_seconds")
        if fixed is not None:
            fixed = wire.number(fixed, "fixed_delta_seconds")
            if not math.isfinite(fixed) or fixed < 0:
                raise wire.WireError(f"fixed_delta_seconds must be a positive number, got {fixed}")
            if fixed == 0:
                fixed = None  # CARLA treats 0 as variable time step
        s = cls(
            synchronous_mode=wire.boolean(data[0], "synchronous_mode"),
            no_rendering_mode=wire.boolean(data[1], "no_rendering_mode"),
            fixed_delta_seconds=fixed,
            substepping=wire.boolean(data[3], "substepping"),
            max_substep_delta_time=wire.finite(data[4], "max_substep_delta_time"),
            max_substeps=wire.integer(data[5], "max_substeps"),
        )
        names = ["max_culling_distance", "deterministic_ragdolls", "tile_stream_distance",
                 "actor_active_distance", "spectator_as_ego"]
        for name, value in zip(names, data[6:]):
            setattr(s, name, wire.boolean(value, name) if isinstance(getattr(s, name), bool)
                    else wire.finite(value, name))
        if s.substepping and (s.max_substep_delta_time <= 0 or s.max_substeps < 1):
            raise wire.WireError("substepping needs max_substep_delta_time > 0 and max_substeps >= 1")
        return s
