#version 330 core
// Window output: draws a sensor image (row 0 = top, bytes B, G, R, A) to the default framebuffer.
#if defined VERTEX_SHADER
out vec2 v_uv;

void main() {
    vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    v_uv = vec2(p.x, 1.0 - p.y);
    gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}

#elif defined FRAGMENT_SHADER
in vec2 v_uv;
out vec4 f_color;
uniform sampler2D u_image;

void main() {
    f_color = vec4(texture(u_image, v_uv).bgr, 1.0);
}
#endif
