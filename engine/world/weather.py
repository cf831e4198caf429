"""Weather: the 14 floats of rpc::WeatherParameters, in wire order."""
from __future__ import annotations

from engine.server import wire

FIELDS = ("cloudiness", "precipitation", "precipitation_deposits", "wind_intensity", "sun_azimuth_angle",
          "sun_altitude_angle", "fog_density", "fog_distance", "fog_falloff", "wetness",
          "scattering_intensity", "mie_scattering_scale", "rayleigh_scattering_scale", "dust_storm")

# CARLA's ClearNoon preset: the weather a new episode starts with.
CLEAR_NOON = (5.0, 0.0, 0.0, 10.0, -1.0, 45.0, 2.0, 0.75, 0.1, 0.0, 1.0, 0.03, 0.0331, 0.0)


def weather_from_wire(data) -> tuple:
    if not isinstance(data, (list, tuple)) or len(data) < 13:
        raise wire.WireError(f"weather: expected {len(FIELDS)} numbers")
    values = [wire.finite(v, name) for name, v in zip(FIELDS, data)]
    values += list(CLEAR_NOON[len(values):])
    return tuple(values)
