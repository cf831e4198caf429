// CARLA depth: v = round(depth / 1000 m * (2^24 - 1)), R = v & 255, G = (v >> 8) & 255, B = v >> 16,
// stored as bytes B, G, R, A. An RGBA8 target stores k / 255.0 exactly as byte k, so the output
// is (B, G, R, 255) / 255 in (r, g, b, a).
vec4 encode_depth_bgra(float depth_m) {
    float steps = clamp(depth_m * (16777215.0 / 1000.0), 0.0, 16777215.0);
    uint v = uint(floor(steps + 0.5));
    uvec3 bgr = uvec3(v >> 16, (v >> 8) & 255u, v & 255u);
    return vec4(vec3(bgr), 255.0) / 255.0;
}
