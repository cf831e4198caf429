"""Traffic lights and signs as a server subsystem: their actors in every world, the cycle hook, CARLA's calls.

attach(service, world) places the town's lights and signs (engine.traffic.lights / signs), exposes them as
`world.traffic_lights` and `world.traffic_signs`, advances the light cycle before physics and fills the
traffic fields of vehicle records. register_calls(service) adds the traffic-light calls CARLA's client
sends and the SetTrafficLightState batch command.
"""
from __future__ import annotations

from engine.errors import RequestError
from engine.server import wire
from engine.server.rpc import VALUE, VOID
from engine.traffic.light_heads import LightHeads
from engine.traffic.lights import GREEN, RED, STATE_NAMES, YELLOW, TrafficLightSystem
from engine.traffic.signals import road_context
from engine.traffic.signs import TrafficSignSystem
from engine.traffic.vehicle_traffic import VehicleTraffic

SET_TRAFFIC_LIGHT_STATE_COMMAND = 21


def attach(service, world) -> None:
    context = road_context(world.town)
    lights = TrafficLightSystem(world, context)
    lights.heads = LightHeads(world.town)
    world.traffic_lights = lights
    world.traffic_signs = TrafficSignSystem(world, context)
    world.before_physics.append(lights.advance)
    world.record_fillers.append(lights.fill_records)
    world.vehicle_traffic_state = VehicleTraffic(world, lights, context).fill


def register_calls(service) -> None:
    calls = TrafficLightCalls(service)
    r = service.dispatcher.register
    for name in ("set_traffic_light_state", "set_traffic_light_green_time", "set_traffic_light_yellow_time",
                 "set_traffic_light_red_time", "freeze_traffic_light", "reset_traffic_light_group",
                 "reset_all_traffic_lights", "freeze_all_traffic_lights"):
        r(name, getattr(calls, name), VOID)
    for name in ("get_group_traffic_lights", "get_light_boxes"):
        r(name, getattr(calls, name), VALUE)
    service.batch.register(SET_TRAFFIC_LIGHT_STATE_COMMAND, calls.set_traffic_light_state)


class TrafficLightCalls:
    """CARLA's traffic-light calls on the current world; a bad id or value raises a RequestError saying so."""

    def __init__(self, service):
        self.service = service

    def _light(self, call: str, actor_id):
        lights = self.service.world.traffic_lights
        try:
            return lights, lights.light_index(wire.integer(actor_id, "actor id"))
        except LookupError as error:
            raise RequestError(f"{call}: {error}") from None

    def set_traffic_light_state(self, actor_id, state):
        lights, index = self._light("set_traffic_light_state", actor_id)
        state = wire.integer(state, "traffic light state")
        if state not in STATE_NAMES:
            raise RequestError(f"set_traffic_light_state: {state} is not a traffic light state (0 Red, 1 Yellow, "
                               "2 Green, 3 Off, 4 Unknown)")
        lights.set_state(index, state)
        return int(lights.actor_ids[index])

    def _set_time(self, call: str, actor_id, seconds, state: int) -> None:
        lights, index = self._light(call, actor_id)
        lights.set_stage_time(index, state, wire.finite(seconds, "time"))

    def set_traffic_light_green_time(self, actor_id, green_time):
        self._set_time("set_traffic_light_green_time", actor_id, green_time, GREEN)

    def set_traffic_light_yellow_time(self, actor_id, yellow_time):
        self._set_time("set_traffic_light_yellow_time", actor_id, yellow_time, YELLOW)

    def set_traffic_light_red_time(self, actor_id, red_time):
        self._set_time("set_traffic_light_red_time", actor_id, red_time, RED)

    def freeze_traffic_light(self, actor_id, freeze):
        """CARLA freezes the light's whole group."""
        lights, index = self._light("freeze_traffic_light", actor_id)
        lights.freeze_group_of(index, wire.boolean(freeze, "freeze"))

    def reset_traffic_light_group(self, actor_id):
        lights, index = self._light("reset_traffic_light_group", actor_id)
        lights.reset_group(int(lights.light_group[index]))

    def reset_all_traffic_lights(self):
        self.service.world.traffic_lights.reset_all()

    def freeze_all_traffic_lights(self, frozen):
        self.service.world.traffic_lights.freeze_all(wire.boolean(frozen, "frozen"))

    def get_group_traffic_lights(self, actor_id):
        lights, index = self._light("get_group_traffic_lights", actor_id)
        return lights.group_actor_ids(index)

    def get_light_boxes(self, actor_id):
        lights, index = self._light("get_light_boxes", actor_id)
        return lights.heads.boxes(lights.sign_ids[index])
