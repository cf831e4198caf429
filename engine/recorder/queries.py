"""CARLA's three recorder queries: file info, collisions and blocked actors (spec section 8).

Each returns the exact text CARLA's server returns. A missing file and a file that is not a recording give
CARLA's one-line messages; a recording that is corrupt raises RecorderFileError.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

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


#: Where a file name without a path goes: the server's recordings folder (CARLA's is CarlaUE4/Saved).
RECORDINGS_DIR = Path(__file__).resolve().parents[2] / "recordings"


def resolve_recorder_path(name: str, save_dir=RECORDINGS_DIR) -> str:
    """CARLA's rule: a name with `\\`, `/` or `:` is used as given, otherwise it goes in the save directory."""
    if any(c in name for c in "\\/:"):
        return name
    return os.path.join(os.fspath(save_dir), name)


def not_found_text(path) -> str:
    return f"File {os.fspath(path)} not found on server\n"


def _load(path, packet_ids=None) -> Recording | str:
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
        return parse_recording(data, packet_ids=packet_ids)
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


def _nonempty_rows(recording: Recording, packet_ids) -> np.ndarray:
    """Rows of the packet index, in file order, of the packets of these ids that hold at least one record."""
    packets = recording.packets
    keep = np.zeros(len(packets), bool)
    for pid in packet_ids:
        rows = np.flatnonzero(packets["id"] == pid)
        if not len(rows):
            continue
        items = packets["item"][rows]
        if pid in RECORD_DTYPES:
            counts = recording.table(pid).counts[items]
        else:
            sizes = np.array([len(records) for records in recording.objects(pid)], np.int64)
            counts = sizes[items]
        keep[rows[counts > 0]] = True
    return np.flatnonzero(keep)


def file_info_text(recording: Recording, show_all: bool = False) -> str:
    """`show_recorder_file_info` text of a parsed recording."""
    out = [_prologue(recording)]
    packets = recording.packets
    if show_all:
        _all_blocks(recording, out)
    else:
        printed_frame = None
        for k in _nonempty_rows(recording, _EVENT_IDS).tolist():
            pid, frame = int(packets["id"][k]), int(packets["frame"][k])
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
    recording = _load(path, None if show_all else _EVENT_IDS)
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
    new_frame = None  # the frame `new` belongs to
    packets = recording.packets
    elapsed_of, _ = _frame_times(recording, packets["frame"])
    for k in _nonempty_rows(recording, (PacketId.EVENT_ADD, PacketId.EVENT_DEL, PacketId.COLLISION)).tolist():
        pid = int(packets["id"][k])
        if pid == PacketId.EVENT_ADD:
            for rec in recording.payload(k):
                actors[rec.database_id] = (rec.type, rec.blueprint_id)
                last_added = rec.database_id
        elif pid == PacketId.EVENT_DEL:
            actors.pop(last_added, None)  # CARLA erases the last added id, not the destroyed one
        else:
            frame = int(packets["frame"][k])
            if frame != new_frame:  # CARLA swaps the two sets at every FrameStart
                old = new if new_frame is not None and frame == new_frame + 1 else set()
                new, new_frame = set(), frame
            elapsed = float(elapsed_of[k])
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
    recording = _load(path, (PacketId.EVENT_ADD, PacketId.EVENT_DEL, PacketId.COLLISION))
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
    """`show_recorder_actors_blocked` text of a parsed recording.

    The Position packets are walked in runs that hold the same actors in the same order with no creation
    or destruction in between (nearly the whole file, in practice): each run is one (frames, actors) array
    stepped frame by frame over all its actors at once.
    """
    try:
        min_time, min_distance = float(min_time), float(min_distance)
    except (TypeError, ValueError):
        raise RecorderFileError("min_time and min_distance must be numbers") from None
    positions = recording.table(PacketId.POSITION)
    adds = recording.objects(PacketId.EVENT_ADD)
    added = [rec.database_id for recs in adds for rec in recs]
    packets = recording.packets
    position_rows = np.flatnonzero(packets["id"] == PacketId.POSITION)
    events = _blocked_events(recording)
    runs = _position_runs(positions, position_rows, np.array([row for row, _, _ in events], np.int64))
    # every packet of a run holds the ids of its first one
    run_records = np.concatenate([np.arange(positions.starts[first], positions.starts[first + 1])
                                  for first, _ in runs] or [np.zeros(0, np.int64)])
    record_ids = positions.records["id"].astype(np.int64)
    state = _BlockedState(np.unique(np.concatenate([record_ids[run_records], np.asarray(added, np.int64), [0]])))
    record_slots = np.zeros(len(record_ids), np.int64)
    record_slots[run_records] = state.slots(record_ids[run_records])
    elapsed, duration_this = _frame_times(recording, positions.frames)
    results = []  # (duration, row text), in emission order
    last_added = 0
    next_event = 0
    limits = (min_time, min_distance)
    for first, stop in runs:
        while next_event < len(events) and events[next_event][0] < position_rows[first]:
            last_added = _blocked_event(state, events[next_event], last_added)
            next_event += 1
        a, b = positions.starts[first], positions.starts[first + 1]
        slots = record_slots[a:b]
        location = positions.records["location"][a:positions.starts[stop]].reshape(stop - first, b - a, 3)
        if len(np.unique(slots)) == len(slots):
            _blocked_run(state, slots, location, elapsed[first:stop], duration_this[first:stop], limits, results)
        else:  # an id twice in one packet: apply the records one at a time, as CARLA does
            for t in range(stop - first):
                for j in range(len(slots)):
                    _blocked_run(state, slots[j:j + 1], location[t:t + 1, j:j + 1], elapsed[first + t:first + t + 1],
                                 duration_this[first + t:first + t + 1], limits, results)
    for event in events[next_event:]:
        last_added = _blocked_event(state, event, last_added)
    remaining = np.flatnonzero(state.present & (state.duration >= min_time))
    for slot in remaining[np.argsort(state.order[remaining], kind="stable")].tolist():
        results.append(_blocked_row(state, slot, int(state.universe[slot])))
    results.sort(key=lambda r: -r[0])
    return "".join([_prologue(recording), BLOCKED_HEADER, *(row for _, row in results), _epilogue(recording)])


