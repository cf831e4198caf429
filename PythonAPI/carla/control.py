"""Vehicle and walker controls and vehicle physics of the CARLA 0.9.16 Python API."""

from .enums import VehicleDoor, VehicleFailureState, VehicleLightState, VehicleWheelLocation
from .geometry import (
    ArgumentError, Location, Transform, Vector2D, Vector3D, _bool, _Field, _float32, _int,
    _mismatch, _Struct, _ValueField, _wire_value)

__all__ = [
    'VehicleControl', 'VehicleAckermannControl', 'AckermannControllerSettings', 'WalkerControl',
    'WalkerBoneControlIn', 'WalkerBoneControlOut', 'bone_transform', 'bone_transform_out',
    'GearPhysicsControl', 'WheelPhysicsControl', 'VehiclePhysicsControl',
    'VehicleLightState', 'VehicleDoor', 'VehicleWheelLocation', 'VehicleFailureState',
]


class VehicleControl(_Struct):
    """Throttle, steering and brake of a vehicle. Wire: the 7 fields in this order."""

    throttle = _Field(_float32)
    steer = _Field(_float32)
    brake = _Field(_float32)
    hand_brake = _Field(_bool)
    reverse = _Field(_bool)
    manual_gear_shift = _Field(_bool)
    gear = _Field(_int)

    _FIELDS = ('throttle', 'steer', 'brake', 'hand_brake', 'reverse', 'manual_gear_shift',
               'gear')

    def __init__(self, throttle=0.0, steer=0.0, brake=0.0, hand_brake=False, reverse=False,
                 manual_gear_shift=False, gear=0):
        self.throttle = throttle
        self.steer = steer
        self.brake = brake
        self.hand_brake = hand_brake
        self.reverse = reverse
        self.manual_gear_shift = manual_gear_shift
        self.gear = gear

    def __str__(self):
        return 'VehicleControl(%s)' % self._fields_text(self._FIELDS)


class VehicleAckermannControl(_Struct):
    """Steering angle and speed targets. Wire: ``[steer, steer_speed, speed, acceleration, jerk]``."""

    steer = _Field(_float32)
    steer_speed = _Field(_float32)
    speed = _Field(_float32)
    acceleration = _Field(_float32)
    jerk = _Field(_float32)

    _FIELDS = ('steer', 'steer_speed', 'speed', 'acceleration', 'jerk')

    def __init__(self, steer=0.0, steer_speed=0.0, speed=0.0, acceleration=0.0, jerk=0.0):
        self.steer = steer
        self.steer_speed = steer_speed
        self.speed = speed
        self.acceleration = acceleration
        self.jerk = jerk

    def __str__(self):
        return 'VehicleAckermannControl(%s)' % self._fields_text(self._FIELDS)


class AckermannControllerSettings(_Struct):
    """PID gains of the Ackermann controller. Wire: the 6 gains in this order."""

    speed_kp = _Field(_float32)
    speed_ki = _Field(_float32)
    speed_kd = _Field(_float32)
    accel_kp = _Field(_float32)
    accel_ki = _Field(_float32)
    accel_kd = _Field(_float32)

    _FIELDS = ('speed_kp', 'speed_ki', 'speed_kd', 'accel_kp', 'accel_ki', 'accel_kd')

    def __init__(self, speed_kp=0.0, speed_ki=0.0, speed_kd=0.0, accel_kp=0.0, accel_ki=0.0,
                 accel_kd=0.0):
        self.speed_kp = speed_kp
        self.speed_ki = speed_ki
        self.speed_kd = speed_kd
        self.accel_kp = accel_kp
        self.accel_ki = accel_ki
        self.accel_kd = accel_kd

    def __str__(self):
        return 'AckermannControllerSettings(%s)' % self._fields_text(self._FIELDS)


class WalkerControl(_Struct):
    """Walking direction, speed and jump. Wire: ``[direction, speed, jump]``."""

    direction = _ValueField(Vector3D)
    speed = _Field(_float32)
    jump = _Field(_bool)

    _FIELDS = ('direction', 'speed', 'jump')

    def __init__(self, direction=None, speed=0.0, jump=False):
        self.direction = Vector3D._new(1.0, 0.0, 0.0) if direction is None else direction
        self.speed = speed
        self.jump = jump

    def __str__(self):
        return 'WalkerControl(%s)' % self._fields_text(self._FIELDS)


