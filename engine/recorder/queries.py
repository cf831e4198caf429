"""CARLA's three recorder queries: file info, collisions and blocked actors (spec section 8).

Each returns the exact text CARLA's server returns. A missing file and a file that is not a recording give
CARLA's one-line messages; a recording that is corrupt raises RecorderFileError.
"""

from __future__ import annotations

import json
import os

import numpy as np

from engine.recorder.errors import NotARecordingError, RecorderFileError
from engine.recorder.info_blocks import (
    BLOCK_HEADERS, physics_control_lines, table_blocks, walker_bones_lines,
)
from engine.recorder.packets import NOT_A_RECORDING, RECORD_DTYPES, PacketId
from engine.recorder.reader import Recording, parse_recording
from engine.recorder.textfmt import c_date, g, ljust_bytes

_CATEGORIES = "ovwtha"  # by recorded actor type; a TrafficSign (4) gets 'h', as in CARLA
CATEGORY_LETTERS = frozenset("hvwtoa")
_NOT_AN_ACTOR = 0xFFFFFFFF
_EVENT_IDS = (PacketId.EVENT_ADD, PacketId.EVENT_DEL, PacketId.EVENT_PARENT, PacketId.COLLISION)


def resolve_recorder_path(name: str, save_dir) -> str:
    """CARLA's rule: a name with `\\`, `/` or `:` is used as given, otherwise it goes in the save directory."""
    if any(c in name for c in "\\/:"):
        return name
    return os.path.join(os.fspath(save_dir), name)


def not_found_text(path) -> str:
    return f"File {os.fspath(path)} not found on server\n"


def _load(path) -> Recording | str:
    """The parsed recording, or CARLA's message text when there is none to query."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except IsADirectoryError:
        # CARLA's ifstream opens a directory, then reads no magic
        return NOT_A_RECORDING + "\n"
    except OSError:
        return not_found_text(path)
    try:
        return parse_recording(data)
    except NotARecordingError:
        return NOT_A_RECORDING + "\n"


def _prologue(recording: Recording) -> str:
    h = recording.header
    try:
        date = c_date(h.date)
    except (OverflowError, OSError, ValueError):
        raise RecorderFileError(f"header date {h.date} is not a valid time") from None
    return f"Version: {h.version}\nMap: {h.map_name}\nDate: {date}\n\n"


def _epilogue(recording: Recording, fixed: bool = False) -> str:
    duration = "%.0f" % recording.duration if fixed else g(recording.duration)
    return f"\nFrames: {recording.frame_count}\nDuration: {duration} seconds\n"


def _frame_line(recording: Recording, frame_index: int) -> str:
    if frame_index < 0:
        return "Frame 0 at 0 seconds\n"
    f = recording.frames[frame_index]
    return f"Frame {int(f['id'])} at {g(float(f['elapsed']))} seconds\n"


def _event_lines(recording: Recording, pid: int, payload) -> str:
    if pid == PacketId.EVENT_ADD:
        out = []
        for rec in payload:
            x, y, z = rec.location
            out.append(f" Create {rec.database_id}: {rec.blueprint_id} ({rec.type}) at ({g(x)}, {g(y)}, {g(z)})\n")
            out.extend(f"  {a.id} = {a.value}\n" for a in rec.attributes)
        return "".join(out)
    if pid == PacketId.EVENT_DEL:
        return "".join(f" Destroy {i}\n" for i in payload["id"].tolist())
    if pid == PacketId.EVENT_PARENT:
        return "".join(f" Parenting {c} with {p} (parent)\n" for c, p in zip(payload["id"].tolist(),
                                                                             payload["parent"].tolist()))
    out = []
    for cid, id1, id2, h1, h2 in payload.tolist():
        out.append(f" Collision id {cid} between {id1}{' (hero) ' if h1 else ''}"
                   f" with {id2}{' (hero) ' if h2 else ''}\n")
    return "".join(out)


def _packet_count(recording: Recording, pid: int, item: int) -> int:
    if pid in RECORD_DTYPES:
        t = recording.table(pid)
        return int(t.starts[item + 1] - t.starts[item])
    return len(recording.objects(pid)[item])


def file_info_text(recording: Recording, show_all: bool = False) -> str:
    """`show_recorder_file_info` text of a parsed recording."""
    out = [_prologue(recording)]
    packets = recording.packets
    if show_all:
        _all_blocks(recording, out)
    else:
        rows = np.flatnonzero(np.isin(packets["id"], _EVENT_IDS))
        printed_frame = None
        for k in rows.tolist():
            pid, item, frame = (int(v) for v in (packets["id"][k], packets["item"][k], packets["frame"][k]))
            if _packet_count(recording, pid, item) == 0:
                continue
            if printed_frame != frame:
                out.append(_frame_line(recording, frame))
                printed_frame = frame
            out.append(_event_lines(recording, pid, recording.payload(k)))
    out.append(_epilogue(recording))
    return "".join(out)


def _all_blocks(recording: Recording, out: list) -> None:
    blocks = table_blocks(recording)
    ids = recording.packets["id"].tolist()
    items = recording.packets["item"].tolist()
    frames = recording.packets["frame"].tolist()
    frame_printed = False
    for k, (pid, item) in enumerate(zip(ids, items)):
        if pid == PacketId.FRAME_START:
            out.append(_frame_line(recording, item))
            frame_printed = True
        elif pid in _EVENT_IDS:
            if _packet_count(recording, pid, item) and not frame_printed:
                out.append(_frame_line(recording, frames[k]))
                frame_printed = True
            out.append(_event_lines(recording, pid, recording.payload(k)))
        elif pid == PacketId.PLATFORM_TIME:
            if not frame_printed:
                out.append(_frame_line(recording, frames[k]))
                frame_printed = True
            out.append(f" Current platform time: {g(float(recording.scalars(pid)[item]))}\n")
        elif pid in BLOCK_HEADERS:
            count = _packet_count(recording, pid, item)
            if count and not frame_printed:
                out.append(_frame_line(recording, frames[k]))
                frame_printed = True
            out.append(BLOCK_HEADERS[pid] % count)
            if pid == PacketId.PHYSICS_CONTROL:
                out.append(physics_control_lines(recording.objects(pid)[item]))
            elif pid == PacketId.WALKER_BONES:
                out.append(walker_bones_lines(recording.objects(pid)[item]))
            else:
                out.append(blocks[pid][item])


def file_info(path, show_all: bool = False) -> str:
    """CARLA's `show_recorder_file_info(path, show_all)` text for the file at `path`."""
    recording = _load(path)
    return recording if isinstance(recording, str) else file_info_text(recording, show_all)


