"""CARLA recorder files: reading, writing and the three recorder queries (spec: recorder-format.md)."""

from engine.recorder.errors import NotARecordingError, RecorderFileError
from engine.recorder.packets import ActorAdd, ActorAttribute, ActorType, PacketId
from engine.recorder.queries import actors_blocked, collisions, file_info, file_info_dict, resolve_recorder_path
from engine.recorder.reader import Recording, RecordingHeader, parse_recording, read_recording
from engine.recorder.writer import RecordingWriter, recording_bytes, standard_frame_packets, write_recording

__all__ = [
    "ActorAdd", "ActorAttribute", "ActorType", "NotARecordingError", "PacketId", "RecorderFileError", "Recording",
    "RecordingHeader", "RecordingWriter", "actors_blocked", "collisions", "file_info", "file_info_dict",
    "parse_recording", "read_recording", "recording_bytes", "resolve_recorder_path", "standard_frame_packets",
    "write_recording",
]
