"""Blueprints of the CARLA 0.9.16 Python API: ActorAttribute, ActorBlueprint, BlueprintLibrary.

Built from the server's actor definitions (``get_actor_definitions``):
``ActorDefinition = [uid, id, tags, attributes]`` with ``tags`` one comma-separated string
and each attribute ``[id, type, value, recommended_values, is_modifiable,
restrict_to_recommended]`` (type codes 1 Bool, 2 Int, 3 Float, 4 String, 5 RGBColor).

The official client keeps blueprints, attributes and tags in libstdc++ unordered
containers, so the order in which it lists them is the iteration order of those
containers. Scripts depend on it (``library.filter('vehicle.*')[0]``), so the same order is
computed here: libstdc++'s string hash, its prime bucket counts and its node order.
"""

import functools
import re
import sys

from .enums import ActorAttributeType
from .geometry import Color, _f32, _fmt_g, _mismatch

__all__ = ['ActorAttribute', 'ActorBlueprint', 'BlueprintLibrary']


# -- libstdc++ unordered container order -------------------------------------------------------

_MASK64 = (1 << 64) - 1
_MURMUR_MUL = (0xc6a4a793 << 32) + 0x5bd1e995
_STRING_HASH_SEED = 0xc70f6907


def _shift_mix(value):
    return value ^ (value >> 47)


@functools.lru_cache(maxsize=8192)
def _std_string_hash(text):
    """``std::hash<std::string>`` of libstdc++ on 64-bit Linux (a Murmur2 variant)."""
    data = text.encode('utf-8')
    size = len(data)
    aligned = size & ~7
    value = (_STRING_HASH_SEED ^ (size * _MURMUR_MUL)) & _MASK64
    for offset in range(0, aligned, 8):
        word = int.from_bytes(data[offset:offset + 8], 'little')
        value ^= (_shift_mix((word * _MURMUR_MUL) & _MASK64) * _MURMUR_MUL) & _MASK64
        value = (value * _MURMUR_MUL) & _MASK64
    if size & 7:
        value ^= int.from_bytes(data[aligned:], 'little')
        value = (value * _MURMUR_MUL) & _MASK64
    return _shift_mix((_shift_mix(value) * _MURMUR_MUL) & _MASK64)


# Bucket counts of libstdc++'s _Prime_rehash_policy (the start of its prime table) and its
# shortcut for small requests.
_BUCKET_PRIMES = (
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83,
    89, 97, 103, 109, 113, 127, 137, 139, 149, 157, 167, 179, 193, 199, 211, 227, 241, 257,
    277, 293, 313, 337, 359, 383, 409, 439, 467, 503, 541, 577, 619, 661, 709, 761, 823, 887,
    953, 1031, 1109, 1193, 1289, 1381, 1493, 1613, 1741, 1879, 2029, 2179, 2357, 2549, 2753,
    2971, 3209, 3469, 3739, 4027, 4349, 4703, 5087, 5503, 5953, 6427, 6949, 7517, 8123, 8783,
    9497, 10273, 11113, 12011, 12983, 14033, 15173, 16411, 17749, 19183, 20753, 22447, 24281,
    26267, 28411, 30727, 33223, 35933, 38873, 42043, 45481, 49201, 53201, 57557, 62233, 67307,
    72817, 78779, 85229, 92203, 99733, 107897, 116731, 126271, 136607, 147793, 159871, 172933,
    187091, 202409, 218971, 236897, 256279, 277261, 299951, 324503, 351061, 379787, 410857,
    444487, 480881, 520241, 562841, 608903, 658753, 712697, 771049, 834181, 902483, 976369,
    1056323)
_SMALL_BUCKETS = (2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11, 11, 13, 13)


class _Node:
    __slots__ = ('key', 'code', 'next')


