#version 330 core
// Semantic and instance segmentation: semantic tag in R; with INSTANCE_IDS the actor id in
// G (low byte) and B (high byte). Bytes go out as B, G, R, A, so the output is (B, G, R, 255) / 255.
#define INSTANCE_IDS 0
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/geometry_vs.glsl"
flat out uint v_tag;
flat out uint v_actor_id;

void main() {
    v_tag = in_tag_flags.x;
    v_actor_id = in_actor_id;
    gl_Position = u_view_proj * vec4(model_point(in_position), 1.0);
}

#elif defined FRAGMENT_SHADER
flat in uint v_tag;
flat in uint v_actor_id;
out vec4 f_label;

void main() {
#if INSTANCE_IDS
    uvec3 bgr = uvec3((v_actor_id >> 8) & 255u, v_actor_id & 255u, v_tag);
#else
    uvec3 bgr = uvec3(0u, 0u, v_tag);
#endif
    f_label = vec4(vec3(bgr), 255.0) / 255.0;
}
#endif
