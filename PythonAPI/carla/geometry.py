"""Geometry value types of the CARLA 0.9.16 Python API.

Vector2D, Vector3D, Location, Rotation, Transform, BoundingBox, GeoLocation, Color and
FloatColor behave like the official client's: components are stored as float32 (so
``Location(x=0.1).x`` is 0.10000000149011612), arithmetic is float32 arithmetic, and the
text of ``str()`` is the one LibCarla prints.
"""

import ctypes
import ctypes.util
import math
import numbers
import struct

__all__ = [
    'Vector2D', 'Vector3D', 'Location', 'Rotation', 'Transform', 'BoundingBox', 'GeoLocation',
    'Color', 'FloatColor',
]


class ArgumentError(TypeError):
    """Raised when arguments do not match a signature, as Boost.Python's ArgumentError."""


# -- float32 arithmetic --------------------------------------------------------------------

_F1 = struct.Struct('<f')
_F2 = struct.Struct('<2f')
_F3 = struct.Struct('<3f')
_pack1, _unpack1 = _F1.pack, _F1.unpack
_pack3, _unpack3 = _F3.pack, _F3.unpack

_INF = float('inf')
# The quiet NaN an x86 FPU produces for 0/0 has its sign bit set; glibc prints it "-nan".
_DEFAULT_NAN = -float('nan')
# Doubles at or above this magnitude round to infinity when narrowed to float32.
_F32_OVERFLOW = 2.0 ** 128 - 2.0 ** 103
# The smallest length LibCarla's MakeUnitVector accepts: 2 * FLT_EPSILON.
_MIN_UNIT_LENGTH = 2.0 * 2.0 ** -23


def _f32(value):
    """Round a Python float to the nearest float32, as a C++ ``(float)`` cast does."""
    try:
        return _unpack1(_pack1(value))[0]
    except OverflowError:
        return _f32_slow(value)


def _f32_slow(value):
    value = float(value)
    if abs(value) >= _F32_OVERFLOW:
        return math.copysign(_INF, value)
    return _unpack1(_pack1(value))[0]


def _f32x3(x, y, z):
    try:
        return _unpack3(_pack3(x, y, z))
    except OverflowError:
        return _f32_slow(x), _f32_slow(y), _f32_slow(z)


def _div(a, b):
    """IEEE division (Python raises on a zero divisor, C++ does not)."""
    if b:
        return a / b
    if a != a or a == 0.0:
        return _DEFAULT_NAN
    return math.copysign(_INF, a) * math.copysign(1.0, b)


def _fdiv(a, b):
    return _f32(_div(a, b))


def _sqrt(v):
    """IEEE square root: NaN for a negative argument, where Python raises."""
    if v >= 0.0:
        return math.sqrt(v)
    return v if v != v else _DEFAULT_NAN


def _load_float_libm():
    """The C library's float functions, which LibCarla calls: not all are correctly rounded
    (glibc's acosf is not), so the official client's results need the same functions."""
    try:
        libm = ctypes.CDLL(ctypes.util.find_library('m') or 'libm.so.6')
        functions = []
        for name in ('cosf', 'sinf', 'acosf'):
            function = getattr(libm, name)
            function.restype = ctypes.c_float
            function.argtypes = [ctypes.c_float]
            functions.append(function)
        return tuple(functions)
    except (OSError, AttributeError):
        return None


_LIBM = _load_float_libm()

if _LIBM is not None:
    _cosf, _sinf, _acosf = _LIBM
else:  # no C math library: the correctly rounded results, which glibc's almost always equal
    def _cosf(v):
        return _f32(math.cos(v)) if math.isfinite(v) else _DEFAULT_NAN

    def _sinf(v):
        return _f32(math.sin(v)) if math.isfinite(v) else _DEFAULT_NAN

    def _acosf(v):
        if -1.0 <= v <= 1.0:
            return _f32(math.acos(v))
        return _DEFAULT_NAN if v == v else v


def _fmt_f(value):
    """``std::to_string`` of a float or double (printf ``%f``)."""
    if value != value:
        return '-nan' if math.copysign(1.0, value) < 0 else 'nan'
    return '%f' % value


def _fmt_g(value):
    """``std::ostream << value`` with the default precision (printf ``%g``)."""
    if value != value:
        return '-nan' if math.copysign(1.0, value) < 0 else 'nan'
    return '%g' % value


# -- argument conversion, mirroring Boost.Python's converters --------------------------------

def _type_names(args):
    return ', '.join(type(a).__name__ for a in args)


def _mismatch(where, args, signature):
    return ArgumentError(
        'Python argument types in\n    %s(%s)\ndid not match C++ signature:\n    %s'
        % (where, _type_names(args), signature))


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, str)


