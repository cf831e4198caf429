"""The ``carla.command`` module: commands for ``Client.apply_batch`` and ``apply_batch_sync``.

Each command's ``_to_wire()`` gives the wire ``rpc::Command``: ``[[variant_index, payload]]``,
with the variant order of the 0.9.16 client (0 SpawnActor ... 19 ApplyLocation).
Constructors take an actor object (anything with an integer ``id``) or an actor id.
"""

import numbers

from .blueprint import ActorBlueprint
from .control import (
    VehicleAckermannControl, VehicleControl, VehiclePhysicsControl, WalkerControl)
from .enums import AttachmentType
from .geometry import _Field
from .geometry import (
    Location, Transform, Vector3D, _bool, _float32, _int, _mismatch, _uint32, _vector3)

__all__ = [
    'ApplyAngularImpulse', 'ApplyForce', 'ApplyImpulse', 'ApplyTargetAngularVelocity',
    'ApplyTargetVelocity', 'ApplyTorque', 'ApplyTransform', 'ApplyVehicleAckermannControl',
    'ApplyVehicleControl', 'ApplyVehiclePhysicsControl', 'ApplyWalkerControl',
    'ApplyWalkerState', 'DestroyActor', 'FutureActor', 'Response', 'SetAutopilot',
    'SetEnableGravity', 'SetSimulatePhysics', 'SetVehicleLightState', 'ShowDebugTelemetry',
    'SpawnActor',
]

#: In ``SpawnActor(...).then(command)``, stands for the actor the SpawnActor creates.
FutureActor = 0


def _actor_id(actor, where):
    """The id of an actor object, or an actor id given directly."""
    if isinstance(actor, numbers.Integral) or (
            hasattr(actor, '__index__') and not isinstance(actor, float)):
        return _uint32(actor, where)
    ident = getattr(actor, 'id', None)
    if isinstance(ident, numbers.Integral):
        return int(ident)
    raise _mismatch(where, (actor,), where + '(Actor actor) or %s(unsigned int actor_id)' % where)


def _is_actor_object(actor):
    return not isinstance(actor, numbers.Integral) and hasattr(actor, 'id')


# -- argument kinds ----------------------------------------------------------------------------

def _instance_of(kind):
    def convert(value, where):
        if not isinstance(value, kind):
            raise _mismatch(where, (value,), '%s(%s)' % (where, kind.__name__))
        return kind._from_wire(value._to_wire())
    return convert


def _transform(value, where):
    if not isinstance(value, Transform):
        raise _mismatch(where, (value,), where + '(Transform)')
    return value._copy()


def _vector(value, where):
    value = _vector3(value, where)
    return Vector3D._new(value._x, value._y, value._z)


def _location(value, where):
    value = _vector3(value, where)
    return Location._new(value._x, value._y, value._z)


def _port(value, where):
    return _int(value, where, 0, 65535)


class _Argument(_Field):
    """A command argument: a property that converts on write and is read by reference."""

    __slots__ = ('default',)

    def __init__(self, convert, default):
        super().__init__(convert)
        self.default = default


class _Command:
    """Base of the commands that act on one actor: ``Command(actor, *arguments)``."""

    _INDEX = None
    _ARGUMENTS = ()

    def __init__(self, actor=0, *args, **kwargs):
        name = type(self).__name__
        if 'actor_id' in kwargs:
            actor = kwargs.pop('actor_id')
        elif 'actor' in kwargs:
            actor = kwargs.pop('actor')
        self.actor_id = _actor_id(actor, name + '.__init__')
        if len(args) > len(self._ARGUMENTS):
            raise _mismatch(name + '.__init__', (actor,) + args, name + '(actor, ...)')
        for position, argument in enumerate(self._ARGUMENTS):
            field = type(self).__dict__[argument]
            if position < len(args):
                value = args[position]
            elif argument in kwargs:
                value = kwargs.pop(argument)
            else:
                value = field.default()
            setattr(self, argument, value)
        if kwargs:
            raise _mismatch(name + '.__init__', tuple(kwargs), name + '(actor, ...)')

    @property
    def actor_id(self):
        return self.__dict__['actor_id']

    @actor_id.setter
    def actor_id(self, value):
        self.__dict__['actor_id'] = _uint32(value, type(self).__name__ + '.actor_id')

    def _payload(self):
        payload = [self.actor_id]
        for argument in self._ARGUMENTS:
            value = self.__dict__[argument]
            payload.append(value._to_wire() if hasattr(value, '_to_wire') else value)
        return payload

    def _to_wire(self):
        return [[self._INDEX, self._payload()]]