# --- collisions --------------------------------------------------------------------------------------

COLLISIONS_HEADER = "%8s %6s %6s %-35s %6s %-35s\n" % ("Time", "Types", "Id", "Actor 1", "Id", "Actor 2")


def _check_category(letter, name: str) -> str:
    if not isinstance(letter, str) or len(letter) != 1 or letter not in CATEGORY_LETTERS:
        raise RecorderFileError(f"{name} must be one of the letters h v w t o a, got {letter!r}")
    return letter


def collisions_text(recording: Recording, type1: str, type2: str) -> str:
    """`show_recorder_collisions` text of a parsed recording."""
    type1, type2 = _check_category(type1, "type1"), _check_category(type2, "type2")
    out = [_prologue(recording), COLLISIONS_HEADER]
    actors: dict[int, tuple[int, str]] = {}
    last_added = 0
    old: set = set()
    new: set = set()
    elapsed = 0.0
    packets = recording.packets
    wanted = (PacketId.FRAME_START, PacketId.EVENT_ADD, PacketId.EVENT_DEL, PacketId.COLLISION)
    rows = np.flatnonzero(np.isin(packets["id"], wanted))
    for k in rows.tolist():
        pid = int(packets["id"][k])
        if pid == PacketId.FRAME_START:
            elapsed = float(recording.payload(k)["elapsed"])
            old, new = new, set()
        elif pid == PacketId.EVENT_ADD:
            for rec in recording.payload(k):
                actors[rec.database_id] = (rec.type, rec.blueprint_id)
                last_added = rec.database_id
        elif pid == PacketId.EVENT_DEL:
            for _ in range(len(recording.payload(k))):
                actors.pop(last_added, None)  # CARLA erases the last added id, not the destroyed one
        else:
            for _, id1, id2, hero1, hero2 in recording.payload(k).tolist():
                cat1 = _category(actors, id1)
                cat2 = _category(actors, id2)
                ok1 = type1 == "a" or type1 == cat1 or (type1 == "h" and hero1)
                ok2 = type2 == "a" or type2 == cat2 or (type2 == "h" and hero2)
                if not (ok1 and ok2):
                    continue
                if (id1, id2) not in old:
                    name1 = actors.setdefault(id1, (0, ""))[1]
                    name2 = actors.setdefault(id2, (0, ""))[1]
                    out.append("%8.0f   %s %s  %6d %s %6d %s\n" % (
                        elapsed, cat1, cat2, id1, ljust_bytes(name1, 35), id2, ljust_bytes(name2, 35)))
                new.add((id1, id2))
    fixed = len(out) > 2
    out.append(_epilogue(recording, fixed))
    return "".join(out)


