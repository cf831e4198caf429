#version 430 core
// Copies an 8-bit RGBA target into a buffer as tightly packed rows, row 0 first, byte for byte what
// glReadPixels(GL_RGBA, GL_UNSIGNED_BYTE) gives.
#if defined COMPUTE_SHADER
layout(local_size_x = 32, local_size_y = 8) in;
uniform sampler2D u_image;
layout(std430, binding = 0) writeonly buffer Pixels {
    uint u_pixels[];
};

void main() {
    ivec2 pixel = ivec2(gl_GlobalInvocationID.xy);
    ivec2 size = textureSize(u_image, 0);
    if (pixel.x < size.x && pixel.y < size.y) {
        u_pixels[pixel.y * size.x + pixel.x] = packUnorm4x8(texelFetch(u_image, pixel, 0));
    }
}
#endif
