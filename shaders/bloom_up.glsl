#version 330 core
// Bloom upsample: 3x3 tent filter of the smaller level, added (blending) onto the larger one.
#include "include/common.glsl"

#if defined VERTEX_SHADER
#include "include/fullscreen.glsl"

void main() {
    fullscreen_vertex(0.0);
}

#elif defined FRAGMENT_SHADER
in vec2 v_uv;
out vec4 f_color;
uniform sampler2D u_source;

void main() {
    vec2 t = 1.0 / vec2(textureSize(u_source, 0));
    vec3 sum = texture(u_source, v_uv).rgb * 4.0;
    sum += (texture(u_source, v_uv + vec2(-t.x, 0.0)).rgb + texture(u_source, v_uv + vec2(t.x, 0.0)).rgb
          + texture(u_source, v_uv + vec2(0.0, -t.y)).rgb + texture(u_source, v_uv + vec2(0.0, t.y)).rgb) * 2.0;
    sum += texture(u_source, v_uv + vec2(-t.x, -t.y)).rgb + texture(u_source, v_uv + vec2(t.x, -t.y)).rgb
         + texture(u_source, v_uv + vec2(-t.x, t.y)).rgb + texture(u_source, v_uv + vec2(t.x, t.y)).rgb;
    f_color = vec4(sum / 16.0, 1.0);
}
#endif
