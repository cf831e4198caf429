"""The CARLA calls: one method per RPC name, registered in a dispatch table.

Arguments arrive as msgpack values and are checked here before the world sees them.
"""
from __future__ import annotations

import logging
import math
import time

from engine.map.town import (OPENDRIVE_MAP, UnknownMapError, available_maps, load_town, map_key,
                              town_from_opendrive)
from engine.server import wire
from engine.server.commands import BatchRunner
from engine.server.rpc import RAW, VALUE, VOID, Dispatcher
from engine.server.streams import StreamHub
from engine.world import blueprints
from engine.world.settings import EpisodeSettings
from engine.world.weather import weather_from_wire
from engine.sensors.cameras import CAMERA_KINDS, camera_from_attributes
from engine.sensors import catalog  # noqa: F401 - registers the CPU sensors
from engine.sensors.registry import SENSOR_BUILDERS
from engine.world.world import World, WorldError
from engine.recorder import calls as recorder_calls
from engine.traffic import light_calls, tm_calls
from engine.world import collisions
from engine.map import navigation_calls

log = logging.getLogger("carla.service")

SERVER_VERSION = "0.9.16"


# Modules that add actors, tick hooks and RPC calls: each has attach(service, world), run for every new
# world, and register_calls(service), run once; an optional close(service) runs when the server stops.
SUBSYSTEMS: tuple = (collisions, light_calls, tm_calls, recorder_calls, navigation_calls)

SPECTATOR_SPEED = 10.0   # m/s, four times that with the boost key
EPISODE_SWITCH_QUIET_SECONDS = 0.3   # no asynchronous tick this soon after load_new_episode answers, once TMs exist


def fly(location, rotation, controls: dict, dt: float):
    """Move a free camera by window input: move=(forward, right, up), look=(d_yaw, d_pitch) degrees."""
    pitch, yaw, roll = rotation
    d_yaw, d_pitch = controls.get("look", (0.0, 0.0))
    yaw, pitch = yaw + d_yaw, max(-89.0, min(89.0, pitch + d_pitch))
    forward, right, up = controls.get("move", (0.0, 0.0, 0.0))
    speed = SPECTATOR_SPEED * (4.0 if controls.get("speed_boost") else 1.0) * dt
    cp, sp = math.cos(math.radians(pitch)), math.sin(math.radians(pitch))
    cy, sy = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    x = location[0] + speed * (forward * cp * cy - right * sy)
    y = location[1] + speed * (forward * cp * sy + right * cy)
    z = location[2] + speed * (forward * sp + up)
    return (x, y, z), (pitch, yaw, roll)


GENERATION_PARAMETER_FIELDS = ("vertex_distance", "max_road_length", "wall_height", "additional_width",
                               "smooth_junctions", "enable_mesh_visibility", "enable_pedestrian_navigation")


def _check_generation_parameters(parameters) -> None:
    """OpendriveGenerationParameters: four numbers then three flags, in CARLA's declaration order."""
    if parameters is None:
        return
    if not isinstance(parameters, (list, tuple)) or len(parameters) != len(GENERATION_PARAMETER_FIELDS):
        raise wire.WireError("OpendriveGenerationParameters: expected an array of "
                             f"{len(GENERATION_PARAMETER_FIELDS)} values ({', '.join(GENERATION_PARAMETER_FIELDS)})")
    for name, value in zip(GENERATION_PARAMETER_FIELDS[:4], parameters[:4]):
        wire.finite(value, f"OpendriveGenerationParameters.{name}")
    for name, value in zip(GENERATION_PARAMETER_FIELDS[4:], parameters[4:]):
        wire.boolean(value, f"OpendriveGenerationParameters.{name}")


