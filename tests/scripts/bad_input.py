"""Bad input gets an error and the server keeps serving: unknown blueprint, missing actor,
malformed msgpack bytes, a value announcing a 2 GB payload."""
import socket
import struct

import carla
from _common import connect, emit

client, args = connect()
world = client.get_world()
library = world.get_blueprint_library()
result = {}
try:
    library.find("vehicle.does_not.exist")
    result["unknown_blueprint"] = "no error"
except IndexError:
    result["unknown_blueprint"] = "IndexError"

bp = library.find("vehicle.tesla.model3")
vehicle = world.spawn_actor(bp, world.get_map().get_spawn_points()[0])
world.wait_for_tick()   # asynchronous mode: the client knows the actor is alive once a snapshot lists it
result["first_destroy"] = vehicle.destroy()
try:
    result["second_destroy"] = vehicle.destroy()
except RuntimeError:
    result["second_destroy"] = "RuntimeError"
response = client.apply_batch_sync([carla.command.DestroyActor(999999)])[0]
result["destroy_unknown_id"] = [response.has_error(), response.error]


def raw_send(payload: bytes) -> bytes:
    with socket.create_connection((args.host, args.port), timeout=10) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            data = sock.recv(4096)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


result["garbage_closed"] = isinstance(raw_send(b"\xc1\xc1\xc1 not msgpack at all \xff\x00"), bytes)
result["huge_closed"] = isinstance(raw_send(b"\x94\x00\x01\xa7version\x91\xc6" + struct.pack(">I", 2 ** 31)), bytes)
result["still_serving"] = client.get_server_version()
try:
    world.spawn_actor(library.find("walker.pedestrian.0001"), carla.Transform(), attach_to=vehicle)
    result["spawn_on_destroyed_parent"] = "spawned"
except RuntimeError:
    result["spawn_on_destroyed_parent"] = "RuntimeError"
world.wait_for_tick()   # destroyed actors leave the list with the next snapshot
result["actors_after"] = len(world.get_actors().filter("vehicle.*"))
emit(result)
