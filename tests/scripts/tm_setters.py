"""Every Traffic Manager setter on a registered vehicle, then bad arguments; prints one JSON line."""
import math
import socket

import carla
from _common import connect, emit

client, args = connect({"--tm-port": {"type": int, "required": True},
                        "--busy-port": {"type": int, "required": True}})
world = client.get_world()
tm = client.get_trafficmanager(args.tm_port)
library = world.get_blueprint_library()
points = world.get_map().get_spawn_points()
car = world.spawn_actor(library.find("vehicle.tesla.model3"), points[0])
other = world.spawn_actor(library.find("vehicle.audi.a2"), points[1])
car.set_autopilot(True, args.tm_port)


def outcome(call):
    try:
        value = call()
        return "ok" if value is None else value
    except Exception as error:  # noqa: BLE001 - the exception's kind is the result
        return type(error).__name__


setters = {
    "vehicle_percentage_speed_difference": lambda: tm.vehicle_percentage_speed_difference(car, 10.0),
    "global_percentage_speed_difference": lambda: tm.global_percentage_speed_difference(-20.0),
    "set_desired_speed": lambda: tm.set_desired_speed(car, 36.0),
    "vehicle_lane_offset": lambda: tm.vehicle_lane_offset(car, 0.5),
    "global_lane_offset": lambda: tm.global_lane_offset(-0.25),
    "update_vehicle_lights": lambda: tm.update_vehicle_lights(car, True),
    "collision_detection": lambda: tm.collision_detection(car, other, False),
    "force_lane_change": lambda: tm.force_lane_change(car, True),
    "auto_lane_change": lambda: tm.auto_lane_change(car, False),
    "distance_to_leading_vehicle": lambda: tm.distance_to_leading_vehicle(car, 4.0),
    "set_global_distance_to_leading_vehicle": lambda: tm.set_global_distance_to_leading_vehicle(3.0),
    "ignore_walkers_percentage": lambda: tm.ignore_walkers_percentage(car, 11.0),
    "ignore_vehicles_percentage": lambda: tm.ignore_vehicles_percentage(car, 12.0),
    "ignore_lights_percentage": lambda: tm.ignore_lights_percentage(car, 13.0),
    "ignore_signs_percentage": lambda: tm.ignore_signs_percentage(car, 14.0),
    "keep_slow_lane_rule_percentage": lambda: tm.keep_slow_lane_rule_percentage(car, 15.0),
    "random_left_lanechange_percentage": lambda: tm.random_left_lanechange_percentage(car, 16.0),
    "random_right_lanechange_percentage": lambda: tm.random_right_lanechange_percentage(car, 17.0),
    "set_synchronous_mode": lambda: tm.set_synchronous_mode(False),
    "set_hybrid_physics_mode": lambda: tm.set_hybrid_physics_mode(True),
    "set_hybrid_physics_radius": lambda: tm.set_hybrid_physics_radius(40.0),
    "set_random_device_seed": lambda: tm.set_random_device_seed(7),
    "set_osm_mode": lambda: tm.set_osm_mode(False),
    "set_respawn_dormant_vehicles": lambda: tm.set_respawn_dormant_vehicles(True),
    "set_boundaries_respawn_dormant_vehicles": lambda: tm.set_boundaries_respawn_dormant_vehicles(150.0, 500.0),
    "set_path": lambda: tm.set_path(car, [carla.Location(1, 2, 3), carla.Location(4, 5, 6)]),
    "set_route": lambda: tm.set_route(car, ["Left", "Straight", "Right"], False),
    "get_next_action": lambda: tm.get_next_action(car),
    "get_all_actions": lambda: tm.get_all_actions(car),
}
results = {name: outcome(call) for name, call in setters.items()}

gone = world.spawn_actor(library.find("vehicle.audi.a2"), points[2])
world.wait_for_tick()      # in a snapshot, so that destroy() sees it alive
gone.destroy()
busy = socket.socket()
busy.bind(("0.0.0.0", args.busy_port))
busy.listen(1)
bad = {
    "text_percentage": outcome(lambda: tm.vehicle_percentage_speed_difference(car, "fast")),
    "actor_id_for_actor": outcome(lambda: tm.vehicle_percentage_speed_difference(car.id, 10.0)),
    "path_of_numbers": outcome(lambda: tm.set_path(car, [1, 2])),
    "path_as_tuple": outcome(lambda: tm.set_path(car, (carla.Location(),))),
    "unknown_route_option": outcome(lambda: tm.set_route(car, ["Sideways"])),
    "negative_seed": outcome(lambda: tm.set_random_device_seed(-1)),
    "missing_argument": outcome(lambda: tm.set_synchronous_mode()),
    "destroyed_vehicle": outcome(lambda: tm.vehicle_percentage_speed_difference(gone, 10.0)),
    "spectator_not_vehicle": outcome(lambda: tm.ignore_lights_percentage(world.get_spectator(), 5.0)),
    "negative_desired_speed": outcome(lambda: tm.set_desired_speed(car, -5.0)),
    "nan_percentage": outcome(lambda: tm.vehicle_percentage_speed_difference(car, math.nan)),
    "negative_hybrid_radius": outcome(lambda: tm.set_hybrid_physics_radius(-1.0)),
    "port_text": outcome(lambda: client.get_trafficmanager("x")),
    "port_too_big": outcome(lambda: client.get_trafficmanager(70000)),
    "port_taken": outcome(lambda: client.get_trafficmanager(args.busy_port)),
}
busy.close()
emit({"port": tm.get_port(), "setters": results, "bad": bad,
      "still_serving": outcome(lambda: tm.ignore_lights_percentage(car, 50.0)),
      "world_still_serving": client.get_server_version(),
      "car": car.id, "other": other.id})
