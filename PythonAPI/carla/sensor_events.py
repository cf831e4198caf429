"""Events of the collision and obstacle sensors, decoded from their stream payloads.

Both bodies are msgpack arrays naming two actors as rpc::Actor ([id, parent_id, description, bounding box,
semantic tags, stream token]) and then the normal impulse [x, y, z] (CollisionEvent) or the distance
(ObstacleDetectionEvent). As in CARLA's client the actors are built from those descriptions when asked
for, without a call to the server; an actor the server does not register (a building, a pole) comes with
id 0 and a type such as 'static.building'.
"""

from .geometry import Vector3D
from .sensor_data import SensorData, _msgpack_body


def _body(payload, what, count):
    body = _msgpack_body(payload, what)
    if not isinstance(body, list) or len(body) != count:
        raise ValueError('%s payload: expected an array of %d items' % (what, count))
    for wire in body[:2]:
        if not (isinstance(wire, list) and len(wire) >= 3 and isinstance(wire[0], int)
                and isinstance(wire[2], list) and len(wire[2]) >= 2 and isinstance(wire[2][1], str)):
            raise ValueError('%s payload: malformed actor %r' % (what, wire))
    return body


class _ActorPairEvent(SensorData):
    """Base of the events that name the measuring actor and another one."""

    _what = 'sensor event'

    def __init__(self, payload, sensor_type, frame, timestamp, pose):
        super().__init__(payload, sensor_type, frame, timestamp, pose)
        self._body = _body(payload, self._what, 3)

    def _actor(self, wire):
        simulator = self._simulator
        if simulator is None:
            raise RuntimeError('%s: the actors of an event decoded without a client are unknown' % self._what)
        from .actor import make_actor
        return make_actor(simulator, wire)

    @property
    def actor(self):
        """The actor that measured the event."""
        return self._actor(self._body[0])

    @property
    def other_actor(self):
        """The actor it is about."""
        return self._actor(self._body[1])

    def __str__(self):
        # CARLA's client prints the address of the other actor's object here, not the actor.
        return '%s(frame=%d, timestamp=%f, other_actor=0x%x)' % (
            type(self).__name__, self.frame, self.timestamp, id(self.other_actor))


class CollisionEvent(_ActorPairEvent):
    """A collision of the sensor's parent (``actor``) with ``other_actor``."""

    _what = 'CollisionEvent'

    def __init__(self, payload, sensor_type, frame, timestamp, pose):
        super().__init__(payload, sensor_type, frame, timestamp, pose)
        impulse = self._body[2]
        if not (isinstance(impulse, list) and len(impulse) == 3
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in impulse)):
            raise ValueError('CollisionEvent payload: malformed normal impulse %r' % (impulse,))
        self._impulse = tuple(float(v) for v in impulse)

    @property
    def normal_impulse(self):
        """Impulse on the parent, N*s, along the contact normal."""
        return Vector3D._new(*self._impulse)


class ObstacleDetectionEvent(_ActorPairEvent):
    """The first obstacle ahead of an obstacle sensor (``actor``): ``other_actor`` at ``distance`` metres."""

    _what = 'ObstacleDetectionEvent'

    def __init__(self, payload, sensor_type, frame, timestamp, pose):
        super().__init__(payload, sensor_type, frame, timestamp, pose)
        distance = self._body[2]
        if not isinstance(distance, (int, float)) or isinstance(distance, bool):
            raise ValueError('ObstacleDetectionEvent payload: malformed distance %r' % (distance,))
        self._distance = float(distance)

    @property
    def distance(self):
        return self._distance