def _float(value, where='float'):
    """A float argument: int, float or bool (any real number is accepted)."""
    kind = type(value)
    if kind is float:
        return value
    if kind is int or kind is bool or _is_real(value):
        return float(value)
    raise _mismatch(where, (value,), where + '(float)')


def _float32(value, where='float'):
    return _f32(_float(value, where))


def _int(value, where='int', low=-2 ** 31, high=2 ** 31 - 1):
    """An integer argument within [low, high]; floats are refused as Boost.Python does."""
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif hasattr(value, '__index__') and not isinstance(value, float):
        value = value.__index__()
    else:
        raise _mismatch(where, (value,), where + '(int)')
    if value < low:
        if low == 0:
            raise OverflowError("can't convert negative value to unsigned int")
        raise OverflowError('bad numeric conversion: negative overflow')
    if value > high:
        raise OverflowError('bad numeric conversion: positive overflow')
    return value


def _uint32(value, where='int'):
    return _int(value, where, 0, 2 ** 32 - 1)


def _bool(value, where='bool'):
    """A bool argument: bool, int or None, as Boost.Python's bool converter accepts."""
    if value is True or value is False:
        return value
    if value is None:
        return False
    if isinstance(value, numbers.Integral) or type(value).__name__ == 'bool_':
        return bool(value)
    raise _mismatch(where, (value,), where + '(bool)')


def _vector3(value, where='Vector3D'):
    if isinstance(value, Vector3D):
        return value
    raise _mismatch(where, (value,), where + '(Vector3D)')


# -- Vector2D ----------------------------------------------------------------------------------

class Vector2D:
    """A 2D vector of float32 components."""

    __slots__ = ('_x', '_y')

    def __init__(self, x=0.0, y=0.0):
        try:
            self._x, self._y = _F2.unpack(_F2.pack(x, y))
        except (struct.error, OverflowError, TypeError):
            self._x = _float32(x, 'Vector2D.__init__')
            self._y = _float32(y, 'Vector2D.__init__')

    @classmethod
    def _new(cls, x, y):
        self = object.__new__(cls)
        self._x = x
        self._y = y
        return self

    @classmethod
    def _from_wire(cls, data):
        return cls._new(_f32(data[0]), _f32(data[1]))

    def _to_wire(self):
        return [self._x, self._y]

    def _copy(self):
        return Vector2D._new(self._x, self._y)

    @property
    def x(self):
        return self._x

    @x.setter
    def x(self, value):
        self._x = _float32(value, 'Vector2D.x')

    @property
    def y(self):
        return self._y

    @y.setter
    def y(self, value):
        self._y = _float32(value, 'Vector2D.y')

    def squared_length(self):
        return _f32(_f32(self._x * self._x) + _f32(self._y * self._y))

    def length(self):
        return _f32(_sqrt(self.squared_length()))

    def make_unit_vector(self):
        length = self.length()
        if not length > _MIN_UNIT_LENGTH:
            raise RuntimeError('len > 2.0f * std::numeric_limits<float>::epsilon()')
        k = _fdiv(1.0, length)
        return Vector2D._new(_f32(self._x * k), _f32(self._y * k))

    def __add__(self, other):
        if not isinstance(other, Vector2D):
            return NotImplemented
        return Vector2D._new(_f32(self._x + other._x), _f32(self._y + other._y))

    def __sub__(self, other):
        if not isinstance(other, Vector2D):
            return NotImplemented
        return Vector2D._new(_f32(self._x - other._x), _f32(self._y - other._y))

    def __iadd__(self, other):
        if not isinstance(other, Vector2D):
            return NotImplemented
        self._x = _f32(self._x + other._x)
        self._y = _f32(self._y + other._y)
        return self

    def __isub__(self, other):
        if not isinstance(other, Vector2D):
            return NotImplemented
        self._x = _f32(self._x - other._x)
        self._y = _f32(self._y - other._y)
        return self

    def __mul__(self, k):
        if not _is_real(k):
            return NotImplemented
        k = _f32(float(k))
        return Vector2D._new(_f32(self._x * k), _f32(self._y * k))

    __rmul__ = __mul__

    def __imul__(self, k):
        if not _is_real(k):
            return NotImplemented
        k = _f32(float(k))
        self._x = _f32(self._x * k)
        self._y = _f32(self._y * k)
        return self

    def __truediv__(self, k):
        if not _is_real(k):
            return NotImplemented
        k = _f32(float(k))
        return Vector2D._new(_fdiv(self._x, k), _fdiv(self._y, k))

    # LibCarla defines ``k / v`` as ``v / k``; the official client keeps that.
    __rtruediv__ = __truediv__

    def __eq__(self, other):
        if not isinstance(other, Vector2D):
            return NotImplemented
        return self._x == other._x and self._y == other._y

    def __ne__(self, other):
        if not isinstance(other, Vector2D):
            return NotImplemented
        return not (self._x == other._x and self._y == other._y)

    __hash__ = object.__hash__

    def __str__(self):
        return 'Vector2D(x=%s, y=%s)' % (_fmt_f(self._x), _fmt_f(self._y))


