"""The per-packet text blocks that `show_recorder_file_info(show_all=True)` prints (spec 8.3)."""

from __future__ import annotations

import numpy as np

from engine.recorder.errors import RecorderFileError
from engine.recorder.packets import DEFAULT_GEAR_SWITCH_TIME, PacketId
from engine.recorder.reader import Recording, RecordTable
from engine.recorder.textfmt import format_rows, g, vector_columns

_LIGHT_NAMES = (  # printed order; Interior (0x100) before Fog (0x80)
    (0x1, "Position"), (0x2, "LowBeam"), (0x4, "HighBeam"), (0x8, "Brake"), (0x10, "RightBlinker"),
    (0x20, "LeftBlinker"), (0x40, "Reverse"), (0x100, "Interior"), (0x80, "Fog"), (0x200, "Special1"),
    (0x400, "Special2"),
)

BLOCK_HEADERS = {
    PacketId.POSITION: " Positions: %d\n",
    PacketId.STATE: " State traffic lights: %d\n",
    PacketId.ANIM_VEHICLE: " Vehicle animations: %d\n",
    PacketId.ANIM_WALKER: " Walker animations: %d\n",
    PacketId.VEHICLE_LIGHT: " Vehicle light animations: %d\n",
    PacketId.SCENE_LIGHT: " Scene light changes: %d\n",
    PacketId.KINEMATICS: " Dynamic actors: %d\n",
    PacketId.BOUNDING_BOX: " Actor bounding boxes: %d\n",
    PacketId.TRIGGER_VOLUME: " Actor trigger volumes: %d\n",
    PacketId.TRAFFIC_LIGHT_TIME: " Traffic Light time events: %d\n",
    PacketId.PHYSICS_CONTROL: " Physics Control events: %d\n",
    PacketId.WALKER_BONES: " Walkers Bones: %d\n",
}


def light_names(state: int) -> str:
    names = [name for bit, name in _LIGHT_NAMES if state & bit]
    return " ".join(names) if names else "None"


def _table_lines(pid: int, table: RecordTable) -> list[str]:
    r = table.records
    if pid == PacketId.POSITION:
        cols = [r["id"], *vector_columns(r["location"]), *vector_columns(r["rotation"])]
        fmt = "  Id: %d Location: (%g, %g, %g) Rotation (%g, %g, %g)\n"
    elif pid == PacketId.STATE:
        states = [chr((0x30 + s) & 0xFF) for s in r["state"].tolist()]
        cols = [r["id"], states, (r["frozen"] != 0).astype(int), r["elapsed_time"]]
        fmt = "  Id: %d state: %s frozen: %d elapsedTime: %g\n"
    elif pid == PacketId.ANIM_VEHICLE:
        cols = [r["id"], r["steering"], r["throttle"], r["brake"],
                (r["handbrake"] != 0).astype(int), r["gear"]]
        fmt = "  Id: %d Steering: %g Throttle: %g Brake %g Handbrake: %d Gear: %d\n"
    elif pid == PacketId.ANIM_WALKER:
        cols = [r["id"], r["speed"]]
        fmt = "  Id: %d speed: %g\n"
    elif pid == PacketId.VEHICLE_LIGHT:
        unique, inverse = np.unique(r["state"], return_inverse=True)
        names = np.array([light_names(s) for s in unique.tolist()] or [""], dtype=object)
        cols = [r["id"], names[inverse.reshape(-1)].tolist() if len(r) else []]
        fmt = "  Id: %d %s\n"
    elif pid == PacketId.SCENE_LIGHT:
        color = r["color"]
        cols = [r["light_id"], np.where(r["on"] != 0, "True", "False").tolist(), r["intensity"],
                color[:, 0], color[:, 1], color[:, 2]]
        fmt = "  Id: %d enabled: %s intensity: %g RGB_color: (%g, %g, %g)\n"
    elif pid == PacketId.KINEMATICS:
        cols = [r["id"], *vector_columns(r["linear_velocity"]), *vector_columns(r["angular_velocity"])]
        fmt = "  Id: %d linear_velocity: (%g, %g, %g) angular_velocity: (%g, %g, %g)\n"
    elif pid in (PacketId.BOUNDING_BOX, PacketId.TRIGGER_VOLUME):
        cols = [r["id"], *vector_columns(r["origin"]), *vector_columns(r["extent"])]
        fmt = "  Id: %d origin: (%g, %g, %g) extension: (%g, %g, %g)\n"
    elif pid == PacketId.TRAFFIC_LIGHT_TIME:
        cols = [r["id"], r["green"], r["yellow"], r["red"]]
        fmt = "  Id: %d green_time: %g yellow_time: %g red_time: %g\n"
    else:
        raise KeyError(pid)
    return format_rows(fmt, cols, table.starts)


