"""One class per render pass; engine/render/pipeline.py orders them."""
from engine.render.passes.bloom import BloomPass
from engine.render.passes.depth_encode import DepthEncodePass
from engine.render.passes.fxaa import FxaaPass
from engine.render.passes.labels import LabelsPass
from engine.render.passes.lit import LitPass
from engine.render.passes.prepass import PrePass
from engine.render.passes.shadow import ShadowPass
from engine.render.passes.sky import SkyPass
from engine.render.passes.ssao import SsaoBlurPass, SsaoPass
from engine.render.passes.tonemap import TonemapPass

PASS_CLASSES = {cls.name: cls for cls in (
    ShadowPass, PrePass, SsaoPass, SsaoBlurPass, LitPass, SkyPass, BloomPass, TonemapPass, FxaaPass,
    LabelsPass, DepthEncodePass)}