# -- Vector3D and Location ---------------------------------------------------------------------

_NO_VALUE = object()


class Vector3D:
    """A 3D vector of float32 components."""

    __slots__ = ('_x', '_y', '_z')

    def __init__(self, x=0.0, y=0.0, z=0.0, *, rhs=_NO_VALUE):
        if rhs is not _NO_VALUE:
            x = rhs
        try:
            self._x, self._y, self._z = _unpack3(_pack3(x, y, z))
        except (struct.error, OverflowError, TypeError):
            self._init_slow(x, y, z)

    def _init_slow(self, x, y, z):
        if isinstance(x, Vector3D) and type(y) is float and type(z) is float:
            self._x, self._y, self._z = x._x, x._y, x._z
            return
        where = type(self).__name__ + '.__init__'
        self._x, self._y, self._z = _f32x3(
            _float(x, where), _float(y, where), _float(z, where))

    @classmethod
    def _new(cls, x, y, z):
        """Build from values that are already float32."""
        self = object.__new__(cls)
        self._x = x
        self._y = y
        self._z = z
        return self

    @classmethod
    def _from_wire(cls, data):
        self = object.__new__(cls)
        self._x, self._y, self._z = _f32x3(data[0], data[1], data[2])
        return self

    def _to_wire(self):
        return [self._x, self._y, self._z]

    def _assign(self, other):
        """Copy-assign the components of ``other`` (C++ assignment semantics)."""
        other = _vector3(other, type(self).__name__)
        self._x, self._y, self._z = other._x, other._y, other._z

    def _copy(self):
        return type(self)._new(self._x, self._y, self._z)

    @property
    def x(self):
        return self._x

    @x.setter
    def x(self, value):
        self._x = _float32(value, type(self).__name__ + '.x')

    @property
    def y(self):
        return self._y

    @y.setter
    def y(self, value):
        self._y = _float32(value, type(self).__name__ + '.y')

    @property
    def z(self):
        return self._z

    @z.setter
    def z(self, value):
        self._z = _float32(value, type(self).__name__ + '.z')

    # -- methods --

    def squared_length(self):
        x, y, z = self._x, self._y, self._z
        return _f32(_f32(_f32(x * x) + _f32(y * y)) + _f32(z * z))

    def length(self):
        return _f32(_sqrt(self.squared_length()))

    def make_unit_vector(self):
        length = self.length()
        if not length > _MIN_UNIT_LENGTH:
            raise RuntimeError('length > 2.0f * std::numeric_limits<float>::epsilon()')
        k = _fdiv(1.0, length)
        return Vector3D._new(_f32(self._x * k), _f32(self._y * k), _f32(self._z * k))

    def cross(self, vector):
        b = _vector3(vector, 'Vector3D.cross')
        ax, ay, az = self._x, self._y, self._z
        return Vector3D._new(
            _f32(_f32(ay * b._z) - _f32(az * b._y)),
            _f32(_f32(az * b._x) - _f32(ax * b._z)),
            _f32(_f32(ax * b._y) - _f32(ay * b._x)))

    def dot(self, vector):
        b = _vector3(vector, 'Vector3D.dot')
        return _f32(_f32(_f32(self._x * b._x) + _f32(self._y * b._y)) + _f32(self._z * b._z))

    def dot_2d(self, vector):
        b = _vector3(vector, 'Vector3D.dot_2d')
        return _f32(_f32(self._x * b._x) + _f32(self._y * b._y))

    def distance_squared(self, vector):
        b = _vector3(vector, 'Vector3D.distance_squared')
        dx = _f32(b._x - self._x)
        dy = _f32(b._y - self._y)
        dz = _f32(b._z - self._z)
        return _f32(_f32(_f32(dx * dx) + _f32(dy * dy)) + _f32(dz * dz))

    def distance_squared_2d(self, vector):
        b = _vector3(vector, 'Vector3D.distance_squared_2d')
        dx = _f32(b._x - self._x)
        dy = _f32(b._y - self._y)
        return _f32(_f32(dx * dx) + _f32(dy * dy))

    def distance(self, vector):
        return _f32(_sqrt(self.distance_squared(vector)))

    def distance_2d(self, vector):
        return _f32(_sqrt(self.distance_squared_2d(vector)))

    def get_vector_angle(self, vector):
        b = _vector3(vector, 'Vector3D.get_vector_angle')
        cosine = _fdiv(self.dot(b), _f32(self.length() * b.length()))
        return _acosf(cosine)

    def __abs__(self):
        return Vector3D._new(abs(self._x), abs(self._y), abs(self._z))

    # -- arithmetic: the results are always Vector3D, as in the official client --

    def __add__(self, other):
        if not isinstance(other, Vector3D):
            return NotImplemented
        return Vector3D._new(_f32(self._x + other._x), _f32(self._y + other._y),
                             _f32(self._z + other._z))

    def __sub__(self, other):
        if not isinstance(other, Vector3D):
            return NotImplemented
        return Vector3D._new(_f32(self._x - other._x), _f32(self._y - other._y),
                             _f32(self._z - other._z))

    def __iadd__(self, other):
        if not isinstance(other, Vector3D):
            return NotImplemented
        self._x = _f32(self._x + other._x)
        self._y = _f32(self._y + other._y)
        self._z = _f32(self._z + other._z)
        return self

    def __isub__(self, other):
        if not isinstance(other, Vector3D):
            return NotImplemented
        self._x = _f32(self._x - other._x)
        self._y = _f32(self._y - other._y)
        self._z = _f32(self._z - other._z)
        return self

    def __mul__(self, k):
        if not _is_real(k):
            return NotImplemented
        k = _f32(float(k))
        return Vector3D._new(_f32(self._x * k), _f32(self._y * k), _f32(self._z * k))

    __rmul__ = __mul__

    def __imul__(self, k):
        if not _is_real(k):
            return NotImplemented
        k = _f32(float(k))
        self._x = _f32(self._x * k)
        self._y = _f32(self._y * k)
        self._z = _f32(self._z * k)
        return self

    def __truediv__(self, k):
        if not _is_real(k):
            return NotImplemented
        k = _f32(float(k))
        return Vector3D._new(_fdiv(self._x, k), _fdiv(self._y, k), _fdiv(self._z, k))

    # LibCarla defines ``k / v`` as ``v / k``; the official client keeps that.
    # There is no in-place ``/=``: like the official client it makes a new Vector3D.
    __rtruediv__ = __truediv__

    def __eq__(self, other):
        if not isinstance(other, Vector3D):
            return NotImplemented
        return self._x == other._x and self._y == other._y and self._z == other._z

    def __ne__(self, other):
        if not isinstance(other, Vector3D):
            return NotImplemented
        return not (self._x == other._x and self._y == other._y and self._z == other._z)

    __hash__ = object.__hash__

    def __str__(self):
        return '%s(x=%s, y=%s, z=%s)' % (
            type(self).__name__, _fmt_f(self._x), _fmt_f(self._y), _fmt_f(self._z))


