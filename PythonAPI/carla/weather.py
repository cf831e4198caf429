"""WeatherParameters of the CARLA 0.9.16 Python API, with the official presets."""

from .geometry import _Field, _float32, _Struct

__all__ = ['WeatherParameters']


class WeatherParameters(_Struct):
    """Weather and sun. Wire: the 14 float32 fields in this order."""

    cloudiness = _Field(_float32)
    precipitation = _Field(_float32)
    precipitation_deposits = _Field(_float32)
    wind_intensity = _Field(_float32)
    sun_azimuth_angle = _Field(_float32)
    sun_altitude_angle = _Field(_float32)
    fog_density = _Field(_float32)
    fog_distance = _Field(_float32)
    fog_falloff = _Field(_float32)
    wetness = _Field(_float32)
    scattering_intensity = _Field(_float32)
    mie_scattering_scale = _Field(_float32)
    rayleigh_scattering_scale = _Field(_float32)
    dust_storm = _Field(_float32)

    _FIELDS = ('cloudiness', 'precipitation', 'precipitation_deposits', 'wind_intensity',
               'sun_azimuth_angle', 'sun_altitude_angle', 'fog_density', 'fog_distance',
               'fog_falloff', 'wetness', 'scattering_intensity', 'mie_scattering_scale',
               'rayleigh_scattering_scale', 'dust_storm')

    def __init__(self, cloudiness=0.0, precipitation=0.0, precipitation_deposits=0.0,
                 wind_intensity=0.0, sun_azimuth_angle=0.0, sun_altitude_angle=0.0,
                 fog_density=0.0, fog_distance=0.0, fog_falloff=0.0, wetness=0.0,
                 scattering_intensity=0.0, mie_scattering_scale=0.0,
                 rayleigh_scattering_scale=0.0331, dust_storm=0.0):
        self.cloudiness = cloudiness
        self.precipitation = precipitation
        self.precipitation_deposits = precipitation_deposits
        self.wind_intensity = wind_intensity
        self.sun_azimuth_angle = sun_azimuth_angle
        self.sun_altitude_angle = sun_altitude_angle
        self.fog_density = fog_density
        self.fog_distance = fog_distance
        self.fog_falloff = fog_falloff
        self.wetness = wetness
        self.scattering_intensity = scattering_intensity
        self.mie_scattering_scale = mie_scattering_scale
        self.rayleigh_scattering_scale = rayleigh_scattering_scale
        self.dust_storm = dust_storm

    def __str__(self):
        return 'WeatherParameters(%s)' % self._fields_text(self._FIELDS)


# The presets, in the official client's order. Each row lists cloudiness, precipitation,
# precipitation_deposits, wind_intensity, sun_azimuth_angle, sun_altitude_angle,
# fog_density, fog_distance, fog_falloff, wetness; all presets share
# scattering_intensity=1, mie_scattering_scale=0.03, rayleigh_scattering_scale=0.0331.
_PRESETS = (
    ('Default', (-1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0), 0.0),
    ('ClearNoon', (5.0, 0.0, 0.0, 10.0, -1.0, 45.0, 2.0, 0.75, 0.1, 0.0), 0.0),
    ('CloudyNoon', (60.0, 0.0, 0.0, 10.0, -1.0, 45.0, 3.0, 0.75, 0.1, 0.0), 0.0),
    ('WetNoon', (5.0, 0.0, 50.0, 10.0, -1.0, 45.0, 3.0, 0.75, 0.1, 0.0), 0.0),
    ('WetCloudyNoon', (60.0, 0.0, 50.0, 10.0, -1.0, 45.0, 3.0, 0.75, 0.1, 0.0), 0.0),
    ('MidRainyNoon', (60.0, 60.0, 60.0, 60.0, -1.0, 45.0, 3.0, 0.75, 0.1, 0.0), 0.0),
    ('HardRainNoon', (100.0, 100.0, 90.0, 100.0, -1.0, 45.0, 7.0, 0.75, 0.1, 0.0), 0.0),
    ('SoftRainNoon', (20.0, 30.0, 50.0, 30.0, -1.0, 45.0, 3.0, 0.75, 0.1, 0.0), 0.0),
    ('ClearSunset', (5.0, 0.0, 0.0, 10.0, -1.0, 15.0, 2.0, 0.75, 0.1, 0.0), 0.0),
    ('CloudySunset', (60.0, 0.0, 0.0, 10.0, -1.0, 15.0, 3.0, 0.75, 0.1, 0.0), 0.0),
    ('WetSunset', (5.0, 0.0, 50.0, 10.0, -1.0, 15.0, 2.0, 0.75, 0.1, 0.0), 0.0),
    ('WetCloudySunset', (60.0, 0.0, 50.0, 10.0, -1.0, 15.0, 2.0, 0.75, 0.1, 0.0), 0.0),
    ('MidRainSunset', (60.0, 60.0, 60.0, 60.0, -1.0, 15.0, 3.0, 0.75, 0.1, 0.0), 0.0),
    ('HardRainSunset', (100.0, 100.0, 90.0, 100.0, -1.0, 15.0, 7.0, 0.75, 0.1, 0.0), 0.0),
    ('SoftRainSunset', (20.0, 30.0, 50.0, 30.0, -1.0, 15.0, 2.0, 0.75, 0.1, 0.0), 0.0),
    ('ClearNight', (5.0, 0.0, 0.0, 10.0, -1.0, -90.0, 60.0, 75.0, 1.0, 0.0), 0.0),
    ('CloudyNight', (60.0, 0.0, 0.0, 10.0, -1.0, -90.0, 60.0, 0.75, 0.1, 0.0), 0.0),
    ('WetNight', (5.0, 0.0, 50.0, 10.0, -1.0, -90.0, 60.0, 75.0, 1.0, 60.0), 0.0),
    ('WetCloudyNight', (60.0, 0.0, 50.0, 10.0, -1.0, -90.0, 60.0, 0.75, 0.1, 60.0), 0.0),
    ('SoftRainNight', (60.0, 30.0, 50.0, 30.0, -1.0, -90.0, 60.0, 0.75, 0.1, 60.0), 0.0),
    ('MidRainyNight', (80.0, 60.0, 60.0, 60.0, -1.0, -90.0, 60.0, 0.75, 0.1, 80.0), 0.0),
    ('HardRainNight', (100.0, 100.0, 90.0, 100.0, -1.0, -90.0, 100.0, 0.75, 0.1, 100.0), 0.0),
    ('DustStorm', (100.0, 0.0, 0.0, 100.0, -1.0, 45.0, 2.0, 0.75, 0.1, 0.0), 100.0),
)

for _name, _values, _dust in _PRESETS:
    setattr(WeatherParameters, _name,
            WeatherParameters(*_values, 1.0, 0.03, 0.0331, _dust))
del _name, _values, _dust