def table_blocks(recording: Recording) -> dict[int, list[str]]:
    """{packet id: [record lines of packet 0, of packet 1, ...]} for every fixed-record packet printed."""
    out = {}
    for pid in BLOCK_HEADERS:
        if pid in (PacketId.PHYSICS_CONTROL, PacketId.WALKER_BONES):
            continue
        table = recording.table(pid)
        if len(table.frames):
            out[pid] = _table_lines(pid, table)
    return out


def _curve(points: np.ndarray) -> str:
    # CARLA converts curves through an Unreal FRichCurve, which keeps its keys sorted by x
    order = np.argsort(points["x"], kind="stable")
    return "".join(f" ({g(x)}, {g(y)})" for x, y in zip(points["x"][order].tolist(), points["y"][order].tolist()))


def physics_control_lines(records) -> str:
    out = []
    for rec in records:
        s = rec.scalars
        com = s["center_of_mass"].tolist()
        out.append(
            f"  Id: {int(s['id'])}\n"
            f"   max_rpm = {g(float(s['max_rpm']))}\n"
            f"   MOI = {g(float(s['moi']))}\n"
            f"   damping_rate_full_throttle = {g(float(s['damping_rate_full_throttle']))}\n"
            f"   damping_rate_zero_throttle_clutch_engaged = "
            f"{g(float(s['damping_rate_zero_throttle_clutch_engaged']))}\n"
            f"   damping_rate_zero_throttle_clutch_disengaged = "
            f"{g(float(s['damping_rate_zero_throttle_clutch_disengaged']))}\n"
            f"   use_gear_auto_box = {'true' if s['use_gear_autobox'] else 'false'}\n"
            f"   gear_switch_time = {g(float(DEFAULT_GEAR_SWITCH_TIME))}\n"
            f"   clutch_strength = {g(float(s['clutch_strength']))}\n"
            f"   final_ratio = {g(float(s['final_ratio']))}\n"
            f"   mass = {g(float(s['mass']))}\n"
            f"   drag_coefficient = {g(float(s['drag_coefficient']))}\n"
            f"   center_of_mass = ({g(com[0])}, {g(com[1])}, {g(com[2])})\n"
            f"   torque_curve ={_curve(rec.torque_curve)}\n"
            f"   steering_curve ={_curve(rec.steering_curve)}\n"
            "   forward_gears:\n")
        for k, (ratio, down, up) in enumerate(rec.forward_gears.tolist()):
            out.append(f"    gear {k}: ratio {g(ratio)} down_ratio {g(down)} up_ratio {g(up)}\n")
        out.append("   wheels:\n")
        if isinstance(rec.wheels, bytes):
            raise RecorderFileError(f"physics control of actor {int(s['id'])}: its wheel struct is of an "
                                    f"unknown CARLA version ({len(rec.wheels)} bytes for {rec.wheel_count} wheels)")
        for k, w in enumerate(rec.wheels.tolist()):
            pos = w[9]
            out.append(f"    wheel {k}: tire_friction {g(w[0])} damping_rate {g(w[1])} max_steer_angle {g(w[2])} "
                       f"radius {g(w[3])} max_brake_torque {g(w[4])} max_handbrake_torque {g(w[5])} "
                       f"position ({g(pos[0])}, {g(pos[1])}, {g(pos[2])})\n")
    return "".join(out)


def walker_bones_lines(records) -> str:
    out = []
    for rec in records:
        out.append(f"  Id: {rec.database_id}\n")
        loc = rec.transforms["location"].tolist()
        rot = rec.transforms["rotation"].tolist()
        for name, l, r in zip(rec.names, loc, rot):
            out.append(f'     Bone: "{name}" relative: Loc({g(l[0])}, {g(l[1])}, {g(l[2])}) '
                       f"Rot({g(r[0])}, {g(r[1])}, {g(r[2])})\n")
    out.append("\n")
    return "".join(out)