class Location(Vector3D):
    """A point in the world, in metres."""

    __slots__ = ()

    def distance(self, location):
        return Vector3D.distance(self, _vector3(location, 'Location.distance'))


# -- Rotation ----------------------------------------------------------------------------------

# Math::ToRadians<float>: deg * (Pi<float>() / 180.0f), all in float32.
_DEG_TO_RAD = _f32(_f32(math.pi) / 180.0)


def _trig(degrees):
    radians = _f32(degrees * _DEG_TO_RAD)
    return _cosf(radians), _sinf(radians)


class Rotation:
    """Orientation in degrees: pitch (Y axis), yaw (Z axis), roll (X axis)."""

    __slots__ = ('_pitch', '_yaw', '_roll')

    def __init__(self, pitch=0.0, yaw=0.0, roll=0.0):
        try:
            self._pitch, self._yaw, self._roll = _unpack3(_pack3(pitch, yaw, roll))
        except (struct.error, OverflowError, TypeError):
            where = 'Rotation.__init__'
            self._pitch, self._yaw, self._roll = _f32x3(
                _float(pitch, where), _float(yaw, where), _float(roll, where))

    @classmethod
    def _new(cls, pitch, yaw, roll):
        self = object.__new__(cls)
        self._pitch = pitch
        self._yaw = yaw
        self._roll = roll
        return self

    @classmethod
    def _from_wire(cls, data):
        self = object.__new__(cls)
        self._pitch, self._yaw, self._roll = _f32x3(data[0], data[1], data[2])
        return self

    def _to_wire(self):
        return [self._pitch, self._yaw, self._roll]

    def _assign(self, other):
        if not isinstance(other, Rotation):
            raise _mismatch('Rotation', (other,), 'Rotation(Rotation)')
        self._pitch, self._yaw, self._roll = other._pitch, other._yaw, other._roll

    def _copy(self):
        return Rotation._new(self._pitch, self._yaw, self._roll)

    @property
    def pitch(self):
        return self._pitch

    @pitch.setter
    def pitch(self, value):
        self._pitch = _float32(value, 'Rotation.pitch')

    @property
    def yaw(self):
        return self._yaw

    @yaw.setter
    def yaw(self, value):
        self._yaw = _float32(value, 'Rotation.yaw')

    @property
    def roll(self):
        return self._roll

    @roll.setter
    def roll(self, value):
        self._roll = _float32(value, 'Rotation.roll')

    def _matrix(self):
        """The 3x3 rotation matrix rows, computed in float32 as LibCarla does."""
        cy, sy = _trig(self._yaw)
        cr, sr = _trig(self._roll)
        cp, sp = _trig(self._pitch)
        return (
            (_f32(cp * cy),
             _f32(_f32(_f32(cy * sp) * sr) - _f32(sy * cr)),
             _f32(_f32(_f32(-cy * sp) * cr) - _f32(sy * sr))),
            (_f32(cp * sy),
             _f32(_f32(_f32(sy * sp) * sr) + _f32(cy * cr)),
             _f32(_f32(_f32(-sy * sp) * cr) + _f32(cy * sr))),
            (sp, _f32(-cp * sr), _f32(cp * cr)),
        )

    def _rotate(self, x, y, z):
        rows = self._matrix()
        return tuple(
            _f32(_f32(_f32(x * r[0]) + _f32(y * r[1])) + _f32(z * r[2])) for r in rows)

    def _inverse_rotate(self, x, y, z):
        (a, b, c), (d, e, f), (g, h, i) = self._matrix()
        return (
            _f32(_f32(_f32(x * a) + _f32(y * d)) + _f32(z * g)),
            _f32(_f32(_f32(x * b) + _f32(y * e)) + _f32(z * h)),
            _f32(_f32(_f32(x * c) + _f32(y * f)) + _f32(z * i)),
        )

    def get_forward_vector(self):
        cp, sp = _trig(self._pitch)
        cy, sy = _trig(self._yaw)
        return Vector3D._new(_f32(cy * cp), _f32(sy * cp), sp)

    def get_right_vector(self):
        row0, row1, row2 = self._matrix()
        return Vector3D._new(row0[1], row1[1], row2[1])

    def get_up_vector(self):
        row0, row1, row2 = self._matrix()
        return Vector3D._new(row0[2], row1[2], row2[2])

    def __eq__(self, other):
        if not isinstance(other, Rotation):
            return NotImplemented
        return (self._pitch == other._pitch and self._yaw == other._yaw
                and self._roll == other._roll)

    def __ne__(self, other):
        if not isinstance(other, Rotation):
            return NotImplemented
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __str__(self):
        return 'Rotation(pitch=%s, yaw=%s, roll=%s)' % (
            _fmt_f(self._pitch), _fmt_f(self._yaw), _fmt_f(self._roll))