def _frame_times(recording: Recording, frame_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Elapsed and DurationThis of the frame of each packet (0 for packets before the first FrameStart)."""
    frames = recording.frames
    if not len(frames):
        return np.zeros(len(frame_of)), np.zeros(len(frame_of))
    known = frame_of >= 0
    index = np.maximum(frame_of, 0)
    return (np.where(known, frames["elapsed"][index], 0.0), np.where(known, frames["duration_this"][index], 0.0))


def _blocked_row(state: _BlockedState, slot: int, actor_id: int) -> tuple[float, str]:
    d = float(state.duration[slot])
    return d, "%8.0f %6d %s %10.0f\n" % (state.time[slot], actor_id, ljust_bytes(state.names[slot], 35), d)


def _blocked_events(recording: Recording) -> list:
    """(packet row, packet id, payload) of the EventAdd and EventDel packets that hold records, in file order."""
    ids = recording.packets["id"]
    return [(k, int(ids[k]), recording.payload(k))
            for k in _nonempty_rows(recording, (PacketId.EVENT_ADD, PacketId.EVENT_DEL)).tolist()]


def _blocked_event(state: _BlockedState, event, last_added: int) -> int:
    _, pid, records = event
    if pid == PacketId.EVENT_ADD:
        for rec in records:
            state.reset(state.slots(np.array([rec.database_id])), rec.blueprint_id)
            last_added = rec.database_id
    else:
        state.present[state.slots(np.array([last_added]))] = False  # CARLA erases the last added id
    return last_added


def _position_runs(positions, position_rows: np.ndarray, event_rows: np.ndarray):
    """(first, stop) packet ranges of Position packets with the same ids in the same order and no event between."""
    counts = positions.counts
    n = len(counts)
    if n == 0:
        return []
    ids = positions.records["id"]
    same = np.zeros(n, bool)
    same[1:] = counts[1:] == counts[:-1]
    packet_of_record = np.repeat(np.arange(n), counts)
    candidates = np.flatnonzero(same[packet_of_record])
    differs = np.zeros(n, bool)
    mismatch = ids[candidates] != ids[candidates - counts[packet_of_record[candidates]]]
    differs[packet_of_record[candidates[mismatch]]] = True
    same &= ~differs
    events_before = np.searchsorted(event_rows, position_rows)
    same[1:] &= events_before[1:] == events_before[:-1]
    firsts = np.flatnonzero(~same)
    return list(zip(firsts.tolist(), np.append(firsts[1:], n).tolist()))


def _blocked_run(state, slots, location, elapsed, duration_this, limits, results) -> None:
    """Step the blocked-actor state of `slots` through the positions `location` (frames, actors, 3), frame by
    frame, each frame with its elapsed time and its DurationThis."""
    min_time, min_distance = limits
    if len(slots) == 0:
        return
    fresh = slots[~state.present[slots]]
    if len(fresh):
        state.reset(fresh)
    last = state.last[slots]
    duration = state.duration[slots]
    since = state.time[slots]
    zero = np.float32(0)
    for t in range(len(location)):
        here = location[t]
        delta = here - last  # float32, as Unreal's FVector::Distance
        squared = delta * delta
        distance = np.sqrt(squared[:, 0] + squared[:, 1] + squared[:, 2])
        still = distance.astype(np.float64) < min_distance
        np.copyto(since, elapsed[t], where=still & (duration == 0))
        np.add(duration, duration_this[t], out=duration, where=still)
        moved = ~still
        report = moved & (duration >= min_time)
        if report.any():
            for column in np.flatnonzero(report).tolist():
                slot = int(slots[column])
                state.time[slot], state.duration[slot] = since[column], duration[column]
                results.append(_blocked_row(state, slot, int(state.universe[slot])))
        np.copyto(duration, zero, where=moved)
        np.copyto(last, here, where=moved[:, None])
    state.last[slots] = last
    state.duration[slots] = duration
    state.time[slots] = since


def actors_blocked(path, min_time: float, min_distance: float) -> str:
    """CARLA's `show_recorder_actors_blocked(path, min_time, min_distance)` text for the file at `path`."""
    recording = _load(path, (PacketId.EVENT_ADD, PacketId.EVENT_DEL, PacketId.POSITION))
    return recording if isinstance(recording, str) else blocked_text(recording, min_time, min_distance)


# --- JSON export -------------------------------------------------------------------------------------

def file_info_dict(path) -> dict:
    """The file info as plain data: header, frame count, duration and every event by frame."""
    recording = _load(path, _EVENT_IDS)
    if isinstance(recording, str):
        raise RecorderFileError(recording.strip())
    return recording_info_dict(recording)


def recording_info_dict(recording: Recording) -> dict:
    h = recording.header
    frames: dict[int, dict] = {}
    packets = recording.packets
    for k in _nonempty_rows(recording, _EVENT_IDS).tolist():
        pid, frame_index = int(packets["id"][k]), int(packets["frame"][k])
        payload = recording.payload(k)
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
