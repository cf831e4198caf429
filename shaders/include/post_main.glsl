// Entry point of a full-screen pass whose file defines `vec4 shade(ivec2 pixel, vec2 uv)` (pixel of
// the target, uv of its centre in [0, 1]) and declares POST_FORMAT (the target's image format) and
// POST_ACCUMULATE (1: add onto the target). Built as a fragment shader over the full-screen
// triangle, or as a compute shader writing the target as image unit 0 (engine/render/passes/base.py
// PostProgram; the local size there matches).
#if defined COMPUTE_SHADER
layout(local_size_x = 32, local_size_y = 8) in;
#if POST_ACCUMULATE
layout(POST_FORMAT, binding = 0) uniform image2D u_output;
#else
layout(POST_FORMAT, binding = 0) writeonly uniform image2D u_output;
#endif

void main() {
    ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
    ivec2 size = imageSize(u_output);
    if (pixel.x >= size.x || pixel.y >= size.y) {
        return;
    }
    vec4 value = shade(pixel, (vec2(pixel) + 0.5) / vec2(size));
#if POST_ACCUMULATE
    value += imageLoad(u_output, pixel);
#endif
    imageStore(u_output, pixel, value);
}
#else
in vec2 v_uv;
out vec4 f_color;

void main() {
    f_color = shade(ivec2(gl_FragCoord.xy), v_uv);     // POST_ACCUMULATE: blending adds it
}
#endif