# -- Transform ---------------------------------------------------------------------------------

class Transform:
    """A location and a rotation; ``transform`` rotates first, then translates."""

    __slots__ = ('_location', '_rotation')

    def __init__(self, location=None, rotation=None):
        if location is None:
            self._location = Location._new(0.0, 0.0, 0.0)
        else:
            value = _vector3(location, 'Transform.__init__')
            self._location = Location._new(value._x, value._y, value._z)
        if rotation is None:
            self._rotation = Rotation._new(0.0, 0.0, 0.0)
        elif isinstance(rotation, Rotation):
            self._rotation = rotation._copy()
        else:
            raise _mismatch('Transform.__init__', (location, rotation),
                            '__init__(Location location, Rotation rotation)')

    @classmethod
    def _new(cls, location, rotation):
        """Build from a Location and a Rotation that the new object may own."""
        self = object.__new__(cls)
        self._location = location
        self._rotation = rotation
        return self

    @classmethod
    def _from_wire(cls, data):
        return cls._new(Location._from_wire(data[0]), Rotation._from_wire(data[1]))

    def _to_wire(self):
        return [self._location._to_wire(), self._rotation._to_wire()]

    def _copy(self):
        return Transform._new(self._location._copy(), self._rotation._copy())

    def _assign(self, other):
        if not isinstance(other, Transform):
            raise _mismatch('Transform', (other,), 'Transform(Transform)')
        self._location._assign(other._location)
        self._rotation._assign(other._rotation)

    @property
    def location(self):
        return self._location

    @location.setter
    def location(self, value):
        self._location._assign(value)

    @property
    def rotation(self):
        return self._rotation

    @rotation.setter
    def rotation(self, value):
        self._rotation._assign(value)

    def _transform_point(self, point):
        x, y, z = self._rotation._rotate(point._x, point._y, point._z)
        loc = self._location
        point._x = _f32(x + loc._x)
        point._y = _f32(y + loc._y)
        point._z = _f32(z + loc._z)

    def _inverse_transform_point(self, point):
        loc = self._location
        point._x, point._y, point._z = self._rotation._inverse_rotate(
            _f32(point._x - loc._x), _f32(point._y - loc._y), _f32(point._z - loc._z))

    def transform(self, in_point):
        """Transform a point in place; a list of points is transformed element by element."""
        if isinstance(in_point, list):
            for point in in_point:
                self._transform_point(_vector3(point, 'Transform.transform'))
            return None
        point = _vector3(in_point, 'Transform.transform')
        self._transform_point(point)
        return Vector3D._new(point._x, point._y, point._z)

    def transform_vector(self, in_point):
        point = _vector3(in_point, 'Transform.transform_vector')
        point._x, point._y, point._z = self._rotation._rotate(point._x, point._y, point._z)
        return Vector3D._new(point._x, point._y, point._z)

    def inverse_transform(self, in_point):
        point = _vector3(in_point, 'Transform.inverse_transform')
        self._inverse_transform_point(point)
        return Vector3D._new(point._x, point._y, point._z)

    def get_forward_vector(self):
        return self._rotation.get_forward_vector()

    def get_right_vector(self):
        return self._rotation.get_right_vector()

    def get_up_vector(self):
        return self._rotation.get_up_vector()

    def get_matrix(self):
        rows = self._rotation._matrix()
        loc = self._location
        return [list(rows[0]) + [loc._x], list(rows[1]) + [loc._y],
                list(rows[2]) + [loc._z], [0.0, 0.0, 0.0, 1.0]]

    def get_inverse_matrix(self):
        (a, b, c), (d, e, f), (g, h, i) = self._rotation._matrix()
        origin = Vector3D._new(0.0, 0.0, 0.0)
        self._inverse_transform_point(origin)
        return [[a, d, g, origin._x], [b, e, h, origin._y], [c, f, i, origin._z],
                [0.0, 0.0, 0.0, 1.0]]

    def __eq__(self, other):
        if not isinstance(other, Transform):
            return NotImplemented
        return self._location == other._location and self._rotation == other._rotation

    def __ne__(self, other):
        if not isinstance(other, Transform):
            return NotImplemented
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __str__(self):
        return 'Transform(%s, %s)' % (self._location, self._rotation)


