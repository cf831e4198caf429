// Fog amount between the camera and a world point.
#define HEIGHT_FOG 0

float fog_amount(vec3 world) {
    vec3 d = world - u_eye.xyz;
    float dist = length(d);
    float travel = max(dist - u_fog.y, 0.0);
#if HEIGHT_FOG
    // Density falls off exponentially with height; integrated along the ray (Unreal's height fog).
    float k = u_fog.z;
    float start = u_fog.x * exp(-k * max(u_eye.z, 0.0));
    float h = k * d.z;
    float shape = abs(h) > 1e-4 ? (1.0 - exp(-h)) / h : 1.0;
    return 1.0 - exp(-start * travel * shape);
#else
    return clamp(travel * u_fog.x, 0.0, 1.0);
#endif
}
