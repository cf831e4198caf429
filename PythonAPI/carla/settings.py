"""WorldSettings of the CARLA 0.9.16 Python API (``rpc::EpisodeSettings`` on the wire)."""

from .geometry import _bool, _Field, _float, _float32, _fmt_g, _int, _mismatch, _Struct

__all__ = ['WorldSettings']


def _fixed_delta(value, where):
    """An optional step: a positive number, or None (0, negatives and NaN read as None)."""
    if value is None:
        return None
    value = _float(value, where)
    return value if value > 0.0 else None


class WorldSettings(_Struct):
    """Simulation settings.

    Wire (``rpc::EpisodeSettings``, 11 fields): ``[synchronous_mode, no_rendering_mode,
    fixed_delta_seconds ([False] or [True, seconds]), substepping, max_substep_delta_time,
    max_substeps, max_culling_distance, deterministic_ragdolls, tile_stream_distance,
    actor_active_distance, spectator_as_ego]``.
    """

    synchronous_mode = _Field(_bool)
    no_rendering_mode = _Field(_bool)
    fixed_delta_seconds = _Field(_fixed_delta)
    substepping = _Field(_bool)
    max_substep_delta_time = _Field(_float)
    max_substeps = _Field(_int)
    max_culling_distance = _Field(_float32)
    deterministic_ragdolls = _Field(_bool)
    tile_stream_distance = _Field(_float32)
    actor_active_distance = _Field(_float32)
    spectator_as_ego = _Field(_bool)

    _FIELDS = ('synchronous_mode', 'no_rendering_mode', 'fixed_delta_seconds', 'substepping',
               'max_substep_delta_time', 'max_substeps', 'max_culling_distance',
               'deterministic_ragdolls', 'tile_stream_distance', 'actor_active_distance',
               'spectator_as_ego')

    def __init__(self, synchronous_mode=False, no_rendering_mode=False, fixed_delta_seconds=0.0,
                 substepping=True, max_substep_delta_time=0.01, max_substeps=10,
                 max_culling_distance=0.0, deterministic_ragdolls=False,
                 tile_stream_distance=3000.0, actor_active_distance=2000.0,
                 spectator_as_ego=True):
        if fixed_delta_seconds is None:
            raise _mismatch('WorldSettings.__init__', (fixed_delta_seconds,),
                            '__init__(..., double fixed_delta_seconds=0.0, ...)')
        self.synchronous_mode = synchronous_mode
        self.no_rendering_mode = no_rendering_mode
        self.fixed_delta_seconds = fixed_delta_seconds
        self.substepping = substepping
        self.max_substep_delta_time = max_substep_delta_time
        self.max_substeps = max_substeps
        self.max_culling_distance = max_culling_distance
        self.deterministic_ragdolls = deterministic_ragdolls
        self.tile_stream_distance = tile_stream_distance
        self.actor_active_distance = actor_active_distance
        self.spectator_as_ego = spectator_as_ego

    @classmethod
    def _from_wire(cls, data):
        optional = data[2]
        fields = list(data)
        fields[2] = optional[1] if optional and optional[0] else None
        return super()._from_wire(fields)

    def _to_wire(self):
        wire = super()._to_wire()
        step = self.__dict__['fixed_delta_seconds']
        wire[2] = [False] if step is None else [True, step]
        return wire

    def __str__(self):
        d = self.__dict__
        step = d['fixed_delta_seconds']
        # The official client prints stale memory for an unset step; 0 is printed here.
        return ('WorldSettings(synchronous_mode=%s,no_rendering_mode=%s,fixed_delta_seconds=%s,'
                'substepping=%s,max_substep_delta_time=%s,max_substeps=%d,'
                'max_culling_distance=%s,deterministic_ragdolls=%s)' % (
                    d['synchronous_mode'], d['no_rendering_mode'],
                    _fmt_g(0.0 if step is None else step), d['substepping'],
                    _fmt_g(d['max_substep_delta_time']), d['max_substeps'],
                    _fmt_g(d['max_culling_distance']), d['deterministic_ragdolls']))