# -- BoundingBox -------------------------------------------------------------------------------

class BoundingBox:
    """A box given by its centre, half-size (extent) and rotation, in the owner's frame."""

    __slots__ = ('_location', '_extent', '_rotation', '_actor_id')

    def __init__(self, location=None, extent=None, rotation=None):
        where = 'BoundingBox.__init__'
        self._location = Location._new(0.0, 0.0, 0.0)
        self._extent = Vector3D._new(0.0, 0.0, 0.0)
        self._rotation = Rotation._new(0.0, 0.0, 0.0)
        self._actor_id = 0
        if location is not None:
            self._location._assign(_vector3(location, where))
        if extent is not None:
            self._extent._assign(_vector3(extent, where))
        if rotation is not None:
            self._rotation._assign(rotation)

    @classmethod
    def _from_wire(cls, data):
        """From ``[location, extent, rotation, actor_id]``; the last two may be missing."""
        self = object.__new__(cls)
        self._location = Location._from_wire(data[0])
        self._extent = Vector3D._from_wire(data[1])
        self._rotation = Rotation._from_wire(data[2]) if len(data) > 2 else Rotation._new(
            0.0, 0.0, 0.0)
        self._actor_id = int(data[3]) if len(data) > 3 else 0
        return self

    def _to_wire(self):
        return [self._location._to_wire(), self._extent._to_wire(),
                self._rotation._to_wire(), self._actor_id]

    @property
    def location(self):
        return self._location

    @location.setter
    def location(self, value):
        self._location._assign(value)

    @property
    def extent(self):
        return self._extent

    @extent.setter
    def extent(self, value):
        self._extent._assign(value)

    @property
    def rotation(self):
        return self._rotation

    @rotation.setter
    def rotation(self, value):
        self._rotation._assign(value)

    @property
    def actor_id(self):
        return self._actor_id

    @actor_id.setter
    def actor_id(self, value):
        raise AttributeError("property of 'BoundingBox' object has no setter")

    def contains(self, point, bbox_transform):
        """Whether the world point lies inside the box placed by ``bbox_transform``."""
        point = _vector3(point, 'BoundingBox.contains')
        if not isinstance(bbox_transform, Transform):
            raise _mismatch('BoundingBox.contains', (point, bbox_transform),
                            'contains(Location point, Transform bbox_transform)')
        local = Vector3D._new(point._x, point._y, point._z)
        bbox_transform._inverse_transform_point(local)
        x = _f32(local._x - self._location._x)
        y = _f32(local._y - self._location._y)
        z = _f32(local._z - self._location._z)
        e = self._extent
        return -e._x <= x <= e._x and -e._y <= y <= e._y and -e._z <= z <= e._z

    def get_local_vertices(self):
        e, loc = self._extent, self._location
        vertices = []
        for sx in (-e._x, e._x):
            for sy in (-e._y, e._y):
                for sz in (-e._z, e._z):
                    x, y, z = self._rotation._rotate(sx, sy, sz)
                    vertices.append(Location._new(
                        _f32(loc._x + x), _f32(loc._y + y), _f32(loc._z + z)))
        return vertices

    def get_world_vertices(self, bbox_transform):
        if not isinstance(bbox_transform, Transform):
            raise _mismatch('BoundingBox.get_world_vertices', (bbox_transform,),
                            'get_world_vertices(Transform bbox_transform)')
        vertices = self.get_local_vertices()
        for vertex in vertices:
            bbox_transform._transform_point(vertex)
        return vertices

    def __eq__(self, other):
        if not isinstance(other, BoundingBox):
            return NotImplemented
        return (self._location == other._location and self._extent == other._extent
                and self._rotation == other._rotation)

    def __ne__(self, other):
        if not isinstance(other, BoundingBox):
            return NotImplemented
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __str__(self):
        e = self._extent
        return 'BoundingBox(%s, Extent(x=%s, y=%s, z=%s), %s)' % (
            self._location, _fmt_f(e._x), _fmt_f(e._y), _fmt_f(e._z), self._rotation)


