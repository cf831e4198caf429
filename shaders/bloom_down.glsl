#version 430 core
// Bloom downsample: 13-tap filter (Jimenez 2014, "Next Generation Post Processing in Call of
// Duty"), or with DOWN_TAPS 4 a 4x4 box (the first level, from full resolution, where 13 taps cost
// most); the first level also applies a soft-knee bright pass.
#define DOWN_TAPS 13
#define POST_FORMAT rgba16f
#define POST_ACCUMULATE 0
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/fullscreen.glsl"

void main() {
    fullscreen_vertex(0.0);
}

#elif defined FRAGMENT_SHADER || defined COMPUTE_SHADER
uniform sampler2D u_source;
uniform float u_threshold;      // 0 = no bright pass

vec3 tap(vec2 uv, vec2 texel, vec2 offset) {
    return texture(u_source, uv + texel * offset).rgb;
}

vec4 shade(ivec2 pixel, vec2 uv) {
    vec2 texel = 1.0 / vec2(textureSize(u_source, 0));
#if DOWN_TAPS == 4
    // Four bilinear taps: the box average of the 4x4 source texels around the pixel.
    vec3 color = (tap(uv, texel, vec2(-1.0, -1.0)) + tap(uv, texel, vec2(1.0, -1.0))
                + tap(uv, texel, vec2(-1.0, 1.0)) + tap(uv, texel, vec2(1.0, 1.0))) * 0.25;
#else
    vec3 a = tap(uv, texel, vec2(-2.0, 2.0));
    vec3 b = tap(uv, texel, vec2(0.0, 2.0));
    vec3 c = tap(uv, texel, vec2(2.0, 2.0));
    vec3 d = tap(uv, texel, vec2(-2.0, 0.0));
    vec3 e = tap(uv, texel, vec2(0.0, 0.0));
    vec3 f = tap(uv, texel, vec2(2.0, 0.0));
    vec3 g = tap(uv, texel, vec2(-2.0, -2.0));
    vec3 h = tap(uv, texel, vec2(0.0, -2.0));
    vec3 i = tap(uv, texel, vec2(2.0, -2.0));
    vec3 j = tap(uv, texel, vec2(-1.0, 1.0));
    vec3 k = tap(uv, texel, vec2(1.0, 1.0));
    vec3 l = tap(uv, texel, vec2(-1.0, -1.0));
    vec3 m = tap(uv, texel, vec2(1.0, -1.0));
    vec3 color = e * 0.125 + (a + c + g + i) * 0.03125 + (b + d + f + h) * 0.0625 + (j + k + l + m) * 0.125;
#endif
    if (u_threshold > 0.0) {
        float brightness = max(color.r, max(color.g, color.b));
        float knee = 0.5 * u_threshold;
        float soft = clamp(brightness - u_threshold + knee, 0.0, 2.0 * knee);
        soft = soft * soft / (4.0 * knee + 1e-5);
        color *= max(soft, brightness - u_threshold) / max(brightness, 1e-5);
    }
    return vec4(min(color, vec3(64.0)), 1.0);
}

#include "include/post_main.glsl"
#endif
