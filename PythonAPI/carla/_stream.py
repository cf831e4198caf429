"""Streaming channel: 24-byte stream tokens and one TCP subscription per stream.

A subscription connects to the token's address, sends the stream id as 4 little-endian bytes,
then reads messages (uint32 length N > 0, then N bytes) on a daemon thread and hands each payload
to a callback. A zero length or a read error drops the socket and reconnects after one second,
as CARLA's client does. Closing the socket is the whole unsubscribe.
"""

import ipaddress
import os
import select
import socket
import struct
import sys
import threading
import time
import traceback
from collections import namedtuple

TOKEN_SIZE = 24
_TOKEN = struct.Struct('<IHBB16s')
_U32 = struct.Struct('<I')
PROTOCOL_TCP = 1
ADDRESS_IPV4 = 1
ADDRESS_IPV6 = 2
RECONNECT_DELAY = 1.0
MAX_MESSAGE_SIZE = 1 << 31

Token = namedtuple('Token', 'stream_id port protocol address_type address')
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def report_callback_error():
    """Print the current exception of a user callback as CARLA does, without this package's
    frames, and carry on."""
    kind, error, tb = sys.exc_info()
    while tb is not None and os.path.dirname(
            os.path.abspath(tb.tb_frame.f_code.co_filename)) == _PACKAGE_DIR:
        tb = tb.tb_next
    traceback.print_exception(kind, error, tb, file=sys.stderr)


def parse_token(data):
    """Decode a 24-byte token (``bytes``, or the ``[bytes]`` form used inside RPC structs)."""
    if isinstance(data, (list, tuple)):
        if len(data) != 1:
            raise RuntimeError('invalid stream token')
        data = data[0]
    data = bytes(data)
    if len(data) != TOKEN_SIZE:
        raise RuntimeError('invalid stream token of %d bytes' % len(data))
    return Token(*_TOKEN.unpack(data))


def make_token(stream_id, port, host='0.0.0.0'):
    """Encode a TCP token (used by tests and tools)."""
    address = ipaddress.ip_address(host)
    kind = ADDRESS_IPV4 if address.version == 4 else ADDRESS_IPV6
    return _TOKEN.pack(stream_id, port, PROTOCOL_TCP, kind, address.packed.ljust(16, b'\0'))


def token_host(token, fallback_host):
    """Host to connect to: the token's address, or the RPC host when it is unspecified."""
    if token.address_type == ADDRESS_IPV4:
        address = ipaddress.IPv4Address(token.address[:4])
    elif token.address_type == ADDRESS_IPV6:
        address = ipaddress.IPv6Address(token.address)
    else:
        return fallback_host
    return fallback_host if address.is_unspecified else str(address)


class StreamSubscription:
    """Receives one stream on a daemon thread until ``stop()``."""

    def __init__(self, host, port, stream_id, on_payload, name='stream'):
        self.host = host
        self.port = port
        self.stream_id = stream_id
        self._on_payload = on_payload
        self._stopped = threading.Event()
        self._sock = None
        self._sock_lock = threading.Lock()
        self._idle = threading.Condition(threading.Lock())
        self._busy = False
        self._thread = threading.Thread(
            target=self._run, name='carla-%s-%d' % (name, stream_id), daemon=True)
        self._thread.start()

    def settle(self, timeout):
        """Wait until every message already received by the system has been handed over.

        True when idle, False after ``timeout`` seconds of continuous traffic."""
        if threading.current_thread() is self._thread:
            return False   # called from one of this stream's own callbacks
        deadline = time.monotonic() + timeout
        with self._idle:
            while True:
                sock = self._sock
                if not self._busy and (sock is None or not _readable(sock)):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(min(remaining, 0.01))

    def stop(self):
        """Close the socket; the reading thread ends on its own."""
        self._stopped.set()
        with self._sock_lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            _close(sock)

    def _run(self):
        while not self._stopped.is_set():
            sock = self._connect()
            if sock is None:
                self._stopped.wait(RECONNECT_DELAY)
                continue
            try:
                self._read_messages(sock)
            except OSError:
                pass
            with self._sock_lock:
                if self._sock is sock:
                    self._sock = None
            _close(sock)
            if not self._stopped.is_set():
                self._stopped.wait(RECONNECT_DELAY)

    def _connect(self):
        try:
            sock = socket.create_connection((self.host, self.port), timeout=RECONNECT_DELAY * 5)
        except OSError:
            return None
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(None)
            sock.sendall(_U32.pack(self.stream_id))
        except OSError:
            _close(sock)
            return None
        with self._sock_lock:
            if self._stopped.is_set():
                _close(sock)
                return None
            self._sock = sock
        return sock

    def _read_messages(self, sock):
        header = bytearray(4)
        header_view = memoryview(header)
        while not self._stopped.is_set():
            if not _recv_exactly(sock, header_view):
                return
            with self._idle:
                self._busy = True
            try:
                size = _U32.unpack(header)[0]
                if size == 0 or size > MAX_MESSAGE_SIZE:
                    return
                payload = bytearray(size)
                if not _recv_exactly(sock, memoryview(payload)):
                    return
                if self._stopped.is_set():
                    return
                try:
                    self._on_payload(payload)
                except Exception:  # a failing callback must not kill the stream
                    report_callback_error()
            finally:
                with self._idle:
                    self._busy = False
                    self._idle.notify_all()


def _readable(sock):
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return False


def _recv_exactly(sock, view):
    got, size = 0, len(view)
    while got < size:
        n = sock.recv_into(view[got:])
        if n == 0:
            return False
        got += n
    return True


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass
