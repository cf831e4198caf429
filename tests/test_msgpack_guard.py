"""The header walk that catches oversized announcements before their payload arrives."""
import struct

import msgpack

from engine.server.msgpack_guard import oversized_announcement


def test_a_2gb_bin_inside_a_request_is_reported():
    data = b"\x94\x00\x01\xa7version\x91\xc6" + struct.pack(">I", 2 ** 31)
    assert oversized_announcement(data, 1 << 20) == 2 ** 31


def test_huge_str_array_and_map_headers_are_reported():
    assert oversized_announcement(b"\xdb" + struct.pack(">I", 2 ** 30), 1000) == 2 ** 30
    assert oversized_announcement(b"\x91\xdd" + struct.pack(">I", 10 ** 6), 1000) == 10 ** 6
    assert oversized_announcement(b"\xdf" + struct.pack(">I", 5000), 1000) == 5000


def test_ordinary_partial_requests_are_not_reported():
    whole = msgpack.packb([0, 3, "spawn_actor", [[False], [0, "vehicle.audi.a2", []], [[1.0, 2.0, 3.0], [0, 90, 0]]]])
    for cut in range(len(whole)):
        assert oversized_announcement(whole[:cut], 1000) is None
    big = msgpack.packb([0, 4, "copy_opendrive_to_file", [[False], "x" * 5000, []]])
    assert oversized_announcement(big[:100], 1 << 20) is None


def test_a_second_message_after_a_whole_one_is_walked_too():
    first = msgpack.packb([0, 1, "version", [[False]]])
    second = b"\x94\x00\x02\xa7version\x91\xc5" + struct.pack(">H", 60000)
    assert oversized_announcement(first + second, 1000) == 60000
