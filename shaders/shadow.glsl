#version 330 core
// Sun depth map: depth only, no colour output.
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/geometry_vs.glsl"

void main() {
    gl_Position = u_shadow_view_proj * vec4(model_point(in_position), 1.0);
}

#elif defined FRAGMENT_SHADER
void main() {
}
#endif
