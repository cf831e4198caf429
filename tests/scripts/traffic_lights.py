"""Traffic lights and signs of a map, their cycle, the calls that change them and a vehicle at a stop line.

--map: a town of the server ("Town03") or "carla:<file>" for an OpenDRIVE file loaded with
generate_opendrive_world.
Prints one JSON line.
"""
from pathlib import Path

import carla
from _common import connect, emit, synchronous

STATES = {carla.TrafficLightState.Red: "Red", carla.TrafficLightState.Yellow: "Yellow",
          carla.TrafficLightState.Green: "Green", carla.TrafficLightState.Off: "Off"}
DT = 0.05


def r(value, digits=3):
    return round(float(value), digits)


def loc(v):
    return [r(v.x), r(v.y), r(v.z)]


def box(b):
    return [loc(b.location), loc(b.extent), r(b.rotation.yaw)]


def waypoint(w):
    return None if w is None else [w.road_id, w.lane_id, r(w.s)]


def load(client, name):
    if name.startswith("carla:"):
        return client.generate_opendrive_world(Path(name[6:]).read_text())
    return client.load_world(name)


def light_facts(world, light):
    return {
        "id": light.id, "opendrive_id": light.get_opendrive_id(), "pole": light.get_pole_index(),
        "location": loc(light.get_location()), "yaw": r(light.get_transform().rotation.yaw),
        "trigger_volume": box(light.trigger_volume), "state": STATES[light.state],
        "times": [r(light.get_green_time()), r(light.get_yellow_time()), r(light.get_red_time())],
        "group": sorted(a.id for a in light.get_group_traffic_lights()),
        "light_boxes": [box(b) for b in light.get_light_boxes()],
        "affected": [waypoint(w) for w in light.get_affected_lane_waypoints()],
        "stop_waypoints": [waypoint(w) for w in light.get_stop_waypoints()],
        "semantic_tags": list(light.semantic_tags),
    }


def cycle(world, lights, ticks):
    """(tick, light index, state) of every change, and elapsed times at a few ticks."""
    last = [light.state for light in lights]
    changes, elapsed = [], {}
    for tick in range(1, ticks + 1):
        world.tick()
        for i, light in enumerate(lights):
            if light.state != last[i]:
                changes.append([tick, i, STATES[light.state]])
                last[i] = light.state
        if tick in (1, 100, 199, 200, 201, 202, 260, 261, 262, 300, 301, 302, 303):
            elapsed[tick] = [r(light.get_elapsed_time(), 5) for light in lights]
    return changes, elapsed


def at_stop_line(world, light):
    """A vehicle 3 m before the light's first stop line, and one far from any light."""
    line = light.get_affected_lane_waypoints()[0]
    transform = line.transform
    forward = transform.get_forward_vector()
    transform.location = transform.location - forward * 3.0
    blueprint = world.get_blueprint_library().find("vehicle.tesla.model3")
    vehicle = world.spawn_actor(blueprint, transform)
    world.tick()
    found = vehicle.get_traffic_light()
    result = {"at_light": vehicle.is_at_traffic_light(), "light": found.id if found else None,
              "light_is_the_one": bool(found and found.id == light.id),
              "state": STATES[vehicle.get_traffic_light_state()], "light_state": STATES[light.state],
              "speed_limit": r(vehicle.get_speed_limit())}
    vehicle.destroy()
    return result


def main():
    client, args = connect({"--map": {"default": "Town03"}, "--ticks": {"type": int, "default": 330}})
    world = load(client, args.map)
    synchronous(world, True, DT)
    world.tick()
    world.reset_all_traffic_lights()
    world.tick()
    actors = world.get_actors()
    lights = sorted(actors.filter("traffic.traffic_light"), key=lambda a: a.id)
    signs = sorted([a for a in actors.filter("traffic.*") if a.type_id != "traffic.traffic_light"],
                   key=lambda a: a.id)
    result = {"map": world.get_map().name, "lights": len(lights),
              "sign_types": sorted({a.type_id for a in signs}), "signs": len(signs),
              "sign_facts": [[a.id, a.type_id, loc(a.get_location()), r(a.get_transform().rotation.yaw),
                              box(a.trigger_volume), list(a.semantic_tags)] for a in signs[:6]]}
    groups = sorted({tuple(sorted(a.id for a in light.get_group_traffic_lights())) for light in lights})
    result["groups"] = len(groups)
    result["group_sizes"] = sorted(len(g) for g in groups)
    result["light_facts"] = [light_facts(world, light) for light in lights[:4]]
    landmarks = [m for m in world.get_map().get_all_landmarks() if m.type == "1000001"]
    result["landmark_lights"] = sorted({world.get_traffic_light(m).id for m in landmarks
                                        if world.get_traffic_light(m) is not None})
    result["landmark_signs"] = sorted({world.get_traffic_sign(m).id
                                       for m in world.get_map().get_all_landmarks()
                                       if world.get_traffic_sign(m) is not None})
    if lights:
        first = lights[0]
        junction = first.get_affected_lane_waypoints()[0].next(5.0)[0].get_junction()
        result["junction_lights"] = [a.id for a in world.get_traffic_lights_in_junction(junction.id)]
        ahead = first.get_affected_lane_waypoints()[0].previous(20.0)[0]
        result["lights_ahead"] = [a.id for a in world.get_traffic_lights_from_waypoint(ahead, 30.0)]
        result["from_opendrive_id"] = world.get_traffic_light_from_opendrive_id(first.get_opendrive_id()).id
        group = sorted(first.get_group_traffic_lights(), key=lambda a: a.id)
        result["cycle"], result["elapsed"] = cycle(world, group, args.ticks)
        result["at_stop_line"] = at_stop_line(world, first)
        result["commands"] = commands(world, first, group)
    else:
        spawn = world.get_map().get_spawn_points()[0]
        vehicle = world.spawn_actor(world.get_blueprint_library().find("vehicle.tesla.model3"), spawn)
        world.tick()
        result["vehicle_without_lights"] = [vehicle.is_at_traffic_light(), vehicle.get_traffic_light(),
                                            STATES[vehicle.get_traffic_light_state()],
                                            r(vehicle.get_speed_limit())]
        vehicle.destroy()
    synchronous(world, False)
    emit(result)


def commands(world, light, group):
    """freeze, set_state, set times and reset_group, each observed after the next tick."""
    out = {}
    world.freeze_all_traffic_lights(True)
    world.tick()
    before = r(light.get_elapsed_time(), 5)
    light.set_state(carla.TrafficLightState.Red)
    for _ in range(5):
        world.tick()
    out["frozen"] = [light.is_frozen(), STATES[light.state], before == r(light.get_elapsed_time(), 5)]
    light.freeze(False)
    light.set_green_time(4.0)
    light.set_yellow_time(1.5)
    light.set_red_time(0.5)
    world.tick()
    out["times_after_set"] = [[r(a.get_green_time()), r(a.get_yellow_time()), r(a.get_red_time())] for a in group]
    out["thawed"] = [a.is_frozen() for a in group]
    light.reset_group()
    world.tick()
    out["after_reset"] = [[STATES[a.state], r(a.get_elapsed_time(), 5)] for a in group]
    changes = []
    for tick in range(1, 200):
        world.tick()
        changes.append(STATES[light.state])
    out["short_cycle"] = [[i + 1, s] for i, s in enumerate(changes) if i == 0 or changes[i - 1] != s][:12]
    world.reset_all_traffic_lights()
    world.tick()
    out["after_reset_all"] = [STATES[light.state], r(light.get_green_time())]
    return out


if __name__ == "__main__":
    main()