# -- GeoLocation -------------------------------------------------------------------------------

class GeoLocation:
    """Latitude and longitude in degrees, altitude in metres (doubles)."""

    __slots__ = ('_latitude', '_longitude', '_altitude')

    def __init__(self, latitude=0.0, longitude=0.0, altitude=0.0):
        where = 'GeoLocation.__init__'
        self._latitude = _float(latitude, where)
        self._longitude = _float(longitude, where)
        self._altitude = _float(altitude, where)

    @classmethod
    def _from_wire(cls, data):
        return cls(float(data[0]), float(data[1]), float(data[2]))

    def _to_wire(self):
        return [self._latitude, self._longitude, self._altitude]

    @property
    def latitude(self):
        return self._latitude

    @latitude.setter
    def latitude(self, value):
        self._latitude = _float(value, 'GeoLocation.latitude')

    @property
    def longitude(self):
        return self._longitude

    @longitude.setter
    def longitude(self, value):
        self._longitude = _float(value, 'GeoLocation.longitude')

    @property
    def altitude(self):
        return self._altitude

    @altitude.setter
    def altitude(self, value):
        self._altitude = _float(value, 'GeoLocation.altitude')

    def __eq__(self, other):
        if not isinstance(other, GeoLocation):
            return NotImplemented
        return (self._latitude == other._latitude and self._longitude == other._longitude
                and self._altitude == other._altitude)

    def __ne__(self, other):
        if not isinstance(other, GeoLocation):
            return NotImplemented
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __str__(self):
        return 'GeoLocation(latitude=%s, longitude=%s, altitude=%s)' % (
            _fmt_f(self._latitude), _fmt_f(self._longitude), _fmt_f(self._altitude))


# -- Color and FloatColor ----------------------------------------------------------------------

def _uint8(value, where):
    if isinstance(value, float) or not (isinstance(value, numbers.Integral)
                                        or hasattr(value, '__index__')):
        raise _mismatch(where, (value,), where + '(unsigned char)')
    return _int(value, where, 0, 255)


class Color:
    """An 8-bit RGBA colour."""

    __slots__ = ('_r', '_g', '_b', '_a')

    def __init__(self, r=0, g=0, b=0, a=255):
        where = 'Color.__init__'
        self._r = _uint8(r, where)
        self._g = _uint8(g, where)
        self._b = _uint8(b, where)
        self._a = _uint8(a, where)

    @classmethod
    def _from_wire(cls, data):
        return cls(*data) if len(data) > 3 else cls(data[0], data[1], data[2])

    def _to_wire(self):
        """As ``sensor::data::Color``: ``[r, g, b, a]``."""
        return [self._r, self._g, self._b, self._a]

    def _to_rgb_wire(self):
        """As ``rpc::Color`` (debug shapes): ``[r, g, b]``."""
        return [self._r, self._g, self._b]

    @property
    def r(self):
        return self._r

    @r.setter
    def r(self, value):
        self._r = _uint8(value, 'Color.r')

    @property
    def g(self):
        return self._g

    @g.setter
    def g(self, value):
        self._g = _uint8(value, 'Color.g')

    @property
    def b(self):
        return self._b

    @b.setter
    def b(self, value):
        self._b = _uint8(value, 'Color.b')

    @property
    def a(self):
        return self._a

    @a.setter
    def a(self, value):
        self._a = _uint8(value, 'Color.a')

    def __eq__(self, other):
        if not isinstance(other, Color):
            return NotImplemented
        # Alpha is left out, as in LibCarla's sensor::data::Color.
        return self._r == other._r and self._g == other._g and self._b == other._b

    def __ne__(self, other):
        if not isinstance(other, Color):
            return NotImplemented
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __str__(self):
        return 'Color(%d,%d,%d,%d)' % (self._r, self._g, self._b, self._a)