class _UnorderedOrder:
    """The iteration order of a libstdc++ ``unordered_map``/``unordered_set`` of strings."""

    def __init__(self, buckets=1, next_resize=0):
        self._head = _Node()
        self._head.next = None
        self._bucket_count = buckets
        self._buckets = [None] * buckets
        self._next_resize = next_resize
        self._size = 0
        self._keys = set()

    def _next_bucket_count(self, wanted):
        if wanted < len(_SMALL_BUCKETS):
            if wanted == 0:
                return 1
            self._next_resize = _SMALL_BUCKETS[wanted]
            return _SMALL_BUCKETS[wanted]
        for prime in _BUCKET_PRIMES[6:]:
            if prime >= wanted:
                self._next_resize = prime
                return prime
        raise OverflowError('too many blueprints to reproduce the official order')

    def _rehash_needed(self):
        """Return the new bucket count before inserting one element, or 0."""
        wanted = self._size + 1
        if wanted <= self._next_resize:
            return 0
        minimum = max(wanted, 0 if self._next_resize else 11)
        if minimum >= self._bucket_count:
            return self._next_bucket_count(max(minimum + 1, self._bucket_count * 2))
        self._next_resize = self._bucket_count
        return 0

    def _rehash(self, count):
        buckets = [None] * count
        node = self._head.next
        self._head.next = None
        first_bucket = 0
        while node is not None:
            following = node.next
            index = node.code % count
            if buckets[index] is None:
                node.next = self._head.next
                self._head.next = node
                buckets[index] = self._head
                if node.next is not None:
                    buckets[first_bucket] = node
                first_bucket = index
            else:
                node.next = buckets[index].next
                buckets[index].next = node
            node = following
        self._buckets = buckets
        self._bucket_count = count

    def reserve(self, count):
        saved = self._next_resize
        buckets = self._next_bucket_count(max(self._size + 1, count))
        if buckets != self._bucket_count:
            self._rehash(buckets)
        else:
            self._next_resize = saved

    def insert(self, key):
        """Insert ``key`` unless present; return whether it was inserted."""
        if key in self._keys:
            return False
        count = self._rehash_needed()
        if count:
            self._rehash(count)
        node = _Node()
        node.key = key
        node.code = _std_string_hash(key)
        index = node.code % self._bucket_count
        before = self._buckets[index]
        if before is not None:
            node.next = before.next
            before.next = node
        else:
            node.next = self._head.next
            self._head.next = node
            if node.next is not None:
                self._buckets[node.next.code % self._bucket_count] = node
            self._buckets[index] = self._head
        self._size += 1
        self._keys.add(key)
        return True

    def keys(self):
        result = []
        node = self._head.next
        while node is not None:
            result.append(node.key)
            node = node.next
        return result


def _map_order(keys, reserve=None):
    """Keys in the order of an unordered_map filled by emplace (first duplicate wins)."""
    order = _UnorderedOrder()
    if reserve is not None:
        order.reserve(reserve)
    for key in keys:
        order.insert(key)
    return order.keys()


def _tag_order(tags):
    # The tag set is range-constructed by boost::split, which starts with two buckets.
    order = _UnorderedOrder(buckets=2, next_resize=2)
    for tag in tags:
        order.insert(tag)
    return order.keys()


# -- glibc fnmatch (flags 0) -------------------------------------------------------------------

_CHAR_CLASSES = {
    'alpha': 'a-zA-Z', 'digit': '0-9', 'alnum': 'a-zA-Z0-9', 'upper': 'A-Z', 'lower': 'a-z',
    'space': ' \\t\\n\\r\\f\\v', 'blank': ' \\t', 'xdigit': '0-9A-Fa-f',
    'punct': re.escape('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'),
    'cntrl': '\\x00-\\x1f\\x7f', 'print': '\\x20-\\x7e', 'graph': '\\x21-\\x7e',
}


def _bracket(pattern, start):
    """Translate the bracket expression after '[' at ``start``; None if unterminated."""
    i, n = start, len(pattern)
    negate = i < n and pattern[i] in '!^'
    if negate:
        i += 1
    items = []
    first = True
    while i < n:
        c = pattern[i]
        if c == ']' and not first:
            body = ''.join(items)
            return ('[^%s]' % body if negate else '[%s]' % body), i + 1
        first = False
        if c == '[' and pattern.startswith('[:', i):
            end = pattern.find(':]', i + 2)
            name = pattern[i + 2:end] if end >= 0 else None
            if name in _CHAR_CLASSES:
                items.append(_CHAR_CLASSES[name])
                i = end + 2
                continue
        if c == '\\' and i + 1 < n:
            i += 1
            c = pattern[i]
        if i + 2 < n and pattern[i + 1] == '-' and pattern[i + 2] != ']':
            high = pattern[i + 2]
            if high == '\\' and i + 3 < n:
                high = pattern[i + 3]
                i += 1
            items.append('%s-%s' % (re.escape(c), re.escape(high)))
            i += 3
            continue
        items.append(re.escape(c))
        i += 1
    return None


