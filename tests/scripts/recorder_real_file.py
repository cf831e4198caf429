"""Replay a recording made by CARLA on CARLA's own Town01 (generate_opendrive_world): for each start time, the
positions of the replayed vehicles (by role name) over a few synchronous ticks, and how far each stands from the
centre of the served map's driving lane it is on, in the ground plane (scenario_runner parks actors waiting for
their turn 500 m below the road)."""
import carla
from _common import connect, emit, synchronous

client, args = connect({"--file": {"required": True}, "--xodr": {"required": True},
                        "--starts": {"default": "2.0,10.0,20.0"}, "--ticks": {"type": int, "default": 5}})
client.set_timeout(60.0)
with open(args.xodr) as f:
    world = client.generate_opendrive_world(f.read())
synchronous(world, True)
town = world.get_map()
result = {"map": town.name, "runs": {}, "off_lane": []}
for start in [float(s) for s in args.starts.split(",")]:
    text = client.replay_file(args.file, start, 0.0, 0)
    run = {"text": text, "ticks": []}
    for _ in range(args.ticks):
        world.tick()
        positions = {}
        for vehicle in world.get_actors().filter("vehicle.*"):
            location = vehicle.get_transform().location
            positions[vehicle.attributes.get("role_name", "")] = [location.x, location.y, location.z]
            lane = town.get_waypoint(location, project_to_road=False, lane_type=carla.LaneType.Driving)
            centre = None if lane is None else lane.transform.location    # across the lane, in the ground plane
            result["off_lane"].append(None if centre is None else ((centre.x - location.x) ** 2
                                                                  + (centre.y - location.y) ** 2) ** 0.5)
        run["ticks"].append(positions)
    result["runs"][repr(start)] = run
client.stop_replayer(False)
world.tick()
result["vehicles_after_stop"] = len(world.get_actors().filter("vehicle.*"))
synchronous(world, False)
emit(result)