class CarlaService:
    def __init__(self, config, loop, render=None):
        self.config = config
        self.loop = loop
        self.hub = StreamHub(loop)
        self.hub.on_subscribe[StreamHub.EPISODE_STREAM] = self._send_state_to
        self.dispatcher = Dispatcher()
        self.episode_counter = 0
        self.cameras: dict = {}          # actor id -> Camera
        self.cpu_sensors: dict = {}      # actor id -> a sensor computed on the CPU (engine.sensors.registry)
        self.render = render             # RenderSystem, or None when nothing is rendered (-nullrhi)
        self._last_sync_tick = None      # wall clock of the last synchronous tick without a fixed delta
        self._opendrive_town = None      # the town built from the last copy_opendrive_to_file
        self.world = self._new_world(load_town(config.map_name), EpisodeSettings(
            fixed_delta_seconds=config.fixed_delta_seconds))
        self.batch = BatchRunner(self)
        self._register_calls()

    # -- episode ----------------------------------------------------------------------------------------------
    def _new_world(self, town, settings) -> World:
        self.episode_counter += 1
        self.cameras = {}
        self.cpu_sensors = {}
        if self.render is not None:
            self.render.forget_pending()
            self.render.load_town(town)
        world = World(town, episode_id=self.episode_counter, settings=settings, sensor_factory=self._new_sensor)
        for subsystem in SUBSYSTEMS:
            subsystem.attach(self, world)
        return world

    def _new_sensor(self, actor, blueprint) -> int:
        """Give a sensor actor its stream; refuse the kinds this server does not produce yet."""
        if actor.type_id not in CAMERA_KINDS and actor.type_id not in SENSOR_BUILDERS:
            raise WorldError(f"sensor '{actor.type_id}' is not available in this server yet")
        stream_id = self.hub.new_stream()
        if actor.type_id in CAMERA_KINDS:
            self.cameras[actor.id] = camera_from_attributes(actor.id, stream_id, actor.type_id, actor.attributes)
        else:
            self.cpu_sensors[actor.id] = SENSOR_BUILDERS[actor.type_id](actor, stream_id, self.world)
        return stream_id

    @property
    def synchronous(self) -> bool:
        return self.world.settings.synchronous_mode

    @property
    def fixed_delta_seconds(self):
        return self.world.settings.fixed_delta_seconds

    def tick(self, dt: float) -> int:
        self.world.step(dt)
        self._publish_cpu_sensors(dt)
        rendering = self._start_rendering(dt)
        self._publish_state()
        if rendering:
            if self.synchronous:
                # The GPU draws while the state goes out and the answer to the tick is sent; the images
                # follow before any other call runs, so all of frame N is out before tick N+1 starts.
                self.dispatcher.deferred = self._deliver_all_images
            else:
                self._deliver_images(wait=False)
        return self.world.frame

    def _publish_cpu_sensors(self, dt: float) -> None:
        for sensor in self.cpu_sensors.values():
            if getattr(sensor, "needs_listener", False) and not self.hub.has_readers(sensor.stream_id):
                continue
            for message in sensor.messages(self.world, dt):
                self.hub.publish(sensor.stream_id, *message)

    def _start_rendering(self, dt: float) -> bool:
        """Submit the cameras due this frame to the GPU; False when nothing renders."""
        if self.render is None or self.world.settings.no_rendering_mode:
            return False
        due = [c for c in self.cameras.values() if c.due(dt) and self.hub.has_readers(c.stream_id)]
        self.render.render_cameras(self.world, due)
        return True

    def _deliver_images(self, wait: bool) -> None:
        """Send every image whose readback finished (all of them with wait), one or two frames late
        in asynchronous mode."""
        for camera, message in self.render.finished_images(wait=wait):
            self.hub.publish(camera.stream_id, *message)

    def _deliver_all_images(self) -> None:
        self._deliver_images(wait=True)

    def draw_window(self) -> None:
        """The server window: fly the spectator with WASD/QE and the mouse, show what it sees."""
        context = self.render.context
        if context.should_close():
            self.loop.stop()
            return
        spectator = self.world.spectator
        controls = context.poll_input()
        if not spectator.parent_id:
            spectator.location, spectator.rotation = fly(spectator.location, spectator.rotation, controls,
                                                         1.0 / 30.0)
        location, rotation = self.world.world_pose(spectator)
        width, height = self.config.res_x, self.config.res_y
        context.present(self.render.view(self.world, location, rotation, width, height), width, height)

    def _send_state_to(self, conn) -> None:
        payload = self.world.encode_state()
        self.hub.send(conn, (len(payload).to_bytes(4, "little"), payload))

    def _publish_state(self) -> None:
        """The episode state to its readers (encoded only when there are some)."""
        if self.hub.has_readers(StreamHub.EPISODE_STREAM):
            self.hub.publish(StreamHub.EPISODE_STREAM, self.world.encode_state())

    # -- the table --------------------------------------------------------------------------------------------
    def _register_calls(self) -> None:
        r = self.dispatcher.register
        for name in ("version", "get_episode_info", "get_sensor_token", "get_episode_settings",
                     "set_episode_settings", "get_required_files", "query_lights_state", "tick_cue",
                     "get_actor_definitions", "get_map_info", "get_map_data", "get_available_maps",
                     "get_spectator", "get_actors_by_id", "get_actor_bounding_box", "spawn_actor",
                     "spawn_actor_with_parent", "destroy_actor", "get_weather_parameters",
                     "get_physics_control", "get_vehicle_light_states", "get_vehicle_light_state",
                     "request_file"):
            r(name, getattr(self, name), VALUE)
        for name in ("load_new_episode", "set_weather_parameters", "set_actor_transform", "set_actor_location",
                     "set_actor_target_velocity", "set_actor_target_angular_velocity",
                     "enable_actor_constant_velocity", "disable_actor_constant_velocity",
                     "set_actor_simulate_physics", "set_actor_enable_gravity", "add_actor_impulse",
                     "add_actor_force", "add_actor_angular_impulse", "add_actor_torque",
                     "apply_control_to_vehicle", "apply_control_to_walker", "apply_physics_control",
                     "set_vehicle_light_state", "copy_opendrive_to_file"):
            r(name, getattr(self, name), VOID)
        r("apply_batch", self.apply_batch, RAW)
        for subsystem in SUBSYSTEMS:
            subsystem.register_calls(self)

    # -- connection and episode calls -------------------------------------------------------------------------
    def version(self):
        return SERVER_VERSION

    def get_episode_info(self):
        return [self.world.episode_id, [wire.stream_token(StreamHub.EPISODE_STREAM, self.config.streaming_port)]]

    def get_sensor_token(self, stream_id):
        stream_id = wire.integer(stream_id, "stream id")
        if not self.hub.request(stream_id):
            raise WorldError(f"no stream with id {stream_id}: the sensor was destroyed or never existed")
        return [wire.stream_token(stream_id, self.config.streaming_port)]

    def get_episode_settings(self):
        return self.world.settings.to_wire()

    def set_episode_settings(self, settings):
        new = EpisodeSettings.from_wire(settings)
        if new.synchronous_mode and new.fixed_delta_seconds is None:
            log.warning("synchronous mode without fixed_delta_seconds: each tick uses the wall-clock time")
        self.world.settings = new
        self.loop.reschedule()
        self._publish_state()
        return self.world.frame

    def get_required_files(self, folder=""):
        return []

    def request_file(self, name):
        raise WorldError(f"file '{wire.string(name, 'name')}' is not served: get_required_files lists none")

    def query_lights_state(self, client_name=""):
        return []

    def tick_cue(self):
        if not self.synchronous:
            return self.world.frame + 1     # the next asynchronous tick will produce it
        dt = self.fixed_delta_seconds
        if dt is None:
            now = time.monotonic()
            previous = self._last_sync_tick if self._last_sync_tick is not None else now - 0.05
            dt = min(max(now - previous, 1e-4), 1.0)
            self._last_sync_tick = now
        return self.tick(dt)

    def get_available_maps(self):
        return [f"/Game/Carla/Maps/{name}" for name in available_maps()]

    def load_new_episode(self, map_name, reset_settings=True, map_layers=65535):
        town = self._town_named(wire.string(map_name, "map name"))
        settings = EpisodeSettings(fixed_delta_seconds=self.config.fixed_delta_seconds) \
            if wire.boolean(reset_settings, "reset_settings") else self.world.settings
        for actor in self.world.actors.values():
            if actor.stream_id:
                self.hub.close_stream(actor.stream_id)
        self.world = self._new_world(town, settings)
        # CARLA's client drops its old episode as soon as this call returns. A state of the new episode
        # reaching that old one first makes it reset its Traffic Managers inside the stream callback while
        # the episode is destroyed, which crashes the official client; so nothing is published right now
        # (a new subscription gets the state at once) and, once any client holds a Traffic Manager, the
        # next asynchronous tick waits a moment. Without one that reset does nothing and nothing waits.
        quiet = tm_calls.host_of(self).in_use()
        self.loop.reschedule(quiet_seconds=EPISODE_SWITCH_QUIET_SECONDS if quiet else 0.0)

    def _town_named(self, map_name: str):
        """The town a load_new_episode name means; "" is the current one, "OpenDriveMap" the last one sent."""
        if map_name == "":
            return self.world.town
        if map_key(map_name) == OPENDRIVE_MAP.lower():
            if self._opendrive_town is None:
                raise WorldError(f"Map '{map_name}' has no OpenDRIVE yet: generate_opendrive_world sends one")
            return self._opendrive_town
        try:
            return load_town(map_name)
        except UnknownMapError as error:
            raise WorldError(str(error)) from None

    def copy_opendrive_to_file(self, opendrive, parameters=None):
        """Build the town a following load_new_episode("OpenDriveMap") loads, as CARLA stages it.

        The generation parameters shape CARLA's procedural meshes; ours come from the lanes themselves,
        so they are checked and otherwise unused.
        """
        text = wire.string(opendrive, "opendrive")
        _check_generation_parameters(parameters)
        try:
            self._opendrive_town = town_from_opendrive(text)
        except ValueError as error:
            raise WorldError(f"opendrive could not be correctly parsed: {error}") from None

    # -- map --------------------------------------------------------------------------------------------------
    def get_map_info(self):
        town = self.world.town
        return [town.map_name, [wire.pack_transform(p[:3], p[3:6]) for p in town.spawn_points]]

    def get_map_data(self):
        return self.world.town.xodr

    # -- blueprints and actors --------------------------------------------------------------------------------
    def get_actor_definitions(self):
        return [bp.to_wire(uid) for uid, bp in enumerate(blueprints.blueprint_library(), start=1)]

    def actor_wire(self, actor) -> list:
        token = wire.stream_token(actor.stream_id, self.config.streaming_port) if actor.stream_id else b""
        return [actor.id, actor.parent_id, actor.description, actor.bounding_box_wire(),
                actor.semantic_tags, token]

    def get_spectator(self):
        return self.actor_wire(self.world.spectator)

    def get_actors_by_id(self, ids):
        if not isinstance(ids, (list, tuple)):
            raise wire.WireError("get_actors_by_id: expected a list of actor ids")
        actors = self.world.actors
        return [self.actor_wire(actors[i]) for i in ids if isinstance(i, int) and i in actors]

    def get_actor_bounding_box(self, actor_id):
        return self.world.actor(actor_id).bounding_box_wire()

    def spawn_actor(self, description, transform):
        return self.actor_wire(self.track(self.world.spawn(description, wire.transform(transform))))

    def track(self, actor):
        """A new vehicle or walker gets its mesh in the renderer; returns the actor."""
        if self.render is not None and actor.kind in ("vehicle", "walker"):
            self.render.track(actor, blueprints.find_blueprint(actor.type_id))
        return actor

    def spawn_actor_with_parent(self, description, transform, parent, attachment_type=0, socket_name=""):
        parent = wire.integer(parent, "parent id")
        attachment = wire.integer(attachment_type, "attachment type") if parent else 0
        if attachment not in (0, 1, 2):
            raise wire.WireError(f"attachment type must be 0 (Rigid), 1 (SpringArm) or 2 (SpringArmGhost), got {attachment}")
        return self.actor_wire(self.track(self.world.spawn(description, wire.transform(transform), parent, attachment)))

    def destroy_actor(self, actor_id):
        actor = self.world.actors.get(actor_id) if isinstance(actor_id, int) else None
        if actor is None:
            raise WorldError("unable to destroy actor: not found")
        if actor.stream_id:
            self.hub.close_stream(actor.stream_id)
            self.cameras.pop(actor.id, None)
            self.cpu_sensors.pop(actor.id, None)
        self.world.destroy(actor.id)
        return True

    # -- actor state ------------------------------------------------------------------------------------------
    def set_actor_transform(self, actor_id, transform):
        self.world.set_transform(actor_id, *wire.transform(transform))

    def set_actor_location(self, actor_id, location):
        self.world.set_location(actor_id, wire.vector3(location, "location"))

    def set_actor_target_velocity(self, actor_id, velocity):
        actor = self.world.physical_actor(actor_id)
        self.world.state_of(actor).set_target_velocity(actor.slot, wire.vector3(velocity, "velocity"))

    def set_actor_target_angular_velocity(self, actor_id, velocity):
        actor = self.world.physical_actor(actor_id)
        self.world.state_of(actor).set_target_angular_velocity(actor.slot, wire.vector3(velocity, "angular velocity"))

    def enable_actor_constant_velocity(self, actor_id, velocity):
        actor = self.world.physical_actor(actor_id, ("vehicle",))
        self.world.vehicles.enable_constant_velocity(actor.slot, wire.vector3(velocity, "velocity"))

    def disable_actor_constant_velocity(self, actor_id):
        actor = self.world.physical_actor(actor_id, ("vehicle",))
        self.world.vehicles.disable_constant_velocity(actor.slot)

    def set_actor_simulate_physics(self, actor_id, enabled):
        actor = self.world.physical_actor(actor_id)
        self.world.state_of(actor).set_simulate_physics(actor.slot, wire.boolean(enabled, "enabled"))

    def set_actor_enable_gravity(self, actor_id, enabled):
        self.world.physical_actor(actor_id)
        wire.boolean(enabled, "enabled")
        raise WorldError("set_enable_gravity is not supported: actors always stay on the ground in this server")

    def add_actor_impulse(self, actor_id, impulse):
        self.world.add_impulse(actor_id, wire.vector3(impulse, "impulse"))

    def add_actor_force(self, actor_id, force):
        dt = self.fixed_delta_seconds or self.world.delta_seconds or 0.05
        self.world.add_impulse(actor_id, tuple(f * dt for f in wire.vector3(force, "force")))

    def add_actor_angular_impulse(self, actor_id, impulse):
        self.world.add_angular_impulse(actor_id, wire.vector3(impulse, "angular impulse"))

    def add_actor_torque(self, actor_id, torque):
        dt = self.fixed_delta_seconds or self.world.delta_seconds or 0.05
        self.world.add_angular_impulse(actor_id, tuple(t * dt for t in wire.vector3(torque, "torque")))

    def apply_control_to_vehicle(self, actor_id, control):
        self.world.apply_vehicle_control(actor_id, control)

    def apply_control_to_walker(self, actor_id, control):
        self.world.apply_walker_control(actor_id, control)

    def get_physics_control(self, actor_id):
        return self.world.physics_control(actor_id)

    def apply_physics_control(self, actor_id, control):
        self.world.apply_physics_control(actor_id, control)

    def set_vehicle_light_state(self, actor_id, state):
        self.world.physical_actor(actor_id, ("vehicle",)).light_state = wire.integer(state, "light state") & 0xFFFFFFFF

    def get_vehicle_light_state(self, actor_id):
        return self.world.physical_actor(actor_id, ("vehicle",)).light_state

    def get_vehicle_light_states(self):
        return [[a.id, a.light_state] for a in self.world.actors.values() if a.kind == "vehicle"]

    # -- weather ----------------------------------------------------------------------------------------------
    def get_weather_parameters(self):
        return list(self.world.weather)

    def set_weather_parameters(self, weather):
        self.world.weather = weather_from_wire(weather)

    # -- batches (the Traffic Manager's calls: engine.traffic.tm_calls) --------------------------------------
    def apply_batch(self, commands, do_tick_cue=False):
        responses = self.batch.run(commands)
        if wire.boolean(do_tick_cue, "do_tick_cue"):
            self.tick_cue()
        return responses