# -- SpawnActor --------------------------------------------------------------------------------

class SpawnActor:
    """Spawn an actor from a blueprint, optionally attached to a parent; see ``then``."""

    def __init__(self, blueprint=None, transform=None, parent=None, attachment_type=None,
                 socket_name=None, parent_id=None):
        where = 'SpawnActor.__init__'
        if isinstance(blueprint, SpawnActor):
            self.__dict__.update(blueprint.__dict__)
            self._do_after = list(blueprint._do_after)
            self._transform = blueprint._transform._copy()
            return
        if blueprint is None:
            self._description = [0, '', []]
        elif isinstance(blueprint, ActorBlueprint):
            self._description = blueprint._to_description()
        else:
            raise _mismatch(where, (blueprint,), 'SpawnActor(ActorBlueprint, Transform, ...)')
        self._transform = Transform() if transform is None else _transform(transform, where)
        if parent_id is not None:
            parent = parent_id
        self._parent = None if parent is None else _actor_id(parent, where)
        self._attachment_type = AttachmentType.Rigid if attachment_type is None else (
            AttachmentType._from_wire(_int(attachment_type, where)))
        if socket_name is None:
            socket_name = ''
        if not isinstance(socket_name, str):
            raise _mismatch(where, (socket_name,), 'SpawnActor(..., str socket_name)')
        self._socket_name = socket_name
        self._do_after = []

    @property
    def transform(self):
        return self._transform

    @transform.setter
    def transform(self, value):
        self._transform._assign(value)

    @property
    def parent_id(self):
        return self._parent

    @property
    def attachment_type(self):
        return self._attachment_type

    @property
    def socket_name(self):
        return self._socket_name

    def then(self, command):
        """Run ``command`` after the spawn; ``FutureActor`` in it is the new actor.

        As in the official client, this adds to this command and returns a copy of it.
        """
        if not hasattr(command, '_to_wire') or isinstance(command, Response):
            raise _mismatch('SpawnActor.then', (command,), 'then(SpawnActor, command)')
        self._do_after.append(command)
        return SpawnActor(self)

    def _to_wire(self):
        parent = [False] if self._parent is None else [True, self._parent]
        return [[0, [self._description, self._transform._to_wire(), parent,
                     int(self._attachment_type), self._socket_name,
                     [command._to_wire() for command in self._do_after]]]]


# -- the commands on one actor ------------------------------------------------------------------

class DestroyActor(_Command):
    """Destroy an actor."""
    _INDEX = 1


class ApplyVehicleControl(_Command):
    """Apply a VehicleControl to a vehicle."""
    _INDEX = 2
    control = _Argument(_instance_of(VehicleControl), VehicleControl)
    _ARGUMENTS = ('control',)


class ApplyVehicleAckermannControl(_Command):
    """Apply a VehicleAckermannControl to a vehicle."""
    _INDEX = 3
    control = _Argument(_instance_of(VehicleAckermannControl), VehicleAckermannControl)
    _ARGUMENTS = ('control',)


class ApplyWalkerControl(_Command):
    """Apply a WalkerControl to a walker."""
    _INDEX = 4
    control = _Argument(_instance_of(WalkerControl), WalkerControl)
    _ARGUMENTS = ('control',)


class ApplyVehiclePhysicsControl(_Command):
    """Apply a VehiclePhysicsControl to a vehicle."""
    _INDEX = 5
    physics_control = _Argument(_instance_of(VehiclePhysicsControl), VehiclePhysicsControl)
    _ARGUMENTS = ('physics_control',)


class ApplyTransform(_Command):
    """Teleport an actor."""
    _INDEX = 6
    transform = _Argument(_transform, Transform)
    _ARGUMENTS = ('transform',)


class ApplyWalkerState(_Command):
    """Set a walker's transform and speed."""
    _INDEX = 7
    transform = _Argument(_transform, Transform)
    speed = _Argument(_float32, float)
    _ARGUMENTS = ('transform', 'speed')


