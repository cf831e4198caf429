"""CARLA's two quality levels as frozen presets: which passes run and the shader defines they get.

CARLA has exactly Epic (default) and Low (rpc::QualityLevel). Depth, semantic and instance cameras
ignore the preset. Low's draw distances follow CarlaSettingsDelegate.cpp: other geometry is cut at
100 m and road pieces (road, road lines, sidewalks) at 150 m, with a linear fade over the last 20 %.
"""
from __future__ import annotations

import dataclasses

# Semantic tags (0.9.14+) of what CARLA's Low preset treats as road pieces.
ROAD_TAGS = (1, 2, 24)


@dataclasses.dataclass(frozen=True)
class QualityPreset:
    name: str
    shadows: bool
    shadow_map_size: int          # texels per side of the sun's depth map
    shadow_extent_m: float        # side of the square the shadow map covers around the camera
    shadow_pcf_taps: int          # 1 or 4 hardware-filtered taps
    ssao: bool
    ssao_samples: int
    ssao_radius_m: float
    bloom: bool
    bloom_levels: int
    bloom_intensity: float
    tonemap: bool                 # exposure + ACES; off = clamp only
    exposure: float
    fxaa: bool
    analytic_sky: bool            # Preetham sky; off = flat colour
    height_fog: bool              # exponential height fog; off = linear distance fog
    specular: bool
    hdr_scene_color: bool         # RGBA16F scene colour; off = RGBA8
    draw_distance_m: float        # 0 = no cut (far plane)
    road_draw_distance_m: float
    far_plane_m: float = 1000.0
    near_plane_m: float = 0.1

    @property
    def post_processing(self) -> bool:
        """Whether scene colour goes through the tonemap pass. Without it the lit pass writes the
        sensor's gamma-encoded BGRA bytes itself (one pass, one rounding to 8 bits)."""
        return self.tonemap or self.bloom or self.fxaa or self.hdr_scene_color

    def defines(self) -> dict:
        """Shader defines this preset sets (each must be declared with a default in its file)."""
        return {
            "SHADOWS": int(self.shadows),
            "SHADOW_PCF_TAPS": self.shadow_pcf_taps,
            "SSAO": int(self.ssao),
            "SSAO_SAMPLES": self.ssao_samples,
            "ANALYTIC_SKY": int(self.analytic_sky),
            "HEIGHT_FOG": int(self.height_fog),
            "SPECULAR": int(self.specular),
            "DRAW_DISTANCE_CUT": int(self.draw_distance_m > 0.0),
            "TONEMAP": int(self.tonemap),
            "BLOOM": int(self.bloom),
        }


LOW = QualityPreset(
    name="Low", shadows=False, shadow_map_size=0, shadow_extent_m=0.0, shadow_pcf_taps=1,
    ssao=False, ssao_samples=0, ssao_radius_m=0.0, bloom=False, bloom_levels=0, bloom_intensity=0.0,
    tonemap=False, exposure=1.0, fxaa=False, analytic_sky=False, height_fog=False, specular=False,
    hdr_scene_color=False, draw_distance_m=100.0, road_draw_distance_m=150.0)

EPIC = QualityPreset(
    name="Epic", shadows=True, shadow_map_size=2048, shadow_extent_m=100.0, shadow_pcf_taps=4,
    ssao=True, ssao_samples=8, ssao_radius_m=0.6, bloom=True, bloom_levels=4, bloom_intensity=0.06,
    tonemap=True, exposure=0.8, fxaa=True, analytic_sky=True, height_fog=True, specular=True,
    hdr_scene_color=True, draw_distance_m=0.0, road_draw_distance_m=0.0)

PRESETS = {"low": LOW, "epic": EPIC}


def preset_by_name(name: str) -> QualityPreset:
    """'Low' or 'Epic' (case-insensitive), as CARLA's -quality-level flag spells them."""
    try:
        return PRESETS[str(name).strip().lower()]
    except KeyError:
        raise ValueError(f"unknown quality level {name!r}: CARLA has 'Low' and 'Epic'") from None
