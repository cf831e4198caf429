"""Depth and semantic cameras looking straight down at a lane from 10 m: decode what CARLA users decode."""
import queue

import carla
from _common import connect, emit, synchronous

client, _ = connect()
world = client.get_world()
synchronous(world, True)
library = world.get_blueprint_library()
point = world.get_map().get_spawn_points()[5]
height = 10.0
pose = carla.Transform(carla.Location(x=point.location.x, y=point.location.y, z=height),
                       carla.Rotation(pitch=-90.0, yaw=point.rotation.yaw))
result = {}
for kind in ("depth", "semantic_segmentation", "rgb"):
    blueprint = library.find("sensor.camera." + kind)
    blueprint.set_attribute("image_size_x", "64")
    blueprint.set_attribute("image_size_y", "48")
    camera = world.spawn_actor(blueprint, pose)
    images = queue.Queue()
    camera.listen(images.put)
    frame = world.tick()
    image = images.get(timeout=60.0)
    data = bytes(image.raw_data)
    centre = ((image.height // 2) * image.width + image.width // 2) * 4
    b, g, r = data[centre], data[centre + 1], data[centre + 2]
    if kind == "depth":
        result["depth_m"] = round(1000.0 * (r + g * 256 + b * 65536) / (256 ** 3 - 1), 2)
    elif kind == "semantic_segmentation":
        result["centre_tag"] = r
        result["tags_seen"] = sorted({data[i + 2] for i in range(0, len(data), 4)})
    else:
        result["rgb_alpha"] = data[centre + 3]
    result[kind + "_frame_matches"] = image.frame == frame
    result[kind + "_size"] = [image.width, image.height, round(image.fov, 1), len(data)]
    camera.stop()
    camera.destroy()
synchronous(world, False)
emit(result)