def _category(actors: dict, actor_id: int) -> str:
    if actor_id == _NOT_AN_ACTOR:
        return "o"
    type_ = actors.setdefault(actor_id, (0, ""))[0]
    return _CATEGORIES[type_] if type_ < len(_CATEGORIES) else "o"


def collisions(path, type1: str, type2: str) -> str:
    """CARLA's `show_recorder_collisions(path, type1, type2)` text for the file at `path`."""
    recording = _load(path)
    return recording if isinstance(recording, str) else collisions_text(recording, type1, type2)


# --- blocked actors ----------------------------------------------------------------------------------

BLOCKED_HEADER = "%8s %6s %-35s %10s\n" % ("Time", "Id", "Actor", "Duration")


class _BlockedState:
    """Per-actor state of the blocked query, in arrays indexed by slot (one slot per actor id)."""

    def __init__(self, universe: np.ndarray):
        self.universe = universe  # sorted actor ids
        n = len(universe)
        self.present = np.zeros(n, bool)
        self.last = np.zeros((n, 3), np.float32)
        self.time = np.zeros(n)
        self.duration = np.zeros(n)
        self.order = np.zeros(n, np.int64)  # when the slot was (re)inserted, for the final listing
        self.names = [""] * n
        self.inserted = 0

    def slots(self, ids: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.universe, ids)

    def reset(self, slots: np.ndarray, name: str | None = None) -> None:
        self.present[slots] = True
        self.last[slots] = 0.0
        self.time[slots] = 0.0
        self.duration[slots] = 0.0
        for s in slots.tolist():
            self.names[s] = name if name is not None else ""
            self.order[s] = self.inserted
            self.inserted += 1


def blocked_text(recording: Recording, min_time: float, min_distance: float) -> str:
    """`show_recorder_actors_blocked` text of a parsed recording."""
    try:
        min_time, min_distance = float(min_time), float(min_distance)
    except (TypeError, ValueError):
        raise RecorderFileError("min_time and min_distance must be numbers") from None
    positions = recording.table(PacketId.POSITION)
    added = [rec.database_id for recs in recording.objects(PacketId.EVENT_ADD) for rec in recs]
    state = _BlockedState(np.unique(np.concatenate([positions.records["id"].astype(np.int64),
                                                    np.asarray(added, np.int64), [0]])))
    results = []  # (duration, row text), in emission order
    packets = recording.packets
    wanted = (PacketId.FRAME_START, PacketId.EVENT_ADD, PacketId.EVENT_DEL, PacketId.POSITION)
    rows = np.flatnonzero(np.isin(packets["id"], wanted))
    elapsed = duration_this = 0.0
    last_added = 0
    for k in rows.tolist():
        pid, item = int(packets["id"][k]), int(packets["item"][k])
        if pid == PacketId.FRAME_START:
            frame = recording.frames[item]
            elapsed, duration_this = float(frame["elapsed"]), float(frame["duration_this"])
        elif pid == PacketId.EVENT_ADD:
            for rec in recording.objects(pid)[item]:
                state.reset(state.slots(np.array([rec.database_id])), rec.blueprint_id)
                last_added = rec.database_id
        elif pid == PacketId.EVENT_DEL:
            if len(recording.payload(k)):
                state.present[state.slots(np.array([last_added]))] = False  # CARLA's erase of the last added id
        else:
            records = positions.packet(item)
            if len(np.unique(records["id"])) == len(records):
                _blocked_step(state, records, elapsed, duration_this, min_time, min_distance, results)
            else:  # an id twice in one packet: apply the records one at a time, as CARLA does
                for i in range(len(records)):
                    _blocked_step(state, records[i:i + 1], elapsed, duration_this, min_time, min_distance, results)
    remaining = np.flatnonzero(state.present & (state.duration >= min_time))
    for s in remaining[np.argsort(state.order[remaining], kind="stable")].tolist():
        results.append(_blocked_row(state, s, int(state.universe[s])))
    results.sort(key=lambda r: -r[0])
    return "".join([_prologue(recording), BLOCKED_HEADER, *(row for _, row in results), _epilogue(recording)])