@functools.lru_cache(maxsize=512)
def _compile_wildcard(pattern):
    parts = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == '*':
            if not parts or parts[-1] != '.*':
                parts.append('.*')
        elif c == '?':
            parts.append('.')
        elif c == '\\':
            if i < n:
                parts.append(re.escape(pattern[i]))
                i += 1
            else:
                parts.append('(?!)')
        elif c == '[':
            translated = _bracket(pattern, i)
            if translated is None:
                parts.append(re.escape('['))
            else:
                expression, i = translated
                parts.append(expression)
        else:
            parts.append(re.escape(c))
    try:
        return re.compile('(?s:%s)\\Z' % ''.join(parts))
    except re.error:
        return re.compile(re.escape(pattern) + '\\Z')


def _wildcard_match(name, pattern):
    """Unix shell-style wildcards, as glibc's ``fnmatch(pattern, name, 0)``."""
    return _compile_wildcard(pattern).match(name) is not None


# -- C conversions used by LibCarla's ActorAttribute ---------------------------------------------

_C_INT = re.compile(r'[ \t\n\v\f\r]*([+-]?[0-9]+)')
_C_FLOAT = re.compile(
    r'[ \t\n\v\f\r]*([+-]?)(?:'
    r'(0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?)'
    r'|((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)'
    r'|([iI][nN][fF](?:[iI][nN][iI][tT][yY])?)'
    r'|([nN][aA][nN])(?:\([0-9A-Za-z_]*\))?)')
_FLOAT_MAX = 3.4028234663852886e+38
_ASCII_LOWER = str.maketrans('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')


def _atoi(text):
    """``std::atoi``: leading integer prefix, 0 if none, wrapped to 32 bits like glibc."""
    match = _C_INT.match(text)
    if match is None:
        return 0
    value = max(-2 ** 63, min(2 ** 63 - 1, int(match.group(1)))) & 0xFFFFFFFF
    return value - 2 ** 32 if value >= 2 ** 31 else value


def _atof(text):
    """``std::atof``: the longest floating-point prefix, 0.0 if none."""
    match = _C_FLOAT.match(text)
    if match is None:
        return 0.0
    sign, hexadecimal, decimal, infinity, nan = match.groups()
    if hexadecimal is not None:
        value = float.fromhex(hexadecimal)
    elif decimal is not None:
        value = float(decimal)
    elif infinity is not None:
        value = float('inf')
    else:
        value = float('nan')
    return -value if sign == '-' else value


def _check_str(value, where):
    if not isinstance(value, str):
        raise _mismatch(where, (value,), where + '(std::string)')
    return value


# -- ActorAttribute ----------------------------------------------------------------------------

_TYPE_NAMES = {1: 'Bool', 2: 'Int', 3: 'Float', 4: 'String', 5: 'RGBColor'}


def _not_instantiable(*args, **kwargs):
    raise RuntimeError('This class cannot be instantiated from Python')


