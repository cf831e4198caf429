// Preetham (1999) analytic sky from the AtmosphereBlock; mirrors Atmosphere.sky_rgb in Python.
const mat3 XYZ_TO_LINEAR_SRGB = mat3(3.2406, -0.9689, 0.0557,
                                     -1.5372, 1.8758, -0.2040,
                                     -0.4986, 0.0415, 1.0570);

vec3 preetham_rgb(vec3 dir) {
    float cos_theta = max(dir.z, 0.01);
    float cos_gamma = clamp(dot(dir, u_sun.xyz), -1.0, 1.0);
    float gamma = acos(cos_gamma);
    vec3 f = (1.0 + u_perez[0].xyz * exp(u_perez[1].xyz / cos_theta))
           * (1.0 + u_perez[2].xyz * exp(u_perez[3].xyz * gamma) + u_perez[4].xyz * cos_gamma * cos_gamma);
    vec3 yxy = u_zenith.xyz * f / u_perez_norm.xyz;
    float luminance = yxy.x / u_zenith.x;
    float y = max(yxy.z, 1e-4);
    vec3 xyz = vec3(yxy.y / y, 1.0, (1.0 - yxy.y - yxy.z) / y);
    return max(XYZ_TO_LINEAR_SRGB * xyz, 0.0) * luminance * u_flat_sky.w;
}

// Sky colour in a world direction: clear sky blended toward overcast by cloudiness, darker below
// the horizon (there is no ground beyond the far plane).
vec3 sky_color(vec3 dir) {
    vec3 up = normalize(vec3(dir.xy, max(dir.z, 0.0) + 1e-3));
    vec3 clear = preetham_rgb(up);
    vec3 overcast = u_overcast.rgb * (0.8 + 0.3 * up.z);
    vec3 sky = mix(clear, overcast, u_sky_ambient.w);
    return sky * mix(1.0, 0.45, clamp(-dir.z * 4.0, 0.0, 1.0));
}
