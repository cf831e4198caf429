#version 330 core
// Forward lighting: sun (Lambert, optional Blinn-Phong and shadow map), hemispheric ambient
// (optionally with SSAO), emissive surfaces, wet roads and fog. With OUTPUT_BGRA (no post-processing)
// it writes the sensor bytes directly.
#define SHADOWS 0
#define SHADOW_PCF_TAPS 4
#define SSAO 0
#define SPECULAR 0
#define ANALYTIC_SKY 0
#define DRAW_DISTANCE_CUT 0
#define OUTPUT_BGRA 0
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/geometry_vs.glsl"
invariant gl_Position;
out vec3 v_world;
out vec3 v_normal;
out vec3 v_albedo;
flat out uint v_tag;
flat out uint v_flags;

void main() {
    v_world = model_point(in_position);
    v_normal = model_vector(in_normal);
    v_tag = in_tag_flags.x;
    v_flags = in_tag_flags.y;
    v_albedo = (v_flags & FLAG_PAINT) != 0u ? in_paint : in_color;
    gl_Position = u_view_proj * vec4(v_world, 1.0);
}

#elif defined FRAGMENT_SHADER
#include "include/fog.glsl"
#include "include/output.glsl"
#if ANALYTIC_SKY
#include "include/sky_preetham.glsl"
#endif
in vec3 v_world;
in vec3 v_normal;
in vec3 v_albedo;
flat in uint v_tag;
flat in uint v_flags;
out vec4 f_color;
#if SHADOWS
uniform sampler2DShadow u_shadow_map;
#endif
#if SSAO
uniform sampler2D u_ao;
#endif

#if SHADOWS
float sun_visibility(vec3 world, vec3 normal) {
    // Normal offset of 1.5 texels against acne on slopes (the map also has a slope-scaled bias).
    vec4 clip = u_shadow_view_proj * vec4(world + normal * (1.5 * u_draw_distance.z), 1.0);
    vec3 p = clip.xyz / clip.w * 0.5 + 0.5;
    if (any(lessThan(p, vec3(0.0))) || any(greaterThan(p, vec3(1.0)))) {
        return 1.0;
    }
#if SHADOW_PCF_TAPS == 4
    float s = 0.0;
    s += textureOffset(u_shadow_map, p, ivec2(-1, -1));
    s += textureOffset(u_shadow_map, p, ivec2(1, -1));
    s += textureOffset(u_shadow_map, p, ivec2(-1, 1));
    s += textureOffset(u_shadow_map, p, ivec2(1, 1));
    return s * 0.25;
#else
    return texture(u_shadow_map, p);
#endif
}
#endif

void main() {
    vec3 to_eye = u_eye.xyz - v_world;
    float dist = length(to_eye);
    float cut = 0.0;
#if DRAW_DISTANCE_CUT
    float limit = is_road_piece(v_tag) ? u_draw_distance.y : u_draw_distance.x;
    if (dist > limit) {
        discard;
    }
    cut = smoothstep(0.8 * limit, limit, dist);
#endif
    vec3 v = to_eye / max(dist, 1e-6);
    vec3 n = normalize(v_normal);
    if (dot(n, v) < 0.0) {
        n = -n;     // two-sided geometry seen from behind
    }
    vec3 albedo = v_albedo;
    bool road = is_road_piece(v_tag);
    float wet = u_ground_ambient.w;
    albedo *= 1.0 - (road ? 0.5 : 0.25) * wet;

    vec3 sun_dir = u_sun.xyz;
    float n_dot_l = max(dot(n, sun_dir), 0.0);
    float visibility = 1.0;
#if SHADOWS
    if (n_dot_l > 0.0 && u_sun.w > 0.0) {
        visibility = sun_visibility(v_world, n);
    }
#endif
    vec3 sunlight = u_sun_color.rgb * u_sun.w * visibility;
    vec3 ambient = mix(u_ground_ambient.rgb, u_sky_ambient.rgb, n.z * 0.5 + 0.5);
#if SSAO
    ambient *= texture(u_ao, gl_FragCoord.xy * u_viewport.zw).r;
#endif
    vec3 color = albedo * (ambient + sunlight * n_dot_l);
#if SPECULAR
    bool painted = (v_flags & FLAG_PAINT) != 0u;
    float gloss = painted ? 1.0 : (road ? 0.15 + 0.85 * max(wet, u_fog.w) : 0.1);
    float shininess = mix(8.0, 96.0, gloss);
    vec3 h = normalize(sun_dir + v);
    float spec = pow(max(dot(n, h), 0.0), shininess) * (shininess + 8.0) / 25.0;
    color += sunlight * (0.04 * gloss * spec * n_dot_l);
#endif
    if ((v_flags & FLAG_EMISSIVE) != 0u) {
        color = v_albedo * 2.0;
    }
    float fog = max(fog_amount(v_world), cut);
    if (fog > 0.002) {
#if ANALYTIC_SKY
        vec3 fog_color = sky_color(-v) * u_fog_tint.rgb;
#else
        vec3 fog_color = u_flat_sky.rgb * u_fog_tint.rgb;
#endif
        color = mix(color, fog_color, fog);
    }
#if OUTPUT_BGRA
    f_color = sensor_bgra(color);
#else
    f_color = vec4(color, 1.0);
#endif
}
#endif