# -- walker bones ------------------------------------------------------------------------------

class bone_transform:
    """A bone name and its transform, as in ``WalkerBoneControlIn.bone_transforms``."""

    def __init__(self):
        self._name = ''
        self._transform = Transform()

    @classmethod
    def _new(cls, name, transform):
        self = cls()
        self._name = name
        self._transform = transform
        return self

    @property
    def name(self):
        return self._name

    @property
    def transform(self):
        return self._transform

    def __str__(self):
        return '(%s,%s)' % (self._name, self._transform)


class bone_transform_out:
    """A bone of ``WalkerBoneControlOut``: its world, component and relative transforms."""

    def __init__(self):
        self._name = ''
        self._world = Transform()
        self._component = Transform()
        self._relative = Transform()

    @classmethod
    def _from_wire(cls, data):
        self = cls()
        self._name = data[0]
        self._world = Transform._from_wire(data[1])
        self._component = Transform._from_wire(data[2])
        self._relative = Transform._from_wire(data[3])
        return self

    def _to_wire(self):
        return [self._name, self._world._to_wire(), self._component._to_wire(),
                self._relative._to_wire()]

    def _copy(self):
        return bone_transform_out._from_wire(self._to_wire())

    @property
    def name(self):
        return self._name

    @property
    def world(self):
        return self._world

    @property
    def component(self):
        return self._component

    @property
    def relative(self):
        return self._relative

    def _fields_text(self):
        return 'name=%s, world=%s, component=%s, relative=%s' % (
            self._name, self._world, self._component, self._relative)

    def __str__(self):
        return 'BoneTransformDataOut(%s)' % self._fields_text()


def _bone_pair(item):
    if isinstance(item, bone_transform):
        return item._name, item._transform._copy()
    try:
        name, transform = item
    except (TypeError, ValueError):
        raise ArgumentError('bone_transforms expects (name, Transform) pairs') from None
    if not isinstance(name, str) or not isinstance(transform, Transform):
        raise ArgumentError('bone_transforms expects (name, Transform) pairs')
    return name, transform._copy()


class WalkerBoneControlIn:
    """Bone transforms to apply to a walker. Wire: ``[[[name, transform], ...]]``."""

    def __init__(self, bone_transforms=None):
        self._bones = []
        if bone_transforms is not None:
            self.bone_transforms = bone_transforms

    @property
    def bone_transforms(self):
        return [bone_transform._new(name, transform._copy()) for name, transform in self._bones]

    @bone_transforms.setter
    def bone_transforms(self, value):
        if not isinstance(value, (list, tuple)):
            raise _mismatch('WalkerBoneControlIn.bone_transforms', (value,), 'list')
        self._bones = [_bone_pair(item) for item in value]

    def _to_wire(self):
        return [[[name, transform._to_wire()] for name, transform in self._bones]]

    def __str__(self):
        return 'WalkerBoneControlIn(bone_transforms(%s))' % ''.join(
            '(name=%s, transform=%s)' % pair for pair in self._bones)


class WalkerBoneControlOut:
    """Bone transforms reported by a walker. Wire: ``[[[name, world, component, relative], ...]]``."""

    def __init__(self):
        self._bones = []

    @classmethod
    def _from_wire(cls, data):
        self = cls()
        self._bones = [bone_transform_out._from_wire(item) for item in data[0]]
        return self

    def _to_wire(self):
        return [[bone._to_wire() for bone in self._bones]]

    @property
    def bone_transforms(self):
        return [bone._copy() for bone in self._bones]

    @bone_transforms.setter
    def bone_transforms(self, value):
        if not isinstance(value, list) or not all(
                isinstance(item, bone_transform_out) for item in value):
            raise _mismatch('WalkerBoneControlOut.bone_transforms', (value,), 'list')
        self._bones = [item._copy() for item in value]

    def __str__(self):
        return 'WalkerBoneControlOut(bone_transforms(%s))' % ''.join(
            '(%s)' % bone._fields_text() for bone in self._bones)


# -- vehicle physics ---------------------------------------------------------------------------

