#version 330 core
// Sky behind everything: drawn at the far plane, depth-tested against the scene.
#define ANALYTIC_SKY 0
#define OUTPUT_BGRA 0
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/fullscreen.glsl"

void main() {
    fullscreen_vertex(1.0);
}

#elif defined FRAGMENT_SHADER
#include "include/output.glsl"
#if ANALYTIC_SKY
#include "include/sky_preetham.glsl"
#endif
in vec2 v_uv;
out vec4 f_color;

void main() {
    vec4 far_point = u_inv_view_proj * vec4(v_uv * 2.0 - 1.0, 1.0, 1.0);
    vec3 dir = normalize(far_point.xyz / far_point.w - u_eye.xyz);
#if ANALYTIC_SKY
    vec3 color = sky_color(dir);
    float sun_cos = dot(dir, u_sun.xyz);
    if (sun_cos > u_sun_color.w) {
        // Sun disc, bright enough to bloom; hidden by clouds.
        color += u_sun_color.rgb * u_sun.w * 20.0 * (1.0 - u_sky_ambient.w);
    }
#else
    vec3 color = u_flat_sky.rgb;
#endif
#if OUTPUT_BGRA
    f_color = sensor_bgra(color);
#else
    f_color = vec4(color, 1.0);
#endif
}
#endif
