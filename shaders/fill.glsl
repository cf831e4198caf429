#version 430 core
// Sets every texel of a colour target to one value (a clear through the shader cores).
#define FILL_FORMAT rgba8

#if defined COMPUTE_SHADER
layout(local_size_x = 32, local_size_y = 8) in;
layout(FILL_FORMAT, binding = 0) writeonly uniform image2D u_output;
uniform vec4 u_value;

void main() {
    ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
    ivec2 size = imageSize(u_output);
    if (pixel.x < size.x && pixel.y < size.y) {
        imageStore(u_output, pixel, u_value);
    }
}
#endif
