"""apply_batch: CARLA's command variants, run in order, one CommandResponse each.

A command is `[variant_index, payload]` (some senders wrap it once more: `[[index, payload]]`).
The index order is the 0.9.16 wheel's (wire-protocol spec, section 2.1).
"""
from __future__ import annotations

from engine.errors import RequestError
from engine.server import wire

COMMAND_NAMES = (
    "SpawnActor", "DestroyActor", "ApplyVehicleControl", "ApplyVehicleAckermannControl", "ApplyWalkerControl",
    "ApplyVehiclePhysicsControl", "ApplyTransform", "ApplyWalkerState", "ApplyTargetVelocity",
    "ApplyTargetAngularVelocity", "ApplyImpulse", "ApplyForce", "ApplyAngularImpulse", "ApplyTorque",
    "SetSimulatePhysics", "SetEnableGravity", "SetAutopilot", "ShowDebugTelemetry", "SetVehicleLightState",
    "ApplyLocation", "ConsoleCommand", "SetTrafficLightState",
)


class BatchRunner:
    def __init__(self, service):
        self.service = service
        s = service
        # index -> function(actor_id, *rest); every one but SpawnActor starts with the actor id.
        self._actor_commands = {
            1: lambda a: s.destroy_actor(a),
            2: lambda a, control: s.apply_control_to_vehicle(a, control),
            4: lambda a, control: s.apply_control_to_walker(a, control),
            5: lambda a, control: s.apply_physics_control(a, control),
            6: lambda a, transform: s.set_actor_transform(a, transform),
            8: lambda a, v: s.set_actor_target_velocity(a, v),
            9: lambda a, v: s.set_actor_target_angular_velocity(a, v),
            10: lambda a, v: s.add_actor_impulse(a, v),
            11: lambda a, v: s.add_actor_force(a, v),
            12: lambda a, v: s.add_actor_angular_impulse(a, v),
            13: lambda a, v: s.add_actor_torque(a, v),
            14: lambda a, on: s.set_actor_simulate_physics(a, on),
            15: lambda a, on: s.set_actor_enable_gravity(a, on),
            16: self._autopilot,
            17: self._debug_telemetry,
            18: lambda a, state: s.set_vehicle_light_state(a, state),
            19: lambda a, loc: s.set_actor_location(a, loc),
        }

    def register(self, index: int, function) -> None:
        """Run command `index` with function(actor_id, *fields) (server subsystems add theirs)."""
        self._actor_commands[index] = function

    def run(self, commands) -> list:
        if not isinstance(commands, (list, tuple)):
            raise wire.WireError("apply_batch: expected a list of commands")
        return [self._run_one(command) for command in commands]

    def _run_one(self, command) -> list:
        try:
            index, payload = _unwrap(command)
            return [[1, self._execute(index, payload)]]
        except RequestError as exc:
            return [[0, [str(exc)]]]

    def _execute(self, index: int, payload) -> int:
        if index == 0:
            return self._spawn(payload)
        function = self._actor_commands.get(index)
        if function is None:
            name = COMMAND_NAMES[index] if 0 <= index < len(COMMAND_NAMES) else f"#{index}"
            raise RequestError(f"command {name} is not supported by this server")
        if not isinstance(payload, (list, tuple)) or not payload:
            raise wire.WireError(f"command {COMMAND_NAMES[index]}: expected [actor, ...]")
        actor_id = wire.integer(payload[0], f"{COMMAND_NAMES[index]} actor id")
        try:
            function(actor_id, *payload[1:])
        except TypeError:
            raise wire.WireError(f"command {COMMAND_NAMES[index]}: wrong number of fields") from None
        return actor_id

    def _spawn(self, payload) -> int:
        if not isinstance(payload, (list, tuple)) or len(payload) < 2:
            raise wire.WireError("command SpawnActor: expected [description, transform, parent, ...]")
        description, transform = payload[0], payload[1]
        parent = wire.unpack_optional(payload[2], "SpawnActor parent") if len(payload) > 2 else None
        if parent:
            # CARLA's server attaches batch spawns rigidly: the wheel leaves attachment_type uninitialised.
            actor = self.service.spawn_actor_with_parent(description, transform, parent, 0)
        else:
            actor = self.service.spawn_actor(description, transform)
        actor_id = actor[0]
        for follow_up in (payload[5] if len(payload) > 5 and isinstance(payload[5], (list, tuple)) else []):
            # CARLA runs the do_after commands with FutureActor (0) replaced by the new id and ignores their results.
            try:
                index, inner = _unwrap(follow_up)
                if isinstance(inner, (list, tuple)) and inner and inner[0] == 0 and index != 0:
                    inner = [actor_id, *inner[1:]]
                self._execute(index, inner)
            except RequestError:
                pass
        return actor_id

    def _autopilot(self, actor_id, enabled, tm_port=None):
        # CARLA's client does not send the port: the server's Traffic Manager host picks the TM.
        self.service.traffic.set_autopilot(actor_id, enabled, tm_port)

    def _debug_telemetry(self, actor_id, enabled):
        self.service.world.physical_actor(actor_id, ("vehicle",))
        raise RequestError("ShowDebugTelemetry is not supported: this server has no telemetry display")


def _unwrap(command) -> tuple:
    if (isinstance(command, (list, tuple)) and len(command) == 1 and isinstance(command[0], (list, tuple))):
        command = command[0]
    if not isinstance(command, (list, tuple)) or len(command) != 2 or not isinstance(command[0], int):
        raise wire.WireError("apply_batch: a command must be [variant_index, payload]")
    return command[0], command[1]
