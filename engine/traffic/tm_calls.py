"""The Traffic Manager as a server subsystem: world-port calls, TM ports, autopilot registration.

The server hosts every Traffic Manager itself: `get_traffic_manager_running(port)` binds the TM port
(once) in the server's own loop and answers its address, so CARLA's client acts as a remote-TM client.
"""
from __future__ import annotations

import logging

from engine.errors import RequestError
from engine.server import wire
from engine.server.rpc import VALUE, VOID
from engine.traffic.tm_server import TM_DEFAULT_PORT, TmConnection, TrafficManager, open_listener

log = logging.getLogger("carla.traffic")


def default_driver_factory(world, seed):
    """The autopilot for one world (engine.traffic.driver); imported when the first vehicle needs it."""
    from engine.traffic.driver import AutopilotDriver
    return AutopilotDriver(world.town, seed)


class TrafficHost:
    """All Traffic Managers of one server, by port; they outlive episodes, their vehicles do not."""

    def __init__(self, service, driver_factory=default_driver_factory):
        self.service = service
        self.managers: dict[int, TrafficManager] = {}
        self.driver_factory = driver_factory
        self.last_port = None          # the TM port a client reached last

    def in_use(self) -> bool:
        """Whether any client has reached a Traffic Manager (its process then holds a TM client)."""
        return bool(self.managers)

    def manager(self, port: int) -> TrafficManager:
        tm = self.managers.get(port)
        if tm is None:
            tm = TrafficManager(port, lambda: self.service.world,
                                lambda world, seed: self.driver_factory(world, seed))
            tm.release_elsewhere = lambda actor_id: self._release_elsewhere(tm, actor_id)
            self.managers[port] = tm
        return tm

    # -- ports ------------------------------------------------------------------------------------------------
    def listen(self, port) -> TrafficManager:
        """The TM on ``port``, its port bound on all interfaces on first use."""
        port = wire.integer(port, "Traffic Manager port")
        if not 0 < port < 65536:
            raise RequestError(f"Traffic Manager port must be 1..65535, got {port}")
        tm = self.manager(port)
        if tm.listener is None:
            try:
                tm.listener = open_listener(port)
            except OSError as error:
                raise RequestError(f"cannot start the Traffic Manager on port {port}: {error.strerror or error}") \
                    from None
            self.service.loop.add_listener(tm.listener, lambda sock, peer: TmConnection(sock, peer, tm.dispatcher))
            log.info("Traffic Manager listening on port %d", port)
            tm.prepare(self.service.world)
        self.last_port = port
        return tm

    def address(self, port) -> list:
        tm = self.listen(port)
        return [self._reachable_host(), tm.port]

    def _reachable_host(self) -> str:
        """The address the calling client reached this server at; the TM port answers there too."""
        conn = getattr(self.service.loop, "current_connection", None)
        if conn is not None:
            try:
                host = conn.sock.getsockname()[0]
                if host and host != "0.0.0.0":
                    return host
            except OSError:
                pass
        host = self.service.config.host
        return host if host not in ("", "0.0.0.0") else "127.0.0.1"

    # -- vehicles ---------------------------------------------------------------------------------------------
    def owner_of(self, actor_id: int):
        for tm in self.managers.values():
            if tm.drives(actor_id):
                return tm
        return None

    def set_autopilot(self, actor_id, enabled, port=None) -> None:
        """Server-side autopilot switch (SetAutopilot command, set_actor_autopilot). CARLA's wire has no
        port: the vehicle stays with the TM that drives it, else goes to the TM a client reached last
        (the one its client registers it with right after), else to the one on CARLA's default port."""
        actor_id = wire.integer(actor_id, "actor id")
        self.service.world.physical_actor(actor_id, ("vehicle",))
        owner = self.owner_of(actor_id)
        if not wire.boolean(enabled, "enabled"):
            if owner is not None:
                owner.unregister(actor_id)
            return
        if port is not None:
            self.manager(wire.integer(port, "tm port")).register(actor_id)
        elif owner is None:
            self.manager(self.last_port or TM_DEFAULT_PORT).register(actor_id)

    def _release_elsewhere(self, tm: TrafficManager, actor_id: int) -> None:
        """A vehicle is driven by one TM at a time: registering with ``tm`` releases it from the others."""
        for other in self.managers.values():
            if other is not tm:
                other.unregister(actor_id)

    # -- episodes ---------------------------------------------------------------------------------------------
    def attach(self, world) -> None:
        """A new episode: every TM lets its vehicles go; the ones clients reach get a driver for ``world``."""
        for tm in self.managers.values():
            tm.drop_world()
        world.before_physics.insert(0, self._forget_destroyed)
        for tm in self.managers.values():
            if tm.listener is not None:
                try:
                    tm.prepare(world)
                except Exception:  # noqa: BLE001 - the map still loads; the TM's next call reports the error
                    log.exception("Traffic Manager on port %d has no driver for the new map", tm.port)

    def _forget_destroyed(self, world, dt) -> None:
        for tm in self.managers.values():
            tm.forget_destroyed(world)


def host_of(service) -> TrafficHost:
    host = getattr(service, "traffic", None)
    if host is None:
        host = service.traffic = TrafficHost(service)
    return host


# -- the subsystem interface -----------------------------------------------------------------------------------
def attach(service, world) -> None:
    host_of(service).attach(world)


def register_calls(service) -> None:
    host = host_of(service)
    r = service.dispatcher.register
    r("get_traffic_manager_running", host.address, VALUE)
    r("is_traffic_manager_running", lambda port: bool(host.listen(port)), VALUE)
    r("set_actor_autopilot", lambda actor_id, enabled: host.set_autopilot(actor_id, enabled), VOID)
