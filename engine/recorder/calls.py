"""The recorder as a server subsystem: start/stop recording, the three queries, replay_file and its settings.

A file name without `\\`, `/` or `:` goes to the server's recordings folder (RECORDINGS_DIR); any other name
is a path on the server. Recording and replaying exclude each other, as in CARLA: starting one stops the other.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from engine.errors import RequestError
from engine.map.town import OPENDRIVE_MAP, map_key
from engine.recorder import queries
from engine.recorder.errors import RecorderFileError
from engine.recorder.queries import RECORDINGS_DIR
from engine.recorder.reader import parse_recording, read_file_bytes
from engine.recorder.replayer import DEFAULT_FOLLOW_OFFSET, ReplayerSettings, ReplaySession
from engine.recorder.session import RecordingSession
from engine.recorder.textfmt import g
from engine.server import wire
from engine.server.rpc import VALUE, VOID

log = logging.getLogger("carla.recorder")


class RecorderCalls:
    """The recorder state of one server: the running recording or replay, and the replayer settings."""

    def __init__(self, service, save_dir=RECORDINGS_DIR):
        self.service = service
        self.save_dir = Path(save_dir)
        self.session: RecordingSession | None = None
        self.replay: ReplaySession | None = None
        self.settings = ReplayerSettings()

    def path_of(self, name) -> str:
        return queries.resolve_recorder_path(wire.string(name, "file name"), self.save_dir)

    # -- worlds -----------------------------------------------------------------------------------------------
    def attach(self, world) -> None:
        """A new episode: a recording of the old one ends there; a replay of it is dropped."""
        self._close_session()
        self.replay = None
        world.after_physics.append(self._replay_tick)

    def _replay_tick(self, world, dt) -> None:
        replay = self.replay
        if replay is None:
            return
        replay.tick(world, dt)
        if not replay.enabled:
            self.replay = None

    def _close_session(self) -> None:
        if self.session is not None:
            self.session.close()
            log.info("recording closed: %s", self.session.path)
            self.session = None

    def _stop_replay(self, keep_actors: bool) -> None:
        if self.replay is not None:
            self.replay.stop(keep_actors)
            self.replay = None

    # -- recording --------------------------------------------------------------------------------------------
    def start_recorder(self, name, additional_data=False):
        path = self.path_of(name)
        additional = wire.boolean(additional_data, "additional_data")
        self._stop_replay(keep_actors=False)
        self._close_session()
        if os.path.dirname(path) == str(self.save_dir):
            self.save_dir.mkdir(parents=True, exist_ok=True)
        session = RecordingSession(self.service.world, path, additional)
        session.attach()
        self.session = session
        return os.path.abspath(path)

    def stop_recorder(self):
        self._close_session()

    # -- queries ----------------------------------------------------------------------------------------------
    def show_recorder_file_info(self, name, show_all=False):
        return _query(queries.file_info, self.path_of(name), wire.boolean(show_all, "show_all"))

    def show_recorder_collisions(self, name, type1, type2):
        return _query(queries.collisions, self.path_of(name), _category(type1, "type1"), _category(type2, "type2"))

    def show_recorder_actors_blocked(self, name, min_time, min_distance):
        return _query(queries.actors_blocked, self.path_of(name), wire.finite(min_time, "min_time"),
                      wire.finite(min_distance, "min_distance"))

    # -- replay -----------------------------------------------------------------------------------------------
    def replay_file(self, name, time_start, duration, follow_id, replay_sensors=False, follow_offset=None):
        path = self.path_of(name)
        time_start = wire.finite(time_start, "time_start")
        duration = wire.finite(duration, "duration")
        follow_id = wire.integer(follow_id, "follow_id")
        replay_sensors = wire.boolean(replay_sensors, "replay_sensors")
        offset = DEFAULT_FOLLOW_OFFSET if follow_offset is None else wire.transform(follow_offset)
        self._close_session()
        self._stop_replay(keep_actors=False)
        text = [f"Replaying File: {path}\n"]
        recording = self._read_for_replay(path)
        if recording is None:
            text.append(queries.not_found_text(path))
            return "".join(text)
        recorded_map = recording.header.map_name
        town = self.service.world.town
        if map_key(recorded_map) != map_key(town.name) and town.name != OPENDRIVE_MAP:
            # A world generated from the client's OpenDRIVE is the map the user chose to replay on.
            try:
                self.service.load_new_episode(recorded_map)
            except RequestError:
                text.append(f"Could not load mapfile {recorded_map}\n")
                return "".join(text)
            text.append(f"Loading map {recorded_map}\nReplayer will start after map is loaded...\n")
        replay = ReplaySession(self.service.world, recording, self.settings, self._spawn, self._destroy,
                               self.service.traffic.set_autopilot, follow_id, offset, replay_sensors)
        total = replay.total_time
        text.append(f"Total time recorded: {g(total)}\n")
        self.replay = replay
        start, stop = replay.start(time_start, duration)
        if not replay.enabled:
            self.replay = None
        text.append(f"Replaying from {g(start)} s - {g(stop)} s ({g(total)} s) at {self.settings.time_factor:.1f}x\n")
        if self.settings.ignore_hero:
            text.append("Ignoring Hero vehicle\n")
        if self.settings.ignore_spectator:
            text.append("Ignoring Spectator camera\n")
        return "".join(text)

    @staticmethod
    def _read_for_replay(path):
        """The parsed recording; None when the file does not exist; RequestError when it cannot be replayed."""
        if not os.path.lexists(path):
            return None
        try:
            return parse_recording(read_file_bytes(path))
        except RecorderFileError as error:
            raise RequestError(f"cannot replay {path}: {error}") from None

    def _spawn(self, description, location, rotation):
        world = self.service.world
        actor = world.spawn(description, (location, rotation), check_overlap=False)
        if actor.slot >= 0:
            world.set_transform(actor.id, location, rotation)   # spawning put it on the ground
        return self.service.track(actor)

    def _destroy(self, actor_id):
        self.service.destroy_actor(actor_id)

    def stop_replayer(self, keep_actors):
        self._stop_replay(wire.boolean(keep_actors, "keep_actors"))

    def set_replayer_time_factor(self, time_factor=1.0):
        factor = wire.finite(time_factor, "time_factor")
        if factor <= 0.0:
            raise RequestError(f"time_factor must be positive, got {factor}")
        self.settings.time_factor = factor

    def set_replayer_ignore_hero(self, ignore_hero):
        self.settings.ignore_hero = wire.boolean(ignore_hero, "ignore_hero")

    def set_replayer_ignore_spectator(self, ignore_spectator):
        self.settings.ignore_spectator = wire.boolean(ignore_spectator, "ignore_spectator")


def _query(query, path: str, *args) -> str:
    """A query's text; a recording that cannot be read is an error naming the file and the problem."""
    try:
        return query(path, *args)
    except RecorderFileError as error:
        raise RequestError(f"cannot read {path}: {error}") from None


