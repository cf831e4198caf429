"""The server's side of the walker AI: ApplyWalkerState puts a walker's feet on the point it is given and
faces it along the rotation; a controller.ai.walker spawns on a walker; a controller without a walker
cannot start; a started controller is destroyed with its walker.

Usage: walker_state.py --port P. Prints one JSON line.
"""
import carla
from _common import connect, emit, synchronous


def error_of(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the type and message are what is checked
        return [type(error).__name__, str(error).split(":")[-1].strip()]
    return None


client, args = connect()
world = client.get_world()
synchronous(world, True)
library = world.get_blueprint_library()
location = world.get_random_location_from_navigation()
walker = world.spawn_actor(library.find("walker.pedestrian.0001"), carla.Transform(location))
controller = world.spawn_actor(library.find("controller.ai.walker"), carla.Transform(), walker)
lonely = world.spawn_actor(library.find("controller.ai.walker"), carla.Transform())
world.tick()
result = {
    "controller_parent": controller.parent.id == walker.id,
    "controller_type": controller.type_id,
    "start_without_walker": error_of(lonely.start),
}
walker.set_simulate_physics(False)
target = carla.Transform(carla.Location(location.x + 1.0, location.y, location.z), carla.Rotation(yaw=90.0))
responses = client.apply_batch_sync([carla.command.ApplyWalkerState(walker, target, 1.25)])
world.tick()
now = walker.get_transform()
half_height = walker.bounding_box.extent.z
result["batch_errors"] = [r.error for r in responses if r.has_error()]
result["moved_to"] = [round(now.location.x - location.x, 3), round(now.location.y - location.y, 3)]
result["feet_on_point"] = round(now.location.z - half_height - location.z, 3)
result["yaw"] = round(now.rotation.yaw, 2)
result["control_speed"] = round(walker.get_control().speed, 3)

# A started controller whose walker is destroyed goes with it: the walker AI notices at its next ticks.
other = world.spawn_actor(library.find("walker.pedestrian.0002"),
                          carla.Transform(world.get_random_location_from_navigation()))
escort = world.spawn_actor(library.find("controller.ai.walker"), carla.Transform(), other)
world.tick()
escort.start()
escort.go_to_location(world.get_random_location_from_navigation())
world.tick()
escort_id = escort.id
other.destroy()
for _ in range(3):
    world.tick()
result["controller_gone_with_walker"] = escort_id not in [a.id for a in world.get_actors()]
for actor in (lonely, controller, walker):
    actor.destroy()
synchronous(world, False)
emit(result)
