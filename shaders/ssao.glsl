#version 430 core
// Screen-space ambient occlusion at half resolution: hemisphere samples around the view-space
// normal, rotated per pixel by a 4x4 noise tile. Output: R = ambient visibility, G = planar depth
// (for the depth-aware blur).
#define SSAO_SAMPLES 16
#define POST_FORMAT rg16f
#define POST_ACCUMULATE 0
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/fullscreen.glsl"

void main() {
    fullscreen_vertex(0.0);
}

#elif defined FRAGMENT_SHADER || defined COMPUTE_SHADER
uniform sampler2D u_depth;
uniform sampler2D u_normal;
uniform sampler2D u_noise;
uniform vec3 u_kernel[SSAO_SAMPLES];

vec3 view_position(vec2 uv, float depth01) {
    vec4 p = u_inv_proj * vec4(uv * 2.0 - 1.0, depth01 * 2.0 - 1.0, 1.0);
    return p.xyz / p.w;
}

vec3 decode_octahedral(vec2 e) {
    vec3 n = vec3(e, 1.0 - abs(e.x) - abs(e.y));
    if (n.z < 0.0) {
        n.xy = (1.0 - abs(n.yx)) * vec2(n.x >= 0.0 ? 1.0 : -1.0, n.y >= 0.0 ? 1.0 : -1.0);
    }
    return normalize(n);
}

vec4 shade(ivec2 pixel, vec2 uv) {
    // One full-resolution texel per half-resolution pixel, fetched by index: a sample position on
    // the shared edge of four texels would depend on the rounding of the pixel's uv.
    ivec2 source = pixel * 2;
    vec2 source_uv = (vec2(source) + 0.5) / vec2(textureSize(u_depth, 0));
    float depth01 = texelFetch(u_depth, source, 0).r;
    if (depth01 >= 1.0) {
        return vec4(1.0, u_camera.z, 0.0, 0.0);
    }
    vec3 p = view_position(source_uv, depth01);
    vec3 n = decode_octahedral(texelFetch(u_normal, source, 0).xy);
    vec3 random = vec3(texture(u_noise, (vec2(pixel) + 0.5) * 0.25).xy, 0.0);
    vec3 t = normalize(random - n * dot(random, n));
    mat3 tbn = mat3(t, cross(n, t), n);
    float radius = u_draw_distance.w;
    // A pixel's footprint on surfaces seen at a grazing angle grows with distance: so must the bias,
    // or distant flat ground occludes itself.
    float bias = 0.02 + 0.01 * -p.z;
    float occlusion = 0.0;
    for (int i = 0; i < SSAO_SAMPLES; ++i) {
        vec3 s = p + tbn * u_kernel[i] * radius;
        vec4 clip = u_proj * vec4(s, 1.0);
        vec2 sample_uv = clip.xy / clip.w * 0.5 + 0.5;
        float scene_z = -linear_depth(texture(u_depth, sample_uv).r);
        float in_range = smoothstep(0.0, 1.0, radius / max(abs(p.z - scene_z), 1e-4));
        occlusion += (scene_z >= s.z + bias ? 1.0 : 0.0) * in_range;
    }
    float visibility = 1.0 - occlusion / float(SSAO_SAMPLES);
    return vec4(visibility * visibility, -p.z, 0.0, 0.0);
}

#include "include/post_main.glsl"
#endif
