"""The Traffic Manager port: plain msgpack-RPC as CARLA's remote TM client speaks it, and its call table.

CARLA's client, when the simulator reports a TM on a port, connects there with rpclib and sends calls
without the world port's metadata argument; results are bare values (void calls answer nil). Errors go
back in the rpclib error field as a string, which the client raises.
"""
from __future__ import annotations

import logging
import socket

import numpy as np

from engine.errors import RequestError
from engine.server import wire
from engine.server.rpc import Dispatcher, RpcConnection
from engine.traffic.tm_parameters import ROUTE_OPTIONS, TrafficParameters

log = logging.getLogger("carla.traffic")

TM_DEFAULT_PORT = 8000
KMH_TO_MS = 1.0 / 3.6


class TrafficManagerError(RequestError):
    """A TM call the server refuses; the message goes back in the rpclib error field."""


class PlainDispatcher(Dispatcher):
    """rpclib framing without CARLA's metadata argument or Response wrapper: bare values, string errors."""

    def _call(self, method, params, msgid):
        if not isinstance(method, str):
            return self._reply(msgid, "rpclib: malformed request: the method name is not a string", None)
        if not isinstance(params, (list, tuple)):
            return self._reply(msgid, f"rpclib: malformed request to '{method}': params is not an array", None)
        handler = self.handlers.get(method)
        if handler is None:
            return self._answer(msgid, f"rpclib: server could not find function '{method}' with argument "
                                       f"count {len(params)}.")
        if not handler.min_args <= len(params) <= handler.max_args:
            return self._answer(msgid, f"rpclib: function '{method}' was called with an invalid number of "
                                       f"arguments. Expected: {handler.max_args}, got: {len(params)}")
        try:
            result = handler.function(*params)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an answer, never a dead server
            if not isinstance(exc, RequestError):
                log.exception("Traffic Manager call %s failed", method)
            return self._answer(msgid, f"rpclib: function '{method}' (called with {len(params)} arg(s)) threw "
                                       f"an exception. The exception contained this information: {exc}.")
        return None if msgid is None else self._reply(msgid, None, result)

    def _answer(self, msgid, error: str):
        return None if msgid is None else self._reply(msgid, error, None)


class TmConnection(RpcConnection):
    """A connection to a Traffic Manager port, answered by that TM's dispatcher."""

    def __init__(self, sock: socket.socket, peer, dispatcher: PlainDispatcher):
        super().__init__(sock, peer)
        self.dispatcher = dispatcher


