#version 430 core
// Scene colour -> 8-bit: bloom, exposure and ACES (Epic), clamp, gamma encode (pow 1/gamma of the
// camera's `gamma` attribute). Last pass: writes B, G, R, 255. Before FXAA: R, G, B, luma.
#define TONEMAP 0
#define BLOOM 0
#define OUTPUT_BGRA 1
#define POST_FORMAT rgba8
#define POST_ACCUMULATE 0
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/fullscreen.glsl"

void main() {
    fullscreen_vertex(0.0);
}

#elif defined FRAGMENT_SHADER || defined COMPUTE_SHADER
#include "include/output.glsl"
#if TONEMAP
#include "include/aces.glsl"
#endif
uniform sampler2D u_scene;
#if BLOOM
uniform sampler2D u_bloom;
uniform float u_bloom_intensity;
#endif

vec4 shade(ivec2 pixel, vec2 uv) {
    vec3 color = texelFetch(u_scene, pixel, 0).rgb;
#if BLOOM
    color += texture(u_bloom, uv).rgb * u_bloom_intensity;
#endif
#if TONEMAP
    color = aces_fit(color * u_camera.w);
#endif
#if OUTPUT_BGRA
    return sensor_bgra(color);
#else
    color = pow(clamp(color, 0.0, 1.0), vec3(1.0 / u_camera.x));
    return vec4(color, dot(color, vec3(0.299, 0.587, 0.114)));
#endif
}

#include "include/post_main.glsl"
#endif
