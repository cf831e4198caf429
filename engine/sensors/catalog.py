"""Imports every CPU sensor module so that each registers its builder in engine.sensors.registry."""
from engine.sensors import gnss, imu, lane_invasion, lidar, radar  # noqa: F401,E401 - CPU sensors of the world's state
from engine.sensors import collision, obstacle  # noqa: F401,E401 - contacts and what lies ahead
