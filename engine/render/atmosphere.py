"""Weather -> sun, sky and fog numbers for the shaders (the AtmosphereBlock uniform block).

The sky is Preetham, Shirley and Smits (1999), "A Practical Analytic Model for Daylight": Perez
distribution coefficients and zenith values from turbidity and the sun's zenith angle, evaluated
per pixel in shaders/include/sky_preetham.glsl. Turbidity (2..10) grows with cloudiness, fog and
dust. Unit choices (documented here, not CARLA's): fog_density 100 gives an extinction of 0.05/m at
the ground, fog_falloff f gives a height fall-off of 0.1*f per metre (Unreal's FogHeightFalloff is
per 1000 cm), fog starts at fog_distance metres.
"""
from __future__ import annotations

import math

import numpy as np

WEATHER_FIELDS = ("cloudiness", "precipitation", "precipitation_deposits", "wind_intensity",
                  "sun_azimuth_angle", "sun_altitude_angle", "fog_density", "fog_distance", "fog_falloff",
                  "wetness", "scattering_intensity", "mie_scattering_scale", "rayleigh_scattering_scale",
                  "dust_storm")
# CARLA's ClearNoon, used for fields a shorter tuple leaves out.
_DEFAULTS = (5.0, 0.0, 0.0, 10.0, -1.0, 45.0, 2.0, 0.75, 0.1, 0.0, 1.0, 0.03, 0.0331, 0.0)
ATMOSPHERE_BLOCK_VEC4 = 17
_XYZ_TO_RGB = np.array([[3.2406, -1.5372, -0.4986],
                        [-0.9689, 1.8758, 0.0415],
                        [0.0557, -0.2040, 1.0570]])


def weather_dict(weather) -> dict:
    values = list(weather) + list(_DEFAULTS[len(weather):])
    if len(values) != len(WEATHER_FIELDS):
        raise ValueError(f"weather needs {len(WEATHER_FIELDS)} values, got {len(weather)}")
    return {name: float(v) for name, v in zip(WEATHER_FIELDS, values)}


def sun_direction(azimuth_deg: float, altitude_deg: float) -> np.ndarray:
    """Unit vector toward the sun in CARLA world coordinates."""
    az, alt = math.radians(azimuth_deg), math.radians(altitude_deg)
    return np.array([math.cos(alt) * math.cos(az), math.cos(alt) * math.sin(az), math.sin(alt)])


def perez_coefficients(turbidity: float) -> np.ndarray:
    """(5, 3): A..E for luminance Y and chromaticities x, y."""
    t = turbidity
    return np.array([
        [0.1787 * t - 1.4630, -0.0193 * t - 0.2592, -0.0167 * t - 0.2608],
        [-0.3554 * t + 0.4275, -0.0665 * t + 0.0008, -0.0950 * t + 0.0092],
        [-0.0227 * t + 5.3251, -0.0004 * t + 0.2125, -0.0079 * t + 0.2102],
        [0.1206 * t - 2.5771, -0.0641 * t - 0.8989, -0.0441 * t - 1.6537],
        [-0.0670 * t + 0.3703, -0.0033 * t + 0.0452, -0.0109 * t + 0.0529],
    ])


def zenith_values(turbidity: float, theta_s: float) -> np.ndarray:
    """Zenith luminance (kcd/m^2) and chromaticity x, y."""
    t = turbidity
    chi = (4.0 / 9.0 - t / 120.0) * (math.pi - 2.0 * theta_s)
    luminance = (4.0453 * t - 4.9710) * math.tan(chi) - 0.2155 * t + 2.4192
    ts = np.array([theta_s ** 3, theta_s ** 2, theta_s, 1.0])
    tt = np.array([t * t, t, 1.0])
    mx = np.array([[0.00166, -0.00375, 0.00209, 0.0],
                   [-0.02903, 0.06377, -0.03202, 0.00394],
                   [0.11693, -0.21196, 0.06052, 0.25886]])
    my = np.array([[0.00275, -0.00610, 0.00317, 0.0],
                   [-0.04214, 0.08970, -0.04153, 0.00516],
                   [0.15346, -0.26756, 0.06670, 0.26688]])
    return np.array([luminance, tt @ mx @ ts, tt @ my @ ts])


def perez(coeffs: np.ndarray, cos_theta: float, gamma: float) -> np.ndarray:
    a, b, c, d, e = coeffs
    cos_theta = max(cos_theta, 0.01)
    return (1.0 + a * np.exp(b / cos_theta)) * (1.0 + c * np.exp(d * gamma) + e * math.cos(gamma) ** 2)


def yxy_to_rgb(big_y: float, x: float, y: float) -> np.ndarray:
    y = max(y, 1e-4)
    xyz = np.array([x / y * big_y, big_y, (1.0 - x - y) / y * big_y])
    return np.maximum(_XYZ_TO_RGB @ xyz, 0.0)