class ApplyTargetVelocity(_Command):
    """Set an actor's velocity (m/s)."""
    _INDEX = 8
    velocity = _Argument(_vector, Vector3D)
    _ARGUMENTS = ('velocity',)


class ApplyTargetAngularVelocity(_Command):
    """Set an actor's angular velocity (deg/s)."""
    _INDEX = 9
    angular_velocity = _Argument(_vector, Vector3D)
    _ARGUMENTS = ('angular_velocity',)


class ApplyImpulse(_Command):
    """Apply an impulse (N*s) to an actor."""
    _INDEX = 10
    impulse = _Argument(_vector, Vector3D)
    _ARGUMENTS = ('impulse',)


class ApplyForce(_Command):
    """Apply a force (N) to an actor."""
    _INDEX = 11
    force = _Argument(_vector, Vector3D)
    _ARGUMENTS = ('force',)


class ApplyAngularImpulse(_Command):
    """Apply an angular impulse (deg*s) to an actor."""
    _INDEX = 12
    impulse = _Argument(_vector, Vector3D)
    _ARGUMENTS = ('impulse',)


class ApplyTorque(_Command):
    """Apply a torque (deg) to an actor."""
    _INDEX = 13
    torque = _Argument(_vector, Vector3D)
    _ARGUMENTS = ('torque',)


class SetSimulatePhysics(_Command):
    """Turn physics on or off for an actor."""
    _INDEX = 14
    enabled = _Argument(_bool, bool)
    _ARGUMENTS = ('enabled',)


class SetEnableGravity(_Command):
    """Turn gravity on or off for an actor."""
    _INDEX = 15
    enabled = _Argument(_bool, bool)
    _ARGUMENTS = ('enabled',)


class SetAutopilot(_Command):
    """Hand a vehicle to the Traffic Manager on ``tm_port`` (the port is not sent)."""
    _INDEX = 16
    enabled = _Argument(_bool, bool)
    tm_port = _Argument(_port, lambda: 8000)
    _ARGUMENTS = ('enabled', 'tm_port')

    def _payload(self):
        return [self.actor_id, self.enabled]


class ShowDebugTelemetry(_Command):
    """Show or hide a vehicle's telemetry on the server's screen."""
    _INDEX = 17
    enabled = _Argument(_bool, bool)
    _ARGUMENTS = ('enabled',)


class SetVehicleLightState(_Command):
    """Set a vehicle's lights (a VehicleLightState bit mask)."""
    _INDEX = 18
    light_state = _Argument(_uint32, int)
    _ARGUMENTS = ('light_state',)

    def __init__(self, actor=0, *args, **kwargs):
        super().__init__(actor, *args, **kwargs)
        # The official client declares the actor-object overload with a bool light state,
        # so with an actor object the mask collapses to 0 or 1; this keeps that behaviour.
        if _is_actor_object(actor) or _is_actor_object(kwargs.get('actor')):
            self.light_state = int(bool(self.light_state))

    def _payload(self):
        return [self.actor_id, int(self.light_state)]


class ApplyLocation(_Command):
    """Move an actor to a location (wire index 19; the official module does not export it)."""
    _INDEX = 19
    location = _Argument(_location, Location)
    _ARGUMENTS = ('location',)


# -- Response ----------------------------------------------------------------------------------

class Response:
    """The result of one command of ``apply_batch_sync``: an actor id or an error."""

    __slots__ = ('_actor_id', '_error', '_failed')

    def __init__(self, *args, **kwargs):
        raise RuntimeError('This class cannot be instantiated from Python')

    @classmethod
    def _from_wire(cls, data):
        """From a ``CommandResponse``: ``[[1, actor_id]]`` or ``[[0, [message]]]``."""
        index, value = data[0]
        self = object.__new__(cls)
        self._failed = index != 1
        if self._failed:
            self._actor_id, self._error = 0, value[0] if isinstance(value, list) else str(value)
        else:
            self._actor_id, self._error = int(value), ''
        return self

    @property
    def actor_id(self):
        return self._actor_id

    @property
    def error(self):
        return self._error

    def has_error(self):
        return self._failed
