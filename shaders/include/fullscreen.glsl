// One triangle covering the viewport; v_uv spans [0, 1] over the visible part.
out vec2 v_uv;

void fullscreen_vertex(float ndc_z) {
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    v_uv = p;
    gl_Position = vec4(p * 2.0 - 1.0, ndc_z, 1.0);
}
