#version 330 core
// Depth camera: planar distance along the optical axis, CARLA's 24-bit encoding.
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/geometry_vs.glsl"
out float v_depth_m;

void main() {
    vec3 world = model_point(in_position);
    v_depth_m = -(u_view * vec4(world, 1.0)).z;
    gl_Position = u_view_proj * vec4(world, 1.0);
}

#elif defined FRAGMENT_SHADER
#include "include/encode_depth.glsl"
in float v_depth_m;
out vec4 f_depth;

void main() {
    f_depth = encode_depth_bgra(v_depth_m);
}
#endif
