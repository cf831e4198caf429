// The sensor's RGB bytes from a linear colour: clamp, gamma-encode with the camera's gamma
// attribute (u_camera.x), then B, G, R, 255 (the readback hands these bytes out unchanged).
vec4 sensor_bgra(vec3 linear_rgb) {
    vec3 encoded = pow(clamp(linear_rgb, 0.0, 1.0), vec3(1.0 / u_camera.x));
    return vec4(encoded.bgr, 1.0);
}
