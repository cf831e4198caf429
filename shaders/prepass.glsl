#version 330 core
// Depth and view-space normals (octahedral in RG16F) for SSAO and the EQUAL-tested lit pass.
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/geometry_vs.glsl"
invariant gl_Position;
out vec3 v_normal_vs;
out vec3 v_position_vs;

void main() {
    vec3 world = model_point(in_position);
    v_normal_vs = mat3(u_view) * model_vector(in_normal);
    v_position_vs = (u_view * vec4(world, 1.0)).xyz;
    gl_Position = u_view_proj * vec4(world, 1.0);
}

#elif defined FRAGMENT_SHADER
in vec3 v_normal_vs;
in vec3 v_position_vs;
out vec2 f_normal;

vec2 octahedral(vec3 n) {
    n /= abs(n.x) + abs(n.y) + abs(n.z);
    vec2 p = n.xy;
    if (n.z < 0.0) {
        p = (1.0 - abs(n.yx)) * vec2(n.x >= 0.0 ? 1.0 : -1.0, n.y >= 0.0 ? 1.0 : -1.0);
    }
    return p;
}

void main() {
    vec3 n = normalize(v_normal_vs);
    if (dot(n, v_position_vs) > 0.0) {
        n = -n;     // seen from behind (two-sided geometry)
    }
    f_normal = octahedral(n);
}
#endif