class GearPhysicsControl(_Struct):
    """One forward gear. Wire: ``[ratio, down_ratio, up_ratio]``."""

    ratio = _Field(_float32)
    down_ratio = _Field(_float32)
    up_ratio = _Field(_float32)

    _FIELDS = ('ratio', 'down_ratio', 'up_ratio')

    def __init__(self, ratio=1.0, down_ratio=0.5, up_ratio=0.65):
        self.ratio = ratio
        self.down_ratio = down_ratio
        self.up_ratio = up_ratio

    def _copy(self):
        return GearPhysicsControl._from_wire(self._to_wire())

    def __str__(self):
        return 'GearPhysicsControl(%s)' % self._fields_text(self._FIELDS)


class WheelPhysicsControl(_Struct):
    """One wheel. Wire: the 9 floats in field order, then ``position`` as ``[x, y, z]``."""

    tire_friction = _Field(_float32)
    damping_rate = _Field(_float32)
    max_steer_angle = _Field(_float32)
    radius = _Field(_float32)
    max_brake_torque = _Field(_float32)
    max_handbrake_torque = _Field(_float32)
    lat_stiff_max_load = _Field(_float32)
    lat_stiff_value = _Field(_float32)
    long_stiff_value = _Field(_float32)
    position = _ValueField(Vector3D)

    _FIELDS = ('tire_friction', 'damping_rate', 'max_steer_angle', 'radius', 'max_brake_torque',
               'max_handbrake_torque', 'lat_stiff_max_load', 'lat_stiff_value',
               'long_stiff_value', 'position')

    def __init__(self, tire_friction=2.0, damping_rate=0.25, max_steer_angle=70.0, radius=30.0,
                 max_brake_torque=1500.0, max_handbrake_torque=3000.0, lat_stiff_max_load=2.0,
                 lat_stiff_value=17.0, long_stiff_value=1000.0, position=None):
        self.tire_friction = tire_friction
        self.damping_rate = damping_rate
        self.max_steer_angle = max_steer_angle
        self.radius = radius
        self.max_brake_torque = max_brake_torque
        self.max_handbrake_torque = max_handbrake_torque
        self.lat_stiff_max_load = lat_stiff_max_load
        self.lat_stiff_value = lat_stiff_value
        self.long_stiff_value = long_stiff_value
        self.position = Vector3D._new(0.0, 0.0, 0.0) if position is None else position

    def _copy(self):
        return WheelPhysicsControl._from_wire(self._to_wire())

    def __str__(self):
        return 'WheelPhysicsControl(%s)' % self._fields_text(self._FIELDS)


def _no_converter(value, cpp_type):
    return TypeError(
        'No registered converter was able to extract a C++ reference to type %s from this '
        'Python object of type %s' % (cpp_type, type(value).__name__))


def _curve_point(item):
    if isinstance(item, Vector2D):
        return Vector2D._new(item._x, item._y)
    try:
        x, y = item[0], item[1]
    except (TypeError, IndexError, KeyError):
        raise _no_converter(item, 'carla::geom::Vector2D') from None
    return Vector2D(x, y)


class _ListField:
    """A list attribute of VehiclePhysicsControl: reads and writes copy the items."""

    def __init__(self, convert):
        self.convert = convert

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return [item._copy() for item in obj.__dict__[self.name]]

    def __set__(self, obj, value):
        if not isinstance(value, list):
            raise _mismatch('VehiclePhysicsControl.' + self.name, (value,), 'list')
        obj.__dict__[self.name] = [self.convert(item) for item in value]


def _gear(item):
    if not isinstance(item, GearPhysicsControl):
        raise _no_converter(item, 'carla::rpc::GearPhysicsControl')
    return item._copy()


def _wheel(item):
    if not isinstance(item, WheelPhysicsControl):
        raise _no_converter(item, 'carla::rpc::WheelPhysicsControl')
    return item._copy()


