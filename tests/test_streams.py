"""The stream hub: gathered sends, partial writes resumed in order, messages kept for late subscribers."""
import socket
import struct

from engine.server.streams import StreamConnection, StreamHub


class FakeLoop:
    def __init__(self):
        self.writing = set()
        self.closed = []

    def want_write(self, conn, on):
        (self.writing.add if on else self.writing.discard)(conn)

    def close_connection(self, conn):
        conn.closed = True
        self.closed.append(conn)


def subscribed_pair(hub, stream_id):
    server_side, client_side = socket.socketpair()
    server_side.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    server_side.setblocking(False)
    conn = StreamConnection(server_side)
    client_side.sendall(struct.pack("<I", stream_id))
    hub.readable(conn)
    return conn, client_side


def read_messages(sock, count):
    messages, data = [], b""
    while len(messages) < count:
        data += sock.recv(1 << 20)
        while len(data) >= 4 and len(data) >= 4 + struct.unpack_from("<I", data)[0]:
            size = struct.unpack_from("<I", data)[0]
            messages.append(data[4:4 + size])
            data = data[4 + size:]
    return messages


def test_large_messages_resume_after_partial_sends_in_order():
    loop = FakeLoop()
    hub = StreamHub(loop)
    stream = hub.new_stream()
    hub.request(stream)
    conn, client = subscribed_pair(hub, stream)
    images = [bytes([i]) * 300_000 for i in range(3)]
    for i, pixels in enumerate(images):
        hub.publish(stream, b"header%d" % i, pixels)
    assert conn in loop.writing
    client.setblocking(False)
    raw = b""
    while conn.outbox:
        hub.writable(conn)
        try:
            while True:
                raw += client.recv(1 << 20)
        except BlockingIOError:
            pass
    client.setblocking(True)
    expected_size = sum(4 + 7 + len(p) for p in images)
    while len(raw) < expected_size:
        raw += client.recv(1 << 20)
    received = []
    while raw:
        size = struct.unpack_from("<I", raw)[0]
        received.append(raw[4:4 + size])
        raw = raw[4 + size:]
    assert received == [b"header%d" % i + images[i] for i in range(3)]
    assert not conn.outbox and conn.outbox_bytes == 0 and conn not in loop.writing


def test_a_message_published_before_the_reader_connects_is_delivered_on_connect():
    loop = FakeLoop()
    hub = StreamHub(loop)
    stream = hub.new_stream()
    hub.request(stream)
    hub.publish(stream, b"first", b"-image")
    conn, client = subscribed_pair(hub, stream)
    assert read_messages(client, 1) == [b"first-image"]


def test_unknown_stream_ids_are_refused():
    loop = FakeLoop()
    hub = StreamHub(loop)
    conn, _ = subscribed_pair(hub, 4242)
    assert conn in loop.closed
