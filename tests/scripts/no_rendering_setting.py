"""settings.no_rendering_mode = True at run time: a listening camera delivers nothing until it is off again."""
import queue

from _common import connect, emit

client, _ = connect()
world = client.get_world()
settings = world.get_settings()
settings.synchronous_mode, settings.fixed_delta_seconds, settings.no_rendering_mode = True, 0.05, True
world.apply_settings(settings)
blueprint = world.get_blueprint_library().find("sensor.camera.rgb")
blueprint.set_attribute("image_size_x", "64")
blueprint.set_attribute("image_size_y", "48")
camera = world.spawn_actor(blueprint, world.get_map().get_spawn_points()[0])
images = queue.Queue()
camera.listen(images.put)
for _ in range(10):
    world.tick()
while_off = images.qsize()
settings.no_rendering_mode = False
world.apply_settings(settings)     # apply_settings may tick itself: skip images of earlier frames
frame = world.tick()
image = images.get(timeout=60.0)
while image.frame < frame:
    image = images.get(timeout=60.0)
camera.stop()
camera.destroy()
settings.synchronous_mode, settings.fixed_delta_seconds = False, None
world.apply_settings(settings)
emit({"images_while_off": while_off, "image_after": image.frame == frame})