def _blocked_row(state: _BlockedState, slot: int, actor_id: int) -> tuple[float, str]:
    d = float(state.duration[slot])
    return d, "%8.0f %6d %s %10.0f\n" % (state.time[slot], actor_id, ljust_bytes(state.names[slot], 35), d)


def _blocked_step(state, records, elapsed, duration_this, min_time, min_distance, results) -> None:
    slots = state.slots(records["id"])
    fresh = slots[~state.present[slots]]
    if len(fresh):
        state.reset(fresh)
    delta = records["location"] - state.last[slots]  # float32, as Unreal's FVector::Distance
    distance = np.sqrt(delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1] + delta[:, 2] * delta[:, 2])
    still = distance.astype(np.float64) < min_distance
    still_slots = slots[still]
    starting = still_slots[state.duration[still_slots] == 0]
    state.time[starting] = elapsed
    state.duration[still_slots] += duration_this
    moved = ~still
    moved_slots = slots[moved]
    report = moved_slots[state.duration[moved_slots] >= min_time]
    for s, actor_id in zip(report.tolist(), state.universe[report].tolist()):
        results.append(_blocked_row(state, s, actor_id))
    state.duration[moved_slots] = 0.0
    state.last[moved_slots] = records["location"][moved]


def actors_blocked(path, min_time: float, min_distance: float) -> str:
    """CARLA's `show_recorder_actors_blocked(path, min_time, min_distance)` text for the file at `path`."""
    recording = _load(path)
    return recording if isinstance(recording, str) else blocked_text(recording, min_time, min_distance)


# --- JSON export -------------------------------------------------------------------------------------

def file_info_dict(path) -> dict:
    """The file info as plain data: header, frame count, duration and every event by frame."""
    recording = _load(path)
    if isinstance(recording, str):
        raise RecorderFileError(recording.strip())
    return recording_info_dict(recording)


def recording_info_dict(recording: Recording) -> dict:
    h = recording.header
    frames: dict[int, dict] = {}
    packets = recording.packets
    for k in np.flatnonzero(np.isin(packets["id"], _EVENT_IDS)).tolist():
        pid, frame_index = int(packets["id"][k]), int(packets["frame"][k])
        payload = recording.payload(k)
        if len(payload) == 0:
            continue
        if frame_index >= 0:
            f = recording.frames[frame_index]
            frame_id, elapsed = int(f["id"]), float(f["elapsed"])
        else:
            frame_id, elapsed = 0, 0.0
        entry = frames.setdefault(frame_index, {"frame": frame_id, "elapsed": elapsed, "created": [],
                                                "destroyed": [], "parenting": [], "collisions": []})
        if pid == PacketId.EVENT_ADD:
            entry["created"].extend({
                "id": r.database_id, "type": r.type, "blueprint_id": r.blueprint_id, "uid": r.uid,
                "location": list(r.location), "rotation": list(r.rotation),
                "attributes": [{"type": a.type, "id": a.id, "value": a.value} for a in r.attributes],
            } for r in payload)
        elif pid == PacketId.EVENT_DEL:
            entry["destroyed"].extend(payload["id"].tolist())
        elif pid == PacketId.EVENT_PARENT:
            entry["parenting"].extend({"id": c, "parent": p} for c, p in
                                      zip(payload["id"].tolist(), payload["parent"].tolist()))
        else:
            entry["collisions"].extend({"collision_id": c, "id1": a, "id2": b, "hero1": bool(h1), "hero2": bool(h2)}
                                       for c, a, b, h1, h2 in payload.tolist())
    return {"version": h.version, "map": h.map_name, "date": h.date, "frames": recording.frame_count,
            "duration": recording.duration, "events": list(frames.values())}


def file_info_json(path, indent: int | None = 2) -> str:
    return json.dumps(file_info_dict(path), indent=indent)
