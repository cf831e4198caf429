"""Pure-Python client with the CARLA 0.9.16 Python API (``import carla``).

It speaks CARLA's wire protocol (msgpack-RPC on the world port, binary streams for the episode
state and sensor data), so it drives any simulator that does, and needs only numpy and msgpack.
"""

from .geometry import *  # noqa: F401,F403
from .enums import *  # noqa: F401,F403
from .control import *  # noqa: F401,F403
from .weather import *  # noqa: F401,F403
from .settings import *  # noqa: F401,F403
from .blueprint import *  # noqa: F401,F403
from . import command  # noqa: F401
from .client import Client, OpendriveGenerationParameters  # noqa: F401
from .world import ActorSnapshot, LabelledPoint, Timestamp, World, WorldSnapshot  # noqa: F401
from .actor import (  # noqa: F401
    Actor, ActorList, ClientSideSensor, LaneInvasionSensor, Sensor, ServerSideSensor,
    TrafficLight, TrafficSign, Vehicle, Walker, WalkerAIController)
from .map import Junction, LaneMarking, Map, Waypoint  # noqa: F401
from ._landmarks import Landmark, LandmarkType  # noqa: F401
from .sensor_data import Image, SensorData  # noqa: F401
from .sensor_events import CollisionEvent, ObstacleDetectionEvent  # noqa: F401
from .measurements import GnssMeasurement, IMUMeasurement, RadarDetection, RadarMeasurement  # noqa: F401
from .point_clouds import (  # noqa: F401
    LidarDetection, LidarMeasurement, SemanticLidarDetection, SemanticLidarMeasurement)
from .lane_invasion import LaneInvasionEvent  # noqa: F401
from . import sensor_data  # noqa: F401
from ._traffic_manager import TrafficManager  # noqa: F401
