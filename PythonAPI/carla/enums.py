"""Enumerations of the CARLA 0.9.16 Python API.

They behave like the official client's Boost.Python enums: each is an ``int`` subclass,
``str()`` of a member is its name, ``repr()`` is ``carla.libcarla.<Enum>.<Name>``, bitwise
operators give plain ints, ``Enum(3)`` makes an unnamed value, and every enum has the
``names`` and ``values`` dictionaries.
"""

__all__ = [
    'ActorAttributeType', 'ActorState', 'AttachmentType', 'CityObjectLabel',
    'ColorConverter', 'GBufferTextureID', 'LandmarkOrientation', 'LaneChange',
    'LaneMarkingColor', 'LaneMarkingType', 'LaneType', 'LightGroup', 'MapLayer',
    'MaterialParameter', 'RoadMarkOrientation', 'TrafficLightState', 'VehicleDoor',
    'VehicleFailureState', 'VehicleLightState', 'VehicleWheelLocation',
]

# The official client prints enum values with the name of its extension module.
_REPR_PREFIX = 'carla.libcarla.'


class _Enum(int):
    """Base of the enumerations; named members carry a ``name`` attribute."""

    names = {}
    values = {}

    def __repr__(self):
        name = self.__dict__.get('name')
        cls = type(self).__name__
        if name is None:
            return '%s%s(%d)' % (_REPR_PREFIX, cls, int(self))
        return '%s%s.%s' % (_REPR_PREFIX, cls, name)

    def __str__(self):
        name = self.__dict__.get('name')
        return repr(self) if name is None else name

    def __format__(self, spec):
        if spec:
            return int.__format__(int(self), spec)
        return str(self)

    @classmethod
    def _from_wire(cls, value):
        """The member for a value received from the server (unnamed if unknown)."""
        member = cls.values.get(value)
        return member if member is not None else cls(value)


def _define(name, members):
    """Create an enumeration from ``(name, value)`` pairs in registration order."""
    cls = type(name, (_Enum,), {'__module__': __name__, '__qualname__': name})
    cls.names = {}
    cls.values = {}
    for member_name, value in members:
        member = int.__new__(cls, value)
        member.name = member_name
        setattr(cls, member_name, member)
        cls.names[member_name] = member
        cls.values[value] = member
    return cls


ActorAttributeType = _define('ActorAttributeType', [
    ('Bool', 1), ('Int', 2), ('Float', 3), ('String', 4), ('RGBColor', 5)])

ActorState = _define('ActorState', [('Invalid', 0), ('Active', 1), ('Dormant', 2)])

AttachmentType = _define('AttachmentType', [
    ('Rigid', 0), ('SpringArm', 1), ('SpringArmGhost', 2)])

CityObjectLabel = _define('CityObjectLabel', [
    ('NONE', 0), ('Buildings', 3), ('Fences', 5), ('Other', 22), ('Pedestrians', 12),
    ('Poles', 6), ('RoadLines', 24), ('Roads', 1), ('Sidewalks', 2), ('TrafficSigns', 8),
    ('Vegetation', 9), ('Car', 14), ('Walls', 4), ('Sky', 11), ('Ground', 25),
    ('Bridge', 26), ('RailTrack', 27), ('GuardRail', 28), ('TrafficLight', 7),
    ('Static', 20), ('Dynamic', 21), ('Water', 23), ('Terrain', 10), ('Truck', 15),
    ('Motorcycle', 18), ('Bicycle', 19), ('Bus', 16), ('Rider', 13), ('Train', 17),
    ('Any', 255)])

ColorConverter = _define('ColorConverter', [
    ('Raw', 0), ('Depth', 1), ('LogarithmicDepth', 2), ('CityScapesPalette', 3)])

GBufferTextureID = _define('GBufferTextureID', [
    ('SceneColor', 0), ('SceneDepth', 1), ('SceneStencil', 2), ('GBufferA', 3),
    ('GBufferB', 4), ('GBufferC', 5), ('GBufferD', 6), ('GBufferE', 7), ('GBufferF', 8),
    ('Velocity', 9), ('SSAO', 10), ('CustomDepth', 11), ('CustomStencil', 12)])

LandmarkOrientation = _define('LandmarkOrientation', [
    ('Positive', 0), ('Negative', 1), ('Both', 2)])

LaneChange = _define('LaneChange', [('NONE', 0), ('Right', 1), ('Left', 2), ('Both', 3)])

LaneMarkingColor = _define('LaneMarkingColor', [
    ('Standard', 0), ('Blue', 1), ('Green', 2), ('Red', 3), ('White', 0), ('Yellow', 4),
    ('Other', 5)])

LaneMarkingType = _define('LaneMarkingType', [
    ('NONE', 10), ('Other', 0), ('Broken', 1), ('Solid', 2), ('SolidSolid', 3),
    ('SolidBroken', 4), ('BrokenSolid', 5), ('BrokenBroken', 6), ('BottsDots', 7),
    ('Grass', 8), ('Curb', 9)])

LaneType = _define('LaneType', [
    ('NONE', 1), ('Driving', 2), ('Stop', 4), ('Shoulder', 8), ('Biking', 16),
    ('Sidewalk', 32), ('Border', 64), ('Restricted', 128), ('Parking', 256),
    ('Bidirectional', 512), ('Median', 1024), ('Special1', 2048), ('Special2', 4096),
    ('Special3', 8192), ('RoadWorks', 16384), ('Tram', 32768), ('Rail', 65536),
    ('Entry', 131072), ('Exit', 262144), ('OffRamp', 524288), ('OnRamp', 1048576),
    ('Any', -2)])

LightGroup = _define('LightGroup', [
    ('NONE', 0), ('Vehicle', 1), ('Street', 2), ('Building', 3), ('Other', 4)])

MapLayer = _define('MapLayer', [
    ('NONE', 0), ('Buildings', 1), ('Decals', 2), ('Foliage', 4), ('Ground', 8),
    ('ParkedVehicles', 16), ('Particles', 32), ('Props', 64), ('StreetLights', 128),
    ('Walls', 256), ('All', 65535)])

MaterialParameter = _define('MaterialParameter', [
    ('Normal', 0), ('AO_Roughness_Metallic_Emissive', 1), ('Diffuse', 2), ('Emissive', 3)])

RoadMarkOrientation = _define('RoadMarkOrientation', [
    ('Positive', 0), ('Negative', 1), ('Both', 2)])

TrafficLightState = _define('TrafficLightState', [
    ('Red', 0), ('Yellow', 1), ('Green', 2), ('Off', 3), ('Unknown', 4)])

VehicleDoor = _define('VehicleDoor', [('FL', 0), ('FR', 1), ('RL', 2), ('RR', 3), ('All', 6)])

VehicleFailureState = _define('VehicleFailureState', [
    ('NONE', 0), ('Rollover', 1), ('Engine', 2), ('TirePuncture', 3)])

VehicleLightState = _define('VehicleLightState', [
    ('NONE', 0), ('Position', 1), ('LowBeam', 2), ('HighBeam', 4), ('Brake', 8),
    ('RightBlinker', 16), ('LeftBlinker', 32), ('Reverse', 64), ('Fog', 128),
    ('Interior', 256), ('Special1', 512), ('Special2', 1024), ('All', 4294967295)])

VehicleWheelLocation = _define('VehicleWheelLocation', [
    ('FL_Wheel', 0), ('FR_Wheel', 1), ('BL_Wheel', 2), ('BR_Wheel', 3),
    ('Front_Wheel', 0), ('Back_Wheel', 1)])
