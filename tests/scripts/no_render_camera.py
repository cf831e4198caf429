"""With rendering off a camera can be spawned and listened to, and delivers nothing (as in CARLA)."""
import queue

from _common import connect, emit, synchronous

client, _ = connect()
world = client.get_world()
synchronous(world, True)
camera = world.spawn_actor(world.get_blueprint_library().find("sensor.camera.rgb"),
                           world.get_map().get_spawn_points()[0])
images = queue.Queue()
camera.listen(images.put)
ticks = sum(1 for _ in range(20) if world.tick())
camera.stop()
camera.destroy()
synchronous(world, False)
emit({"spawned": True, "images": images.qsize(), "ticks": ticks})
