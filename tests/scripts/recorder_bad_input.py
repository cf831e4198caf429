"""Broken recordings, bad names and unwritable paths: each call answers with CARLA's text or a clear error,
and the server keeps serving."""
import os

from _common import connect, emit

client, args = connect({"--dir": {"required": True}, "--plain-name": {"required": True}})


def outcome(call, *call_args):
    try:
        return ["text", call(*call_args)]
    except RuntimeError as error:
        return ["RuntimeError", str(error)]


d = args.dir
result = {}
for name in ("truncated.log", "bad_size.log", "random.log", "a_directory", "missing.log"):
    path = os.path.join(d, name)
    result[name] = {
        "info": outcome(client.show_recorder_file_info, path, False),
        "collisions": outcome(client.show_recorder_collisions, path, "a", "a"),
        "blocked": outcome(client.show_recorder_actors_blocked, path, 30.0, 100.0),
        "replay": outcome(client.replay_file, path, 0.0, 0.0, 0),
    }
result["bad_letter"] = outcome(client.show_recorder_collisions, os.path.join(d, "good.log"), "x", "a")
result["record_into_directory"] = outcome(client.start_recorder, os.path.join(d, "a_directory"))
result["record_below_a_file"] = outcome(client.start_recorder, os.path.join(d, "random.log", "x.log"))
result["record_missing_folder"] = outcome(client.start_recorder, os.path.join(d, "no", "such", "folder.log"))
result["plain_name"] = outcome(client.start_recorder, args.plain_name)
client.stop_recorder()
result["plain_name_info"] = outcome(client.show_recorder_file_info, args.plain_name, False)
result["still_serving"] = client.get_server_version()
emit(result)
