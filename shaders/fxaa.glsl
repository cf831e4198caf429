#version 430 core
// FXAA in the style of Lottes' FXAA 3.11 (quality, short edge search), on gamma-encoded colour with
// luma in alpha. Writes the sensor bytes: B, G, R, 255.
#define FXAA_EDGE_THRESHOLD 0.125
#define FXAA_EDGE_THRESHOLD_MIN 0.0312
#define FXAA_SUBPIXEL 0.75
#define FXAA_SEARCH_STEPS 3
#define POST_FORMAT rgba8
#define POST_ACCUMULATE 0
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/fullscreen.glsl"

void main() {
    fullscreen_vertex(0.0);
}

#elif defined FRAGMENT_SHADER || defined COMPUTE_SHADER
uniform sampler2D u_ldr;

float luma_at(vec2 uv) {
    return textureLod(u_ldr, uv, 0.0).a;
}

float search_step(int i) {
    return i < 1 ? 1.5 : (i < 2 ? 2.0 : 4.0);
}

vec4 shade(ivec2 pixel, vec2 pixel_uv) {
    vec2 rcp = u_viewport.zw;
    vec2 uv = (vec2(pixel) + 0.5) * rcp;
    ivec2 last = textureSize(u_ldr, 0) - 1;
    vec4 center = texelFetch(u_ldr, pixel, 0);
    float luma_c = center.a;
    float luma_s = texelFetch(u_ldr, max(pixel + ivec2(0, -1), ivec2(0)), 0).a;
    float luma_n = texelFetch(u_ldr, min(pixel + ivec2(0, 1), last), 0).a;
    float luma_w = texelFetch(u_ldr, max(pixel + ivec2(-1, 0), ivec2(0)), 0).a;
    float luma_e = texelFetch(u_ldr, min(pixel + ivec2(1, 0), last), 0).a;
    float luma_max = max(luma_c, max(max(luma_s, luma_n), max(luma_w, luma_e)));
    float luma_min = min(luma_c, min(min(luma_s, luma_n), min(luma_w, luma_e)));
    float range = luma_max - luma_min;
    if (range < max(FXAA_EDGE_THRESHOLD_MIN, luma_max * FXAA_EDGE_THRESHOLD)) {
        return vec4(center.bgr, 1.0);
    }
    float luma_sw = texelFetch(u_ldr, clamp(pixel + ivec2(-1, -1), ivec2(0), last), 0).a;
    float luma_ne = texelFetch(u_ldr, clamp(pixel + ivec2(1, 1), ivec2(0), last), 0).a;
    float luma_nw = texelFetch(u_ldr, clamp(pixel + ivec2(-1, 1), ivec2(0), last), 0).a;
    float luma_se = texelFetch(u_ldr, clamp(pixel + ivec2(1, -1), ivec2(0), last), 0).a;
    float luma_ns = luma_n + luma_s;
    float luma_we = luma_w + luma_e;
    float corners_w = luma_sw + luma_nw;
    float corners_s = luma_sw + luma_se;
    float corners_e = luma_se + luma_ne;
    float corners_n = luma_ne + luma_nw;
    float edge_h = abs(-2.0 * luma_w + corners_w) + abs(-2.0 * luma_c + luma_ns) * 2.0 + abs(-2.0 * luma_e + corners_e);
    float edge_v = abs(-2.0 * luma_n + corners_n) + abs(-2.0 * luma_c + luma_we) * 2.0 + abs(-2.0 * luma_s + corners_s);
    bool horizontal = edge_h >= edge_v;
    float luma_1 = horizontal ? luma_s : luma_w;
    float luma_2 = horizontal ? luma_n : luma_e;
    float gradient_1 = luma_1 - luma_c;
    float gradient_2 = luma_2 - luma_c;
    bool steepest_1 = abs(gradient_1) >= abs(gradient_2);
    float gradient_scaled = 0.25 * max(abs(gradient_1), abs(gradient_2));
    float step_length = horizontal ? rcp.y : rcp.x;
    float luma_local = 0.5 * ((steepest_1 ? luma_1 : luma_2) + luma_c);
    if (steepest_1) {
        step_length = -step_length;
    }
    vec2 edge_uv = uv;
    if (horizontal) {
        edge_uv.y += step_length * 0.5;
    } else {
        edge_uv.x += step_length * 0.5;
    }
    vec2 offset = horizontal ? vec2(rcp.x, 0.0) : vec2(0.0, rcp.y);
    vec2 uv_1 = edge_uv - offset;
    vec2 uv_2 = edge_uv + offset;
    float end_1 = luma_at(uv_1) - luma_local;
    float end_2 = luma_at(uv_2) - luma_local;
    bool done_1 = abs(end_1) >= gradient_scaled;
    bool done_2 = abs(end_2) >= gradient_scaled;
    for (int i = 0; i < FXAA_SEARCH_STEPS && !(done_1 && done_2); ++i) {
        if (!done_1) {
            uv_1 -= offset * search_step(i);
            end_1 = luma_at(uv_1) - luma_local;
            done_1 = abs(end_1) >= gradient_scaled;
        }
        if (!done_2) {
            uv_2 += offset * search_step(i);
            end_2 = luma_at(uv_2) - luma_local;
            done_2 = abs(end_2) >= gradient_scaled;
        }
    }
    float distance_1 = horizontal ? uv.x - uv_1.x : uv.y - uv_1.y;
    float distance_2 = horizontal ? uv_2.x - uv.x : uv_2.y - uv.y;
    bool toward_1 = distance_1 < distance_2;
    float distance_min = min(distance_1, distance_2);
    float pixel_offset = 0.5 - distance_min / (distance_1 + distance_2);
    bool center_smaller = luma_c < luma_local;
    bool good_variation = ((toward_1 ? end_1 : end_2) < 0.0) != center_smaller;
    float final_offset = good_variation ? pixel_offset : 0.0;
    float luma_average = (2.0 * (luma_ns + luma_we) + corners_w + corners_e) / 12.0;
    float subpixel = clamp(abs(luma_average - luma_c) / range, 0.0, 1.0);
    subpixel = (-2.0 * subpixel + 3.0) * subpixel * subpixel;
    final_offset = max(final_offset, subpixel * subpixel * FXAA_SUBPIXEL);
    vec2 final_uv = uv;
    if (horizontal) {
        final_uv.y += final_offset * step_length;
    } else {
        final_uv.x += final_offset * step_length;
    }
    return vec4(textureLod(u_ldr, final_uv, 0.0).bgr, 1.0);
}

#include "include/post_main.glsl"
#endif
