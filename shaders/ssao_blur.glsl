#version 430 core
// 4x4 depth-aware blur of the half-resolution occlusion (matches the 4x4 noise tile).
#define POST_FORMAT r8
#define POST_ACCUMULATE 0
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/fullscreen.glsl"

void main() {
    fullscreen_vertex(0.0);
}

#elif defined FRAGMENT_SHADER || defined COMPUTE_SHADER
uniform sampler2D u_ao_half;

vec4 shade(ivec2 pixel, vec2 uv) {
    ivec2 size = textureSize(u_ao_half, 0);
    ivec2 base = pixel - ivec2(2);
    float center_z = texelFetch(u_ao_half, pixel, 0).g;
    float sum = 0.0;
    float weight = 0.0;
    for (int y = 0; y < 4; ++y) {
        for (int x = 0; x < 4; ++x) {
            vec2 s = texelFetch(u_ao_half, clamp(base + ivec2(x, y), ivec2(0), size - 1), 0).rg;
            float w = abs(s.g - center_z) < 0.05 * center_z + 0.1 ? 1.0 : 0.0;
            sum += s.r * w;
            weight += w;
        }
    }
    return vec4(weight > 0.0 ? sum / weight : 1.0);
}

#include "include/post_main.glsl"
#endif
