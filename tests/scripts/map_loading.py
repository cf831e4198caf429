"""Map loading as CARLA's docs show it: get_available_maps, load_world with each name form, an unknown map,
generate_opendrive_world with a real OpenDRIVE map and with bad text, reload_world afterwards.

Usage: map_loading.py --port P XODR_PATH. Prints one JSON line.
"""
import carla
from _common import connect, emit, synchronous


def error_of(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the type and message are what is checked
        return [type(error).__name__, str(error)]
    return None


client, args = connect({"xodr": {}})
with open(args.xodr) as f:
    xodr_text = f.read()
result = {"available_maps": client.get_available_maps()}
town = result["available_maps"][0].rsplit("/", 1)[-1]
result["load_world"] = {}
for name in (town, "/Game/Carla/Maps/" + town, "Carla/Maps/" + town):
    world = client.load_world(name)
    result["load_world"][name] = [world.get_map().name, len(world.get_map().get_spawn_points())]
result["unknown_map"] = error_of(lambda: client.load_world("NoSuchTown"))

parameters = carla.OpendriveGenerationParameters(
    vertex_distance=2.0, max_road_length=500.0, wall_height=0.0, additional_width=0.6,
    smooth_junctions=True, enable_mesh_visibility=True)
world = client.generate_opendrive_world(xodr_text, parameters)
carla_map = world.get_map()
spawn_points = carla_map.get_spawn_points()
result["generated"] = {
    "map_name": carla_map.name,
    "spawn_points": len(spawn_points),
    "opendrive_is_the_text_sent": carla_map.to_opendrive().strip() == xodr_text.strip(),
    "highest_spawn_z": max(t.location.z for t in spawn_points),
    "actors": len(world.get_actors().filter("vehicle.*")),
}

# A vehicle on the highest spawn point settles on the road there, not at z = 0.
synchronous(world, True)
highest = max(spawn_points, key=lambda t: t.location.z)
vehicle = world.spawn_actor(world.get_blueprint_library().find("vehicle.tesla.model3"), highest)
for _ in range(40):
    world.tick()
result["settled_height_above_spawn_road"] = round(vehicle.get_location().z - (highest.location.z - 0.3), 2)
vehicle.destroy()
synchronous(world, False)

result["generate_with_default_parameters"] = client.generate_opendrive_world(xodr_text).get_map().name
result["bad_xml"] = error_of(lambda: client.generate_opendrive_world("<OpenDRIVE><road"))
result["no_roads"] = error_of(lambda: client.generate_opendrive_world("<OpenDRIVE><header/></OpenDRIVE>"))
result["after_bad_text"] = client.get_world().get_map().name
result["reload"] = client.reload_world().get_map().name
result["still_serving"] = client.get_server_version()
emit(result)
