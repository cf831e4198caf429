#version 330 core
// Scene colour -> 8-bit: bloom, exposure and ACES (Epic), clamp, gamma encode (pow 1/gamma of the
// camera's `gamma` attribute). Last pass: writes B, G, R, 255. Before FXAA: R, G, B, luma.
#define TONEMAP 0
#define BLOOM 0
#define OUTPUT_BGRA 1
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/fullscreen.glsl"

void main() {
    fullscreen_vertex(0.0);
}

#elif defined FRAGMENT_SHADER
#if TONEMAP
#include "include/aces.glsl"
#endif
in vec2 v_uv;
out vec4 f_color;
uniform sampler2D u_scene;
#if BLOOM
uniform sampler2D u_bloom;
uniform float u_bloom_intensity;
#endif

void main() {
    vec3 color = texelFetch(u_scene, ivec2(gl_FragCoord.xy), 0).rgb;
#if BLOOM
    color += texture(u_bloom, v_uv).rgb * u_bloom_intensity;
#endif
#if TONEMAP
    color = aces_fit(color * u_camera.w);
#endif
    color = pow(clamp(color, 0.0, 1.0), vec3(1.0 / u_camera.x));
#if OUTPUT_BGRA
    f_color = vec4(color.bgr, 1.0);
#else
    f_color = vec4(color, dot(color, vec3(0.299, 0.587, 0.114)));
#endif
}
#endif