def _category(code, name: str) -> str:
    """The actor-type letter of a collision query; CARLA's client sends it as an integer code."""
    if isinstance(code, str) and len(code) == 1:
        letter = code
    else:
        code = wire.integer(code, name)
        letter = chr(code) if 0 <= code < 0x110000 else ""
    if letter not in queries.CATEGORY_LETTERS:
        raise RequestError(f"{name} must be one of the letters h v w t o a, got {letter!r}")
    return letter


def _calls(service) -> RecorderCalls:
    calls = getattr(service, "recorder", None)
    if calls is None:
        calls = service.recorder = RecorderCalls(service)
    return calls


# -- subsystem interface (engine.server.service.SUBSYSTEMS) --------------------------------------------------------

def attach(service, world) -> None:
    _calls(service).attach(world)


def register_calls(service) -> None:
    calls = _calls(service)
    try:
        calls.save_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        log.warning("cannot create the recordings folder %s: %s", calls.save_dir, error.strerror or error)
    r = service.dispatcher.register
    for name in ("start_recorder", "show_recorder_file_info", "show_recorder_collisions",
                 "show_recorder_actors_blocked", "replay_file"):
        r(name, getattr(calls, name), VALUE)
    for name in ("stop_recorder", "stop_replayer", "set_replayer_time_factor", "set_replayer_ignore_hero",
                 "set_replayer_ignore_spectator"):
        r(name, getattr(calls, name), VOID)


def close(service) -> None:
    """Server shutdown (SIGINT/SIGTERM included): the recording file is closed cleanly."""
    calls = getattr(service, "recorder", None)
    if calls is not None:
        calls._close_session()

