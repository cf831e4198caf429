"""CARLA 0.9.16's geolocation of a map point: the inverse of a spherical transverse Mercator projection
(scale factor 0.9996) centred on the map's geo reference; x points east and y north.

Shared by the server's GNSS sensor and the client's ``Map.transform_to_geolocation``.
"""

import math

from .parser import proj_origin

EARTH_RADIUS = 6378137.0
SCALE_FACTOR = 0.9996
# CARLA's origin when the geoReference gives no usable +lat_0 and +lon_0.
DEFAULT_ORIGIN = (42.0, 2.0, 0.0)


def geo_origin(proj_text: str) -> tuple:
    """(latitude, longitude, altitude) of the map origin from the header's geoReference text."""
    try:
        latitude, longitude = proj_origin(proj_text)
    except ValueError:
        return DEFAULT_ORIGIN
    if latitude is None or longitude is None:
        return DEFAULT_ORIGIN
    return (latitude, longitude, 0.0)


def geolocation(origin: tuple, x: float, y: float, z: float) -> tuple:
    """(latitude, longitude, altitude) of the point (x, y, z) metres of the map.

    As LibCarla's GeoLocation::Transform, the origin's altitude is added twice."""
    latitude, longitude, altitude = origin
    d = x / (SCALE_FACTOR * EARTH_RADIUS)
    e = y / (SCALE_FACTOR * EARTH_RADIUS) + math.radians(latitude)
    phi = math.asin(math.sin(e) / math.cosh(d))
    delta_lambda = math.atan2(math.sinh(d), math.cos(e))
    return (math.degrees(phi), math.degrees(math.radians(longitude) + delta_lambda), z + 2.0 * altitude)
