"""get_light_boxes: the world boxes of a traffic light's lamp heads, as the renderer draws them.

CARLA answers with the merged boxes of the light's lamp meshes. Our light posts are planned by
engine.map.props and drawn by engine.render.props (one head per post: a housing with three lenses facing
the traffic); the box here is that head: 0.05 m to 0.38 m in front of the pole axis, 0.4 m wide, from 1.05 m to 0.05 m below the post's top.
"""
from __future__ import annotations

import math

from engine.map.props import town_props

HEAD_FORWARD = (0.05, 0.38)      # along the facing direction, from the pole axis
HEAD_HALF_WIDTH = 0.2
HEAD_BELOW_TOP = (1.05, 0.05)


class LightHeads:
    """Lamp-head boxes by signal id, planned once per town on first use."""

    def __init__(self, town):
        self._town = town
        self._boxes = None

    def boxes(self, signal_id: str) -> list:
        if self._boxes is None:
            self._boxes = {}
            for post in town_props(self._town).traffic_lights:
                self._boxes.setdefault(post.signal_id, []).append(_head_box(post))
        return list(self._boxes.get(signal_id, []))


def _head_box(post) -> list:
    """[location, extent, rotation, actor id 0] of the head of one post (BoundingBox wire form)."""
    forward = (HEAD_FORWARD[0] + HEAD_FORWARD[1]) / 2.0
    yaw = math.radians(post.yaw)
    x, y, z = post.position
    centre = [x + forward * math.cos(yaw), y + forward * math.sin(yaw),
              z + post.height - (HEAD_BELOW_TOP[0] + HEAD_BELOW_TOP[1]) / 2.0]
    extent = [(HEAD_FORWARD[1] - HEAD_FORWARD[0]) / 2.0, HEAD_HALF_WIDTH, (HEAD_BELOW_TOP[0] - HEAD_BELOW_TOP[1]) / 2.0]
    return [centre, extent, [0.0, post.yaw, 0.0], 0]