def open_listener(port: int) -> socket.socket:
    """Bind the TM port on all interfaces, as CARLA's TM server does."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("0.0.0.0", port))
        sock.listen(64)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


# -- argument checks -------------------------------------------------------------------------------------------
def actor_id_of(actor, what: str = "actor") -> int:
    """The id of an rpc::Actor ([id, parent, description, bounding box, tags, token])."""
    if not isinstance(actor, (list, tuple)) or not actor:
        raise wire.WireError(f"{what}: expected an rpc::Actor array")
    return wire.integer(actor[0], f"{what} id")


def percentage(value, what: str) -> float:
    return min(max(wire.finite(value, what), 0.0), 100.0)


def path_points(path, what: str = "path") -> list:
    if not isinstance(path, (list, tuple)):
        raise wire.WireError(f"{what}: expected a list of locations [x, y, z]")
    return [wire.vector3(point, f"{what} point") for point in path]


def route_options(route, what: str = "route") -> list:
    """vector<uint8_t> (msgpack bin from CARLA's client, or an int array) -> option names."""
    if isinstance(route, (bytes, bytearray)):
        codes = list(route)
    elif isinstance(route, (list, tuple)):
        codes = [wire.integer(c, f"{what} option") for c in route]
    else:
        raise wire.WireError(f"{what}: expected a list of route options")
    for code in codes:
        if not 0 <= code < len(ROUTE_OPTIONS):
            raise wire.WireError(f"{what}: unknown route option {code}")
    return [ROUTE_OPTIONS[c] for c in codes]


class TrafficManager:
    """One Traffic Manager (one port): which vehicles it drives and their parameters.

    ``world_access`` gives the current world; ``make_driver(world)`` builds the driver for it. The
    driver and its ``params`` are rebuilt per episode; TM-wide settings carry over.
    """

    def __init__(self, port: int, world_access, make_driver):
        self.port = port
        self._world = world_access
        self._make_driver = make_driver
        self.driver = None
        self.driver_world = None
        self._params = TrafficParameters()      # until the first driver exists, then the driver's
        self.dispatcher = PlainDispatcher()
        for name, (function, _) in self.calls().items():
            self.dispatcher.register(name, function, "plain")
        self.listener = None
        self.release_elsewhere = None           # callable(actor_id): other TMs let go of the vehicle

    # -- episode -----------------------------------------------------------------------------------------------
    @property
    def params(self) -> TrafficParameters:
        return self.driver.params if self.driver is not None else self._params

    def drop_world(self) -> None:
        """A new episode: the vehicles are gone; keep the TM-wide settings."""
        if self.driver is not None:
            fresh = TrafficParameters()
            fresh.copy_globals_from(self.driver.params)
            self._params = fresh
            self.driver = None
            self.driver_world = None

    def prepare(self, world) -> None:
        """Build the driver for ``world`` now, so that no TM call waits for it (CARLA's client gives
        each TM call two seconds)."""
        self._ensure_driver(world)

    def _ensure_driver(self, world):
        if self.driver is None or self.driver_world is not world:
            self.drop_world()
            driver = self._make_driver(world, self._params.seed)
            driver.params.copy_globals_from(self._params)
            self.driver, self.driver_world = driver, world
            self._hook(world)
        return self.driver

    def _hook(self, world) -> None:
        self.driver.attach(world)        # runs driver.step before the physics of every tick, once

    def registered_ids(self) -> list:
        if self.driver is None:
            return []
        p = self.params
        return [int(p.actor_id[s]) for s in p.registered_slots()]

    def _vehicle_slot(self, actor_id: int) -> int:
        """The physics slot of a live vehicle, its parameters claimed for it."""
        world = self._world()
        actor = world.actors.get(actor_id)
        if actor is None:
            raise TrafficManagerError(f"actor {actor_id} not found")
        if actor.kind != "vehicle":
            raise TrafficManagerError(f"actor {actor_id} ({actor.type_id}) is not a vehicle")
        self._ensure_driver(world)
        self.params.claim(actor.slot, actor_id)
        return actor.slot

    def register(self, actor_id: int) -> None:
        slot = self._vehicle_slot(actor_id)
        if not self.params.registered[slot]:
            if self.release_elsewhere is not None:
                self.release_elsewhere(actor_id)
            self.params.registered[slot] = True
            self.driver.register(slot, actor_id)

    def _driven_slot(self, actor_id: int):
        """The slot of ``actor_id`` when this TM drives it in the current world, else None."""
        world = self._world()
        actor = world.actors.get(actor_id)
        if actor is None or actor.kind != "vehicle" or self.driver is None or self.driver_world is not world:
            return None
        p = self.params
        if actor.slot < p.capacity and p.registered[actor.slot] and p.actor_id[actor.slot] == actor_id:
            return actor.slot
        return None

    def drives(self, actor_id: int) -> bool:
        return self._driven_slot(actor_id) is not None

    def unregister(self, actor_id: int) -> None:
        slot = self._driven_slot(actor_id)
        if slot is not None:            # CARLA ignores vehicles it does not drive
            self.params.registered[slot] = False
            self.driver.unregister(slot)

    def forget_destroyed(self, world) -> None:
        """Unregister the vehicles whose slot no longer holds them (destroyed, or the slot reused)."""
        if self.driver is None or self.driver_world is not world:
            return
        p = self.params
        slots = p.registered_slots()
        if len(slots) == 0:
            return
        ids = np.zeros(p.capacity, dtype=np.uint32)
        n = min(len(world.vehicle_ids), p.capacity)
        ids[:n] = world.vehicle_ids[:n]              # 0 where a vehicle was destroyed
        for slot in slots[ids[slots] != p.actor_id[slots]]:
            p.registered[slot] = False
            self.driver.unregister(int(slot))
            p.release(int(slot))

    # -- the calls ---------------------------------------------------------------------------------------------
    def calls(self) -> dict:
        """name -> (function, what it does). Names are those CARLA's remote TM client sends."""
        per_vehicle_pct = {
            "set_percentage_running_light": "ignore_lights_pct",
            "set_percentage_running_sign": "ignore_signs_pct",
            "set_percentage_ignore_walkers": "ignore_walkers_pct",
            "set_percentage_ignore_vehicles": "ignore_vehicles_pct",
            "keep_slow_lane_rule_percentage": "keep_right_pct",
            "set_percentage_keep_slow_lane_rule": "keep_right_pct",
            "keep_right_rule_percentage": "keep_right_pct",
            "random_left_lanechange_percentage": "random_left_pct",
            "set_percentage_random_left_lanechange": "random_left_pct",
            "random_right_lanechange_percentage": "random_right_pct",
            "set_percentage_random_right_lanechange": "random_right_pct",
        }
        table = {
            "health_check_remote_TM": (lambda: True, "liveness probe"),
            "get_port": (lambda: self.port, "the TM port"),
            "register_vehicle": (self._register_vehicle, "vehicles on autopilot"),
            "unregister_vehicle": (self._unregister_vehicle, "vehicles off autopilot"),
            "set_percentage_speed_difference": (self._speed_difference, "per-vehicle % below the limit"),
            "set_global_percentage_speed_difference": (self._global_speed_difference, "global % below the limit"),
            "set_desired_speed": (self._desired_speed, "per-vehicle exact speed, km/h"),
            "set_lane_offset": (self._lane_offset, "per-vehicle lateral offset"),
            "set_global_lane_offset": (self._global_lane_offset, "global lateral offset"),
            "set_collision_detection": (self._collision_detection, "pairwise collision avoidance"),
            "set_force_lane_change": (self._force_lane_change, "one lane change now"),
            "set_auto_lane_change": (self._flag("auto_lane_change"), "lane changes allowed"),
            "set_lateral_avoidance": (self._flag("lateral_avoidance"), "in-lane avoidance"),
            "set_global_lateral_avoidance": (self._global_bool("global_lateral_avoidance"), "global avoidance"),
            "update_vehicle_lights": (self._flag("update_vehicle_lights"), "TM switches lights"),
            "set_update_vehicle_lights": (self._flag("update_vehicle_lights"), "TM switches lights"),
            "set_distance_to_leading_vehicle": (self._leader_distance, "per-vehicle gap"),
            "set_global_distance_to_leading_vehicle": (self._global_leader_distance, "global gap"),
            "set_path": (self._set_path, "custom path"),
            "remove_custom_path": (self._remove_path, "drop a custom path"),
            "update_custom_path": (self._update_path, "replace a custom path"),
            "set_imported_route": (self._set_route, "custom route"),
            "remove_imported_route": (self._remove_route, "drop a custom route"),
            "update_imported_route": (self._update_route, "replace a custom route"),
            "set_synchronous_mode": (self._global_bool("synchronous"), "TM follows world ticks"),
            "set_synchronous_mode_timeout_in_milisecond": (self._sync_timeout, "sync wait limit"),
            "synchronous_tick": (self._synchronous_tick, "TM step in sync mode"),
            "set_hybrid_physics_mode": (self._global_bool("hybrid_physics"), "hybrid physics"),
            "set_hybrid_physics_radius": (self._hybrid_radius, "hybrid physics radius"),
            "set_osm_mode": (self._global_bool("osm_mode"), "OSM map mode"),
            "set_respawn_dormant_vehicles": (self._global_bool("respawn_dormant"), "respawn dormant vehicles"),
            "set_boundaries_respawn_dormant_vehicles": (self._respawn_bounds, "respawn distance range"),
            "set_max_boundaries": (self._max_bounds, "respawn distance limits"),
            "set_random_device_seed": (self._seed, "random seed"),
            "get_next_action": (self._next_action, "the next planned action"),
            "get_all_actions": (self._all_actions, "the planned actions"),
            "shut_down": (self._shut_down, "release every vehicle"),
        }
        for name, field in per_vehicle_pct.items():
            table[name] = (self._pct(field), f"per-vehicle {field}")
        return table

    def _register_vehicle(self, actors):
        ids = self._actor_list(actors)
        for actor_id in ids:
            self._vehicle_slot(actor_id)     # check every one before registering any
        for actor_id in ids:
            self.register(actor_id)

    def _unregister_vehicle(self, actors):
        for actor_id in self._actor_list(actors):
            self.unregister(actor_id)

    @staticmethod
    def _actor_list(actors) -> list:
        if not isinstance(actors, (list, tuple)):
            raise wire.WireError("expected a list of rpc::Actor")
        return [actor_id_of(a) for a in actors]

    def _per_vehicle(self, actor, field: str, value) -> None:
        slot = self._vehicle_slot(actor_id_of(actor))
        getattr(self.params, field)[slot] = value

    def _pct(self, field: str):
        def setter(actor, value):
            self._per_vehicle(actor, field, percentage(value, field))
        return setter

    def _flag(self, field: str):
        def setter(actor, value):
            self._per_vehicle(actor, field, wire.boolean(value, field))
        return setter

    def _global_bool(self, name: str):
        def setter(value):
            setattr(self.params, name, wire.boolean(value, name))
        return setter

    def _speed_difference(self, actor, value):
        self._per_vehicle(actor, "speed_difference_pct", wire.finite(value, "percentage"))

    def _global_speed_difference(self, value):
        self.params.global_speed_difference_pct = wire.finite(value, "percentage")

    def _desired_speed(self, actor, value):
        speed = wire.finite(value, "desired speed")
        if speed < 0.0:
            raise wire.WireError(f"desired speed must not be negative, got {speed}")
        self._per_vehicle(actor, "desired_speed", speed * KMH_TO_MS)

    def _lane_offset(self, actor, value):
        self._per_vehicle(actor, "lane_offset", wire.finite(value, "lane offset"))

    def _global_lane_offset(self, value):
        self.params.global_lane_offset = wire.finite(value, "lane offset")

    def _collision_detection(self, reference, other, detect):
        other_id = actor_id_of(other, "other actor")
        slot = self._vehicle_slot(actor_id_of(reference, "reference actor"))
        self.params.set_collision_detection(slot, other_id, wire.boolean(detect, "detect_collision"))

    def _force_lane_change(self, actor, direction):
        # CARLA: true is left, false is right
        self._per_vehicle(actor, "force_lane_change", -1 if wire.boolean(direction, "direction") else 1)

    def _leader_distance(self, actor, value):
        distance = wire.finite(value, "distance")
        self._per_vehicle(actor, "distance_to_leader", max(distance, 0.0))

    def _global_leader_distance(self, value):
        self.params.global_distance_to_leader = max(wire.finite(value, "distance"), 0.0)

    def _set_path(self, actor, path, empty_buffer=True):
        points = path_points(path)
        wire.boolean(empty_buffer, "empty_buffer")
        slot = self._vehicle_slot(actor_id_of(actor))
        self.params.path[slot] = points

    def _remove_path(self, actor_id, remove=True):
        slot = self._vehicle_slot(wire.integer(actor_id, "actor id"))
        if wire.boolean(remove, "remove_path"):
            self.params.path.pop(slot, None)

    def _update_path(self, actor_id, path):
        points = path_points(path)
        self.params.path[self._vehicle_slot(wire.integer(actor_id, "actor id"))] = points

    def _set_route(self, actor, route, empty_buffer=True):
        options = route_options(route)
        wire.boolean(empty_buffer, "empty_buffer")
        self.params.route[self._vehicle_slot(actor_id_of(actor))] = options

    def _remove_route(self, actor_id, remove=True):
        slot = self._vehicle_slot(wire.integer(actor_id, "actor id"))
        if wire.boolean(remove, "remove_route"):
            self.params.route.pop(slot, None)

    def _update_route(self, actor_id, route):
        options = route_options(route)
        self.params.route[self._vehicle_slot(wire.integer(actor_id, "actor id"))] = options

    def _sync_timeout(self, value):
        timeout = wire.finite(value, "timeout")
        if timeout < 0.0:
            raise wire.WireError(f"timeout must not be negative, got {timeout}")
        self.params.synchronous_timeout_ms = timeout

    def _synchronous_tick(self):
        # The TM steps inside every world tick here, so there is nothing left to run: report that.
        return False

    def _hybrid_radius(self, value):
        radius = wire.finite(value, "radius")
        if radius < 0.0:
            raise wire.WireError(f"hybrid physics radius must not be negative, got {radius}")
        self.params.hybrid_radius = radius

    def _respawn_bounds(self, lower, upper):
        low, high = wire.finite(lower, "lower_bound"), wire.finite(upper, "upper_bound")
        max_low, max_high = self.params.respawn_max_bounds
        self.params.respawn_bounds = (max(low, max_low), min(high, max_high))

    def _max_bounds(self, lower, upper):
        self.params.respawn_max_bounds = (wire.finite(lower, "lower"), wire.finite(upper, "upper"))

    def _seed(self, value):
        seed = wire.integer(value, "seed")
        if not 0 <= seed < 2 ** 64:
            raise wire.WireError(f"seed must fit an unsigned 64-bit integer, got {seed}")
        self.params.seed = seed          # the driver restarts its random sequence from it

    def _actions(self, actor_id) -> list:
        """No planned actions: CARLA's remote-TM client discards this answer (it returns ['Void', None] and
        []), and so does ours. The actor id is still checked."""
        self._vehicle_slot(wire.integer(actor_id, "actor id"))
        return []

    def _next_action(self, actor_id):
        self._actions(actor_id)
        return None

    def _all_actions(self, actor_id):
        return self._actions(actor_id)

    def _shut_down(self):
        """Release every vehicle this TM drives; the port keeps answering, as a fresh TM would."""
        if self.driver is None:
            return
        p = self.params
        for slot in p.registered_slots():
            p.registered[slot] = False
            self.driver.unregister(int(slot))
