// Uniform blocks shared by every program (std140; packed by engine/render/views.py and atmosphere.py).
layout(std140) uniform ViewBlock {
    mat4 u_view;                // world (CARLA) -> GL view
    mat4 u_proj;                // y-flipped projection: framebuffer row 0 is the image's top row
    mat4 u_view_proj;
    mat4 u_inv_proj;
    mat4 u_inv_view_proj;
    mat4 u_shadow_view_proj;    // world -> sun clip space
    vec4 u_eye;                 // xyz camera position, w far plane
    vec4 u_viewport;            // width, height, 1/width, 1/height
    vec4 u_camera;              // x gamma, y near, z far, w exposure
    vec4 u_draw_distance;       // x objects, y road pieces (0 = no cut), z shadow texel (m), w SSAO radius (m)
};

layout(std140) uniform AtmosphereBlock {
    vec4 u_sun;                 // xyz toward the sun (world), w intensity
    vec4 u_sun_color;           // rgb, w cosine of the sun disc radius
    vec4 u_sky_ambient;         // rgb, w cloudiness 0..1
    vec4 u_ground_ambient;      // rgb, w wetness 0..1
    vec4 u_flat_sky;            // rgb sky and fog colour of Low, w sky brightness
    vec4 u_fog;                 // x density per m, y start (m), z height fall-off per m, w puddles 0..1
    vec4 u_fog_tint;            // rgb fog tint (dust), w precipitation 0..1
    vec4 u_perez[5];            // Perez A..E for (Y, x, y)
    vec4 u_zenith;              // zenith Y, x, y
    vec4 u_perez_norm;          // Perez F(0, sun zenith angle) for (Y, x, y)
    vec4 u_overcast;            // rgb overcast sky
    vec4 u_zenith_rgb;          // rgb zenith colour
    vec4 u_reserved;
};

const uint FLAG_PAINT = 1u;
const uint FLAG_EMISSIVE = 2u;
const uint TAG_ROAD = 1u;
const uint TAG_SIDEWALK = 2u;
const uint TAG_ROADLINE = 24u;

bool is_road_piece(uint tag) {
    return tag == TAG_ROAD || tag == TAG_SIDEWALK || tag == TAG_ROADLINE;
}

// Planar view depth (metres along the optical axis) from a [0, 1] depth-buffer value.
float linear_depth(float depth01) {
    float near = u_camera.y;
    float far = u_camera.z;
    float ndc = depth01 * 2.0 - 1.0;
    return 2.0 * near * far / (far + near - ndc * (far - near));
}
