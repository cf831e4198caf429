"""Shared argument parsing for the client scripts: each prints one JSON line that both clients must match."""
import argparse
import json
import os

import carla


def connect(extra=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2000)
    for name, kwargs in (extra or {}).items():
        parser.add_argument(name, **kwargs)
    args = parser.parse_args()
    client = carla.Client(args.host, args.port)
    client.set_timeout(20.0)
    return client, args


def emit(result: dict) -> None:
    print(json.dumps(result, sort_keys=True))


def emit_or_save(result: dict, out, summary: dict) -> None:
    """The result as JSON into the file `out` with `summary` printed, or the whole result printed when no `out`."""
    if out:
        with open(out, "w") as f:
            json.dump(result, f)
        emit(summary)
    else:
        emit(result)


def load_map(client, source):
    """The map of a town name (load_world) or of an .xodr file (generate_opendrive_world)."""
    if source.endswith(".xodr") or os.path.isfile(source):
        with open(source) as f:
            world = client.generate_opendrive_world(f.read())
    else:
        world = client.load_world(source)
    return world.get_map()


def vector(v) -> list:
    return [v.x, v.y, v.z]


def rotation(r) -> list:
    return [r.pitch, r.yaw, r.roll]


def synchronous(world, on: bool, delta=0.05):
    settings = world.get_settings()
    settings.synchronous_mode = on
    settings.fixed_delta_seconds = delta if on else None
    return world.apply_settings(settings)


def spawn_drivers(world, count: int = 20) -> list:
    """Four-wheeled vehicles (blueprints in id order) at the first spawn points, on fixed controls that keep
    them driving: straight, or in wide left and right circles."""
    library = world.get_blueprint_library()
    blueprints = sorted((bp for bp in library.filter("vehicle.*")
                         if bp.get_attribute("number_of_wheels").as_int() == 4), key=lambda bp: bp.id)
    points = world.get_map().get_spawn_points()
    drivers = []
    for i in range(count):
        vehicle = world.try_spawn_actor(blueprints[i % len(blueprints)], points[i])
        if vehicle is not None:
            drivers.append(vehicle)
            vehicle.apply_control(carla.VehicleControl(throttle=0.6, steer=0.15 * ((i % 3) - 1)))
    return drivers


def pose(snapshot, actor_id) -> list:
    """[x, y, z, pitch, yaw, roll] of an actor in a world snapshot."""
    t = snapshot.find(actor_id).get_transform()
    return [t.location.x, t.location.y, t.location.z, t.rotation.pitch, t.rotation.yaw, t.rotation.roll]


def angle_error(a: float, b: float) -> float:
    """The difference of two angles in degrees, folded into [0, 180]."""
    return abs((a - b + 180.0) % 360.0 - 180.0)
