#version 430 core
// Bloom upsample: a tent filter of the smaller level, added onto the larger one.
#define POST_FORMAT rgba16f
#define POST_ACCUMULATE 1
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/fullscreen.glsl"

void main() {
    fullscreen_vertex(0.0);
}

#elif defined FRAGMENT_SHADER || defined COMPUTE_SHADER
uniform sampler2D u_source;

vec4 shade(ivec2 pixel, vec2 uv) {
    // Four bilinear taps half a source texel off the centre: a tent filter three texels wide.
    vec2 h = 0.5 / vec2(textureSize(u_source, 0));
    vec3 sum = texture(u_source, uv + vec2(-h.x, -h.y)).rgb + texture(u_source, uv + vec2(h.x, -h.y)).rgb
             + texture(u_source, uv + vec2(-h.x, h.y)).rgb + texture(u_source, uv + vec2(h.x, h.y)).rgb;
    return vec4(sum * 0.25, 1.0);
}

#include "include/post_main.glsl"
#endif
