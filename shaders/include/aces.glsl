// ACES filmic curve, Narkowicz 2015 fit: x (2.51 x + 0.03) / (x (2.43 x + 0.59) + 0.14).
vec3 aces_fit(vec3 x) {
    return clamp((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
}
