"""The server's half of CARLA's walker navigation: the navigation mesh file, and the walker state the
client's crowd sends back.

CARLA runs its walker AI in the client: on connecting, the client asks ``get_required_files("Nav")``,
fetches the file named there with ``request_file`` (unless its cache has it), loads it into Detour and,
at every tick, sends each AI walker's new transform and speed as ``ApplyWalkerState`` batch commands.
``controller.start()`` also turns the walker's physics and collisions off (``set_actor_simulate_physics``,
``set_actor_collisions``). Older clients ask ``get_navigation_mesh`` for the same bytes.
"""
from __future__ import annotations

import math

from engine.errors import RequestError
from engine.map.navmesh import navmesh_file_name, town_navmesh
from engine.server import wire
from engine.server.rpc import VALUE

NAV_FOLDER = "Nav"
APPLY_WALKER_STATE = 7      # apply_batch command index (engine.server.commands.COMMAND_NAMES)


def attach(service, world) -> None:
    """Nothing to set up per episode: the mesh is built when a client first asks for it."""


def register_calls(service) -> None:
    calls = NavigationCalls(service)
    register = service.dispatcher.register
    register("get_required_files", calls.get_required_files, VALUE)
    register("request_file", calls.request_file, VALUE)
    register("get_navigation_mesh", calls.get_navigation_mesh, VALUE)
    service.batch.register(APPLY_WALKER_STATE, calls.apply_walker_state)


class NavigationCalls:
    def __init__(self, service):
        self.service = service
        handlers = service.dispatcher.handlers
        # The calls this module extends keep answering for every other file and folder.
        self._other_required = handlers["get_required_files"].function if "get_required_files" in handlers else None
        self._other_request = handlers["request_file"].function if "request_file" in handlers else None
        self._named = None                # (town, the name of its mesh file)

    def _file_name(self) -> str:
        town = self.service.world.town
        if self._named is None or self._named[0] is not town:
            self._named = (town, navmesh_file_name(town.name, town.xodr))
        return self._named[1]

    def get_required_files(self, folder=""):
        folder = wire.string(folder, "folder")
        if folder.strip("/\\") == NAV_FOLDER:
            return [self._file_name()]
        return self._other_required(folder) if self._other_required else []

    def request_file(self, name):
        name = wire.string(name, "name")
        if name == self._file_name():
            return town_navmesh(self.service.world.town).data
        if self._other_request is None:
            raise RequestError(f"file '{name}' is not served by this server")
        return self._other_request(name)

    def get_navigation_mesh(self):
        return town_navmesh(self.service.world.town).data

    def apply_walker_state(self, actor_id, transform, speed):
        """CARLA's FWalkerActor::SetWalkerState: Detour's point is at the feet, the walker's origin half its
        height above; the control points where the walker faces, at the crowd's speed."""
        world = self.service.world
        actor = world.physical_actor(actor_id, ("walker",))
        (x, y, z), rotation = wire.transform(transform, "ApplyWalkerState transform")
        speed = wire.finite(speed, "ApplyWalkerState speed")
        walkers = world.walkers
        world.set_transform(actor.id, (x, y, z + float(walkers.z_offset[actor.slot])), rotation)
        pitch, yaw = math.radians(rotation[0]), math.radians(rotation[1])
        forward = (math.cos(pitch) * math.cos(yaw), math.cos(pitch) * math.sin(yaw), math.sin(pitch))
        walkers.set_control(actor.slot, forward, speed, False)
