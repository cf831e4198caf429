#version 430 core
// Bloom upsample: 3x3 tent filter of the smaller level, added onto the larger one.
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
    vec2 t = 1.0 / vec2(textureSize(u_source, 0));
    vec3 sum = texture(u_source, uv).rgb * 4.0;
    sum += (texture(u_source, uv + vec2(-t.x, 0.0)).rgb + texture(u_source, uv + vec2(t.x, 0.0)).rgb
          + texture(u_source, uv + vec2(0.0, -t.y)).rgb + texture(u_source, uv + vec2(0.0, t.y)).rgb) * 2.0;
    sum += texture(u_source, uv + vec2(-t.x, -t.y)).rgb + texture(u_source, uv + vec2(t.x, -t.y)).rgb
         + texture(u_source, uv + vec2(-t.x, t.y)).rgb + texture(u_source, uv + vec2(t.x, t.y)).rgb;
    return vec4(sum / 16.0, 1.0);
}

#include "include/post_main.glsl"
#endif
