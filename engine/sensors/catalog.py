"""Imports every CPU sensor module so that each registers its builder in engine.sensors.registry."""