class Atmosphere:
    """Everything the shaders need from one weather tuple."""

    def __init__(self, weather):
        self.source = tuple(weather)
        w = weather_dict(weather)
        self.weather = w
        cloud = min(max(w["cloudiness"], 0.0), 100.0) / 100.0
        fog = min(max(w["fog_density"], 0.0), 100.0) / 100.0
        dust = min(max(w["dust_storm"], 0.0), 100.0) / 100.0
        self.cloudiness = cloud
        self.wetness = min(max(w["wetness"], 0.0), 100.0) / 100.0
        self.deposits = min(max(w["precipitation_deposits"], 0.0), 100.0) / 100.0
        self.turbidity = 2.0 + 8.0 * min(1.0, 0.5 * cloud + 0.5 * fog + dust)
        altitude = w["sun_altitude_angle"]
        self.sun_dir = sun_direction(w["sun_azimuth_angle"], altitude)
        # The sky model needs the sun above the horizon; night dims it instead.
        theta_s = math.radians(90.0 - min(max(altitude, 1.0), 89.0))
        self.perez = perez_coefficients(self.turbidity)
        self.zenith = zenith_values(self.turbidity, theta_s)
        self.perez_norm = perez(self.perez, 1.0, theta_s)
        day = _smoothstep(-6.0, 12.0, altitude)
        self.sky_brightness = 0.01 + 0.27 * day
        self.sun_intensity = 1.8 * _smoothstep(-2.0, 8.0, altitude) * (1.0 - 0.8 * cloud) * (1.0 - 0.7 * fog)
        self.sun_color = _sun_color(altitude, self.turbidity)
        self.zenith_rgb = self.sky_rgb(np.array([0.0, 0.0, 1.0]))
        self.overcast = np.array([0.55, 0.58, 0.62]) * self.sky_brightness * 2.0
        grey = self.overcast
        self.flat_sky = (1.0 - cloud) * self.zenith_rgb + cloud * grey
        self.sky_ambient = 0.6 * ((1.0 - cloud) * self._mean_sky() + cloud * grey)
        self.ground_ambient = 0.3 * self.sky_ambient + 0.05 * self.sun_color * self.sun_intensity
        self.fog_density = 0.05 * fog + 0.03 * dust
        self.fog_start = max(w["fog_distance"], 0.0)
        self.fog_falloff = max(w["fog_falloff"], 0.0) * 0.1
        self.fog_tint = (1.0 - dust) * np.ones(3) + dust * np.array([1.0, 0.78, 0.5])
        self.precipitation = min(max(w["precipitation"], 0.0), 100.0) / 100.0

    def sky_rgb(self, direction: np.ndarray) -> np.ndarray:
        """Linear sky colour (before clouds) in a world direction; mirrors sky_preetham.glsl."""
        d = direction / np.linalg.norm(direction)
        cos_theta = max(d[2], 0.0)
        gamma = math.acos(min(max(float(d @ self.sun_dir), -1.0), 1.0))
        f = np.array([perez(self.perez[:, i], cos_theta, gamma) for i in range(3)])
        yxy = self.zenith * f / self.perez_norm
        rgb = yxy_to_rgb(1.0, yxy[1], yxy[2])
        return rgb * (yxy[0] / self.zenith[0]) * self.sky_brightness

    def _mean_sky(self) -> np.ndarray:
        """Average clear-sky colour over the upper hemisphere (a coarse irradiance estimate)."""
        samples = [np.array([0.0, 0.0, 1.0])]
        for elevation in (15.0, 45.0):
            for azimuth in range(0, 360, 45):
                e, a = math.radians(elevation), math.radians(azimuth)
                samples.append(np.array([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)]))
        return np.mean([self.sky_rgb(d) for d in samples], axis=0)

    @staticmethod
    def block_bytes() -> int:
        return ATMOSPHERE_BLOCK_VEC4 * 16

    def block(self) -> np.ndarray:
        """The AtmosphereBlock std140 data: 17 vec4 (see shaders/include/common.glsl)."""
        out = np.zeros((ATMOSPHERE_BLOCK_VEC4, 4), np.float32)
        out[0] = (*self.sun_dir, self.sun_intensity)
        out[1] = (*self.sun_color, math.cos(math.radians(0.6)))
        out[2] = (*self.sky_ambient, self.cloudiness)
        out[3] = (*self.ground_ambient, self.wetness)
        out[4] = (*self.flat_sky, self.sky_brightness)
        out[5] = (self.fog_density, self.fog_start, self.fog_falloff, self.deposits)
        out[6] = (*self.fog_tint, self.precipitation)
        out[7:12, :3] = self.perez
        out[12] = (*self.zenith, 0.0)
        out[13] = (*self.perez_norm, 0.0)
        out[14] = (*self.overcast, 0.0)
        out[15] = (*self.zenith_rgb, 0.0)
        out[16] = 0.0
        return out


def _smoothstep(edge0: float, edge1: float, x: float) -> float:
    t = min(max((x - edge0) / (edge1 - edge0), 0.0), 1.0)
    return t * t * (3.0 - 2.0 * t)


def _sun_color(altitude_deg: float, turbidity: float) -> np.ndarray:
    """Sunlight after the atmosphere: redder through more air (Kasten-Young air mass)."""
    alt = max(altitude_deg, 0.0)
    air_mass = 1.0 / (math.sin(math.radians(alt)) + 0.50572 * (alt + 6.07995) ** -1.6364)
    extinction = np.array([0.02, 0.045, 0.11]) * (0.6 + 0.2 * turbidity)
    color = np.exp(-extinction * air_mass)
    return color / max(color.max(), 1e-6)
