"""``sensor.other.gnss``: the sensor's latitude, longitude and altitude from the map's geo reference.

As CARLA's AGnssSensor: each value gets its bias plus normal noise of its standard deviation (degrees for
latitude and longitude, metres for altitude). The message body is the msgpack array [lat, lon, alt] of
doubles (GnssSerializer packs a geom::GeoLocation).
"""
from __future__ import annotations

import msgpack

from carla_odr.geo import geo_origin, geolocation
from engine.sensors.periodic import PeriodicSensor, random_engine
from engine.sensors.registry import register

GNSS_SENSOR_TYPE = 4      # position in the 0.9.16 client's sensor registry


class GnssSensor(PeriodicSensor):
    sensor_type = GNSS_SENSOR_TYPE

    def __init__(self, actor, stream_id: int, world):
        super().__init__(actor, stream_id, world)
        a = self.attributes
        self.bias = tuple(a.number(f"noise_{axis}_bias", 0.0) for axis in ("lat", "lon", "alt"))
        self.stddev = tuple(a.number(f"noise_{axis}_stddev", 0.0, 0.0) for axis in ("lat", "lon", "alt"))
        self.rng = random_engine(a)
        self.origin = geo_origin(world.town.opendrive.header.geo_reference_text)

    def measure(self, world, dt: float, pose) -> bytes:
        (x, y, z), _rotation = pose
        exact = geolocation(self.origin, x, y, z)
        noise = self.rng.normal(0.0, self.stddev)
        return msgpack.packb([float(v + b + n) for v, b, n in zip(exact, self.bias, noise)])


register("sensor.other.gnss", GnssSensor)