class VehiclePhysicsControl(_Struct):
    """Engine, transmission, body and wheel parameters of a vehicle.

    Constructed with keyword arguments only (unknown ones are ignored, as by the official
    client). Wire (``rpc::VehiclePhysicsControl``, 17 fields): ``[torque_curve [[x, y], ...],
    max_rpm, moi, damping_rate_full_throttle, damping_rate_zero_throttle_clutch_engaged,
    damping_rate_zero_throttle_clutch_disengaged, use_gear_autobox, gear_switch_time,
    clutch_strength, final_ratio, forward_gears [[ratio, down_ratio, up_ratio], ...], mass,
    drag_coefficient, center_of_mass [x, y, z], steering_curve [[x, y], ...], wheels [...],
    use_sweep_wheel_collision]``.
    """

    torque_curve = _ListField(_curve_point)
    max_rpm = _Field(_float32)
    moi = _Field(_float32)
    damping_rate_full_throttle = _Field(_float32)
    damping_rate_zero_throttle_clutch_engaged = _Field(_float32)
    damping_rate_zero_throttle_clutch_disengaged = _Field(_float32)
    use_gear_autobox = _Field(_bool)
    gear_switch_time = _Field(_float32)
    clutch_strength = _Field(_float32)
    final_ratio = _Field(_float32)
    forward_gears = _ListField(_gear)
    mass = _Field(_float32)
    drag_coefficient = _Field(_float32)
    center_of_mass = _ValueField(Location)
    steering_curve = _ListField(_curve_point)
    wheels = _ListField(_wheel)
    use_sweep_wheel_collision = _Field(_bool)

    _FIELDS = ('torque_curve', 'max_rpm', 'moi', 'damping_rate_full_throttle',
               'damping_rate_zero_throttle_clutch_engaged',
               'damping_rate_zero_throttle_clutch_disengaged', 'use_gear_autobox',
               'gear_switch_time', 'clutch_strength', 'final_ratio', 'forward_gears', 'mass',
               'drag_coefficient', 'center_of_mass', 'steering_curve', 'wheels',
               'use_sweep_wheel_collision')
    # LibCarla's operator== leaves the torque curve out; so does the official client.
    _EQ_FIELDS = _FIELDS[1:]

    _DEFAULTS = (
        ('torque_curve', [Vector2D(0.0, 500.0), Vector2D(5000.0, 500.0)]),
        ('max_rpm', 5000.0), ('moi', 1.0), ('damping_rate_full_throttle', 0.15),
        ('damping_rate_zero_throttle_clutch_engaged', 2.0),
        ('damping_rate_zero_throttle_clutch_disengaged', 0.35), ('use_gear_autobox', True),
        ('gear_switch_time', 0.5), ('clutch_strength', 10.0), ('final_ratio', 4.0),
        ('forward_gears', []), ('mass', 1000.0), ('drag_coefficient', 0.3),
        ('center_of_mass', Location()),
        ('steering_curve', [Vector2D(0.0, 1.0), Vector2D(10.0, 0.5)]),
        ('wheels', []), ('use_sweep_wheel_collision', False),
    )

    def __init__(self, *args, **kwargs):
        if args:
            raise _mismatch('VehiclePhysicsControl.__init__', args, '__init__(**kwargs)')
        for name, default in self._DEFAULTS:
            setattr(self, name, default)
        for name in self._FIELDS:
            if name in kwargs:
                setattr(self, name, kwargs[name])

    @classmethod
    def _from_wire(cls, data):
        self = cls()
        self.__dict__['torque_curve'] = [Vector2D._from_wire(p) for p in data[0]]
        for name, value in zip(cls._FIELDS[1:10], data[1:10]):
            setattr(self, name, value)
        self.__dict__['forward_gears'] = [GearPhysicsControl._from_wire(g) for g in data[10]]
        self.mass = data[11]
        self.drag_coefficient = data[12]
        self.__dict__['center_of_mass'] = Location._from_wire(data[13])
        self.__dict__['steering_curve'] = [Vector2D._from_wire(p) for p in data[14]]
        self.__dict__['wheels'] = [WheelPhysicsControl._from_wire(w) for w in data[15]]
        self.use_sweep_wheel_collision = data[16]
        return self

    def _to_wire(self):
        wire = []
        for name in self._FIELDS:
            value = self.__dict__[name]
            wire.append([_wire_value(item) for item in value] if isinstance(value, list)
                        else _wire_value(value))
        return wire

    def __str__(self):
        text = self._fields_text(self._FIELDS[:-1])
        return 'VehiclePhysicsControl(%s, use_sweep_wheel_collision=%d)' % (
            text, self.__dict__['use_sweep_wheel_collision'])

