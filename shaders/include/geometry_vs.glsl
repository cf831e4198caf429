// Vertex inputs of scene geometry: mesh vertex + per-instance 3x4 model matrix, paint and actor id.
in vec3 in_position;
in vec3 in_normal;
in vec3 in_color;
in uvec2 in_tag_flags;          // x semantic tag, y FLAG_* bits
in vec4 in_model_row0;
in vec4 in_model_row1;
in vec4 in_model_row2;
in vec3 in_paint;
in uint in_actor_id;

vec3 model_point(vec3 p) {
    vec4 h = vec4(p, 1.0);
    return vec3(dot(in_model_row0, h), dot(in_model_row1, h), dot(in_model_row2, h));
}

vec3 model_vector(vec3 v) {
    return vec3(dot(in_model_row0.xyz, v), dot(in_model_row1.xyz, v), dot(in_model_row2.xyz, v));
}
