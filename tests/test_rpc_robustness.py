"""The server answers malformed or unknown calls with errors and keeps serving."""
import socket
import struct

import msgpack

from serverproc import ServerProcess


def call(sock, unpacker, msgid, method, *args, metadata=(False,)):
    """One request and its answer; ``metadata=None`` sends no metadata argument (the Traffic Manager port)."""
    params = list(args) if metadata is None else [list(metadata), *args]
    sock.sendall(msgpack.packb([0, msgid, method, params], use_bin_type=True))
    while True:
        for message in unpacker:
            return message
        data = sock.recv(1 << 20)
        assert data, "connection closed"
        unpacker.feed(data)


def connect(server):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock, msgpack.Unpacker(raw=False)


def test_version_is_wrapped_in_a_response():
    with ServerProcess("-nullrhi") as server:
        sock, unpacker = connect(server)
        assert call(sock, unpacker, 1, "version") == [1, 1, None, [[1, "0.9.16"]]]


def test_unknown_call_gets_an_error_naming_it():
    with ServerProcess("-nullrhi") as server:
        sock, unpacker = connect(server)
        reply = call(sock, unpacker, 7, "make_coffee", 1, 2)
        assert reply[1] == 7 and "make_coffee" in reply[2] and reply[3] is None
        assert call(sock, unpacker, 8, "version")[3] == [[1, "0.9.16"]]


def test_wrong_argument_count_and_types_get_errors():
    with ServerProcess("-nullrhi") as server:
        sock, unpacker = connect(server)
        assert "argument" in call(sock, unpacker, 1, "destroy_actor")[2]
        reply = call(sock, unpacker, 2, "spawn_actor", "not a description", "nor a transform")
        assert reply[3][0][0] == 0 and reply[3][0][1][0]
        reply = call(sock, unpacker, 3, "spawn_actor", [0, "vehicle.nope.nope", []], [[0, 0, 0], [0, 0, 0]])
        assert "vehicle.nope.nope" in reply[3][0][1][0]
        reply = call(sock, unpacker, 5, "spawn_actor", [0, "vehicle.tesla.model3", 1.5], [[0, 0, 0], [0, 0, 0]])
        assert "attributes must be an array" in reply[3][0][1][0]
        reply = call(sock, unpacker, 4, "set_episode_settings", [True])
        assert reply[3][0][0] == 0


def test_fire_and_forget_calls_get_no_answer():
    with ServerProcess("-nullrhi") as server:
        sock, unpacker = connect(server)
        sock.sendall(msgpack.packb([0, 1, "set_weather_parameters", [[True], [1.0] * 14]]))
        assert call(sock, unpacker, 2, "get_weather_parameters")[1] == 2


def test_garbage_and_huge_announcements_close_only_that_connection():
    with ServerProcess("-nullrhi") as server:
        keeper, keeper_unpacker = connect(server)
        for payload in (b"\xc1\xc1\xc1\xc1", b"\x94\x00\x01\xa7version\x91\xc6" + struct.pack(">I", 2 ** 31),
                        b"\xdd" + struct.pack(">I", 2 ** 31)):
            sock, _ = connect(server)
            sock.sendall(payload)
            sock.settimeout(10)
            data = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            assert data, "the server should say what was wrong before closing"
        assert call(keeper, keeper_unpacker, 1, "version")[3] == [[1, "0.9.16"]]
        assert server.alive()


def test_stream_port_ignores_unknown_stream_ids():
    with ServerProcess("-nullrhi") as server:
        sock = socket.create_connection(("127.0.0.1", server.port + 1), timeout=10)
        sock.sendall(struct.pack("<I", 99999))
        assert sock.recv(16) == b""
        sock, unpacker = connect(server)
        assert call(sock, unpacker, 1, "version")[3] == [[1, "0.9.16"]]


def test_a_large_legitimate_request_is_read_whole():
    with ServerProcess("-nullrhi") as server:
        sock, unpacker = connect(server)
        reply = call(sock, unpacker, 1, "get_sensor_token", "s" * 5_000_000)
        assert reply[1] == 1 and "stream id" in reply[3][0][1][0]
        assert call(sock, unpacker, 2, "version")[3] == [[1, "0.9.16"]]