class FloatColor:
    """An RGBA colour of float32 channels (no ``str`` text, as in the official client)."""

    __slots__ = ('_r', '_g', '_b', '_a')

    def __init__(self, r=0.0, g=0.0, b=0.0, a=1.0):
        where = 'FloatColor.__init__'
        self._r = _float32(r, where)
        self._g = _float32(g, where)
        self._b = _float32(b, where)
        self._a = _float32(a, where)

    @classmethod
    def _from_wire(cls, data):
        return cls(*data)

    def _to_wire(self):
        return [self._r, self._g, self._b, self._a]

    @property
    def r(self):
        return self._r

    @r.setter
    def r(self, value):
        self._r = _float32(value, 'FloatColor.r')

    @property
    def g(self):
        return self._g

    @g.setter
    def g(self, value):
        self._g = _float32(value, 'FloatColor.g')

    @property
    def b(self):
        return self._b

    @b.setter
    def b(self, value):
        self._b = _float32(value, 'FloatColor.b')

    @property
    def a(self):
        return self._a

    @a.setter
    def a(self, value):
        self._a = _float32(value, 'FloatColor.a')

    def __eq__(self, other):
        if not isinstance(other, FloatColor):
            return NotImplemented
        return (self._r == other._r and self._g == other._g and self._b == other._b
                and self._a == other._a)

    def __ne__(self, other):
        if not isinstance(other, FloatColor):
            return NotImplemented
        return not self.__eq__(other)

    __hash__ = object.__hash__


# -- typed attributes of the value types (controls, weather, settings) --------------------------

class _Field:
    """A typed attribute kept in the instance dict; ``convert(value, where)`` checks it."""

    __slots__ = ('name', 'where', 'convert')

    def __init__(self, convert):
        self.convert = convert

    def __set_name__(self, owner, name):
        self.name = name
        self.where = '%s.%s' % (owner.__name__, name)

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return obj.__dict__[self.name]

    def __set__(self, obj, value):
        obj.__dict__[self.name] = self.convert(value, self.where)


class _ValueField(_Field):
    """An attribute holding a vector: reads give the held object, writes copy into it."""

    __slots__ = ('kind',)

    def __init__(self, kind):
        super().__init__(None)
        self.kind = kind

    def __set__(self, obj, value):
        held = obj.__dict__.get(self.name)
        value = _vector3(value, self.where)
        if held is None:
            obj.__dict__[self.name] = self.kind._new(value._x, value._y, value._z)
        else:
            held._x, held._y, held._z = value._x, value._y, value._z


class _Struct:
    """Base of the plain value types: typed fields, wire form in field order, equality."""

    _FIELDS = ()
    _EQ_FIELDS = None

    @classmethod
    def _from_wire(cls, data):
        self = object.__new__(cls)
        for name, value in zip(cls._FIELDS, data):
            field = cls.__dict__[name]
            if isinstance(field, _ValueField):
                self.__dict__[name] = field.kind._from_wire(value)
            else:
                field.__set__(self, value)
        return self

    def _to_wire(self):
        return [_wire_value(self.__dict__[name]) for name in self._FIELDS]

    def __eq__(self, other):
        if not isinstance(other, type(self)):
            return NotImplemented
        mine, theirs = self.__dict__, other.__dict__
        for name in (self._EQ_FIELDS or self._FIELDS):
            if not mine[name] == theirs[name]:
                return False
        return True

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def _fields_text(self, names):
        return ', '.join('%s=%s' % (name, _text(self.__dict__[name])) for name in names)


def _wire_value(value):
    return value._to_wire() if hasattr(value, '_to_wire') else value


def _text(value):
    """How LibCarla prints a field: floats with ``std::to_string``, bools as True/False."""
    if isinstance(value, float):
        return _fmt_f(value)
    if isinstance(value, list):
        return '[%s]' % ', '.join(str(item) for item in value)
    return str(value)