class ActorAttribute:
    """One attribute of a blueprint; its value is kept as the string the server sent."""

    __slots__ = ('_id', '_type', '_value', '_recommended', '_modifiable', '_restrict')

    __init__ = _not_instantiable

    @classmethod
    def _from_wire(cls, data):
        self = object.__new__(cls)
        self._id = data[0]
        self._type = int(data[1])
        self._value = data[2]
        self._recommended = tuple(data[3]) if len(data) > 3 else ()
        self._modifiable = bool(data[4]) if len(data) > 4 else True
        self._restrict = bool(data[5]) if len(data) > 5 else False
        self._validate()
        return self

    def _to_wire(self):
        """As ``rpc::ActorAttributeValue``: ``[id, type, value]``."""
        return [self._id, self._type, self._value]

    def _copy(self):
        copy = object.__new__(ActorAttribute)
        copy._id, copy._type, copy._value = self._id, self._type, self._value
        copy._recommended, copy._modifiable = self._recommended, self._modifiable
        copy._restrict = self._restrict
        return copy

    def _error(self, message):
        return ValueError('%s: %s' % (self._id, message))

    def _require(self, type_code):
        if self._type != type_code:
            raise RuntimeError('%s: bad attribute cast: cannot convert to %s'
                               % (self._id, _TYPE_NAMES[type_code]))

    def _validate(self):
        if self._type == 1:
            self.as_bool()
        elif self._type == 3:
            self.as_float()
        elif self._type == 5:
            self.as_color()
        elif self._type not in (2, 4):
            raise self._error('invalid value type')

    def _set(self, value):
        if not self._modifiable:
            raise self._error('read-only attribute')
        if self._type == 1:
            value = value.translate(_ASCII_LOWER)
        # The value stays set even when it then fails validation, as in LibCarla.
        self._value = value
        self._validate()

    @property
    def id(self):
        return self._id

    @property
    def type(self):
        return ActorAttributeType._from_wire(self._type)

    @property
    def recommended_values(self):
        return list(self._recommended)

    @property
    def is_modifiable(self):
        return self._modifiable

    def as_bool(self):
        self._require(1)
        value = self._value.translate(_ASCII_LOWER)
        if value == 'true':
            return True
        if value == 'false':
            return False
        raise self._error('invalid bool: ' + self._value)

    def as_int(self):
        self._require(2)
        return _atoi(self._value)

    def as_float(self):
        self._require(3)
        value = _atof(self._value)
        if value > _FLOAT_MAX or value < -_FLOAT_MAX:
            raise self._error('float overflow')
        return _f32(value)

    def as_str(self):
        self._require(4)
        return self._value

    def as_color(self):
        self._require(5)
        channels = self._value.split(',')
        if len(channels) != 3:
            sys.stderr.write('ERROR: invalid color %s \n' % self._value)
            raise self._error('colors must have 3 channels (R,G,B)')
        values = []
        for channel in channels:
            value = _atoi(channel)
            if value > 255:
                raise self._error('integer overflow in color channel')
            values.append(value & 0xFF)
        return Color(values[0], values[1], values[2])

    __bool__ = as_bool
    __int__ = as_int
    __float__ = as_float

    def _equals(self, other):
        if isinstance(other, ActorAttribute):
            return self._type == other._type and self._value == other._value
        if isinstance(other, Color):
            return self.as_color() == other
        if isinstance(other, str):
            return self.as_str() == other
        if isinstance(other, (int, float)):
            # The C++ overload takes a float, so the number is narrowed first.
            return self.as_float() == _f32(float(other))
        if other is None:
            return self.as_bool() is False
        return NotImplemented

    def __eq__(self, other):
        return self._equals(other)

    def __ne__(self, other):
        equal = self._equals(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def __str__(self):
        kind = self._type
        if kind == 1:
            text = ',type=bool,value=' + ('True' if self.as_bool() else 'False')
        elif kind == 2:
            text = ',type=int,value=%d' % self.as_int()
        elif kind == 3:
            text = ',type=float,value=' + _fmt_g(self.as_float())
        elif kind == 4:
            text = ',type=str,value=' + self._value
        elif kind == 5:
            text = ',type=Color,value=%s' % self.as_color()
        else:
            text = ',INVALID'
        return 'ActorAttribute(id=%s%s%s)' % (
            self._id, text, '' if self._modifiable else '(const)')


# -- ActorBlueprint ----------------------------------------------------------------------------

class ActorBlueprint:
    """Everything needed to spawn an actor: an id, tags and attributes."""

    __slots__ = ('_uid', '_id', '_tags', '_tag_set', '_attributes')

    __init__ = _not_instantiable

    @classmethod
    def _from_wire(cls, definition):
        """From ``ActorDefinition = [uid, id, tags, attributes]``."""
        self = object.__new__(cls)
        self._uid = int(definition[0])
        self._id = definition[1]
        self._tags = tuple(_tag_order(definition[2].split(',')))
        self._tag_set = frozenset(self._tags)
        attributes = {}
        for item in definition[3]:
            attribute = ActorAttribute._from_wire(item)
            attributes.setdefault(attribute._id, attribute)
        order = _map_order((item[0] for item in definition[3]), reserve=len(definition[3]))
        self._attributes = {key: attributes[key] for key in order}
        return self

    def _copy(self):
        copy = object.__new__(ActorBlueprint)
        copy._uid, copy._id, copy._tags, copy._tag_set = (
            self._uid, self._id, self._tags, self._tag_set)
        copy._attributes = {key: value._copy() for key, value in self._attributes.items()}
        return copy

    def _to_description(self):
        """The wire ``ActorDescription``: ``[uid, id, [[attr_id, type, value], ...]]``."""
        return [self._uid, self._id,
                [attribute._to_wire() for attribute in self._attributes.values()]]

    @property
    def id(self):
        return self._id

    @property
    def tags(self):
        return list(self._tags)

    def has_tag(self, tag):
        return _check_str(tag, 'ActorBlueprint.has_tag') in self._tag_set

    def match_tags(self, wildcard_pattern):
        _check_str(wildcard_pattern, 'ActorBlueprint.match_tags')
        return self._match(wildcard_pattern)

    def _match(self, pattern):
        if _wildcard_match(self._id, pattern):
            return True
        return any(_wildcard_match(tag, pattern) for tag in self._tags)

    def has_attribute(self, id):
        return _check_str(id, 'ActorBlueprint.has_attribute') in self._attributes

    def _attribute(self, id):
        attribute = self._attributes.get(id)
        if attribute is None:
            raise IndexError("attribute '%s' not found" % id)
        return attribute

    def get_attribute(self, id):
        return self._attribute(_check_str(id, 'ActorBlueprint.get_attribute'))._copy()

    def set_attribute(self, id, value):
        where = 'ActorBlueprint.set_attribute'
        if not isinstance(id, str) or not isinstance(value, str):
            raise _mismatch(where, (self, id, value),
                            'set_attribute(ActorBlueprint, std::string, std::string)')
        self._attribute(id)._set(value)

    def __len__(self):
        return len(self._attributes)

    def __iter__(self):
        return iter([attribute._copy() for attribute in self._attributes.values()])

    def __str__(self):
        return 'ActorBlueprint(id=%s,tags=[%s])' % (self._id, ', '.join(self._tags))


# -- BlueprintLibrary --------------------------------------------------------------------------

class BlueprintLibrary:
    """The blueprints of the server; reads give copies, filters give new libraries."""

    __slots__ = ('_blueprints', '_by_id')

    __init__ = _not_instantiable

    @classmethod
    def _from_wire(cls, definitions):
        """From the list of ``ActorDefinition`` that ``get_actor_definitions`` returns."""
        by_id = {}
        for definition in definitions:
            if definition[1] not in by_id:
                by_id[definition[1]] = ActorBlueprint._from_wire(definition)
        order = _map_order((d[1] for d in definitions), reserve=len(definitions))
        return cls._new([by_id[key] for key in order])

    @classmethod
    def _new(cls, blueprints):
        self = object.__new__(cls)
        self._blueprints = blueprints
        self._by_id = {blueprint._id: blueprint for blueprint in blueprints}
        return self

    def _subset(self, selected):
        order = _map_order(blueprint._id for blueprint in selected)
        by_id = {blueprint._id: blueprint for blueprint in selected}
        return BlueprintLibrary._new([by_id[key] for key in order])

    def filter(self, wildcard_pattern):
        """Blueprints whose id or one of whose tags matches the pattern (shell wildcards)."""
        _check_str(wildcard_pattern, 'BlueprintLibrary.filter')
        return self._subset([bp for bp in self._blueprints if bp._match(wildcard_pattern)])

    def filter_by_attribute(self, name, value):
        """Blueprints whose attribute ``name`` may take ``value``.

        With recommended values the value must be one of them; without, it must equal the
        attribute's current value.
        """
        _check_str(name, 'BlueprintLibrary.filter_by_attribute')
        _check_str(value, 'BlueprintLibrary.filter_by_attribute')
        selected = []
        for blueprint in self._blueprints:
            attribute = blueprint._attributes.get(name)
            if attribute is None:
                continue
            if attribute._recommended:
                if value in attribute._recommended:
                    selected.append(blueprint)
            elif attribute._value == value:
                selected.append(blueprint)
        return self._subset(selected)

    def find(self, id):
        blueprint = self._by_id.get(_check_str(id, 'BlueprintLibrary.find'))
        if blueprint is None:
            raise IndexError("blueprint '%s' not found" % id)
        return blueprint._copy()

    def __getitem__(self, pos):
        if isinstance(pos, float) or not hasattr(pos, '__index__'):
            raise _mismatch('BlueprintLibrary.__getitem__', (self, pos),
                            '__getitem__(BlueprintLibrary, unsigned long)')
        pos = pos.__index__()
        if pos < 0:
            raise OverflowError("can't convert negative value to unsigned int")
        if pos >= len(self._blueprints):
            raise IndexError('index out of range')
        return self._blueprints[pos]._copy()

    def __len__(self):
        return len(self._blueprints)

    def __iter__(self):
        return iter([blueprint._copy() for blueprint in self._blueprints])

    def __str__(self):
        return '[%s]' % ', '.join(str(blueprint) for blueprint in self._blueprints)
