"""msgpack-RPC client for the simulator's world port.

rpclib framing (``[0, msgid, name, params]`` requests, ``[1, msgid, error, result]`` responses),
CARLA's metadata first argument (``[False]`` blocking, ``[True]`` fire-and-forget) and the
``Response<T>`` result wrapper. Blocking calls send and receive on the calling thread under one
lock: no reader thread, no hand-off, so a synchronous tick costs one round trip and nothing more.
"""

import select
import socket
import threading
import time

import msgpack

_BLOCKING = (False,)
_FIRE_AND_FORGET = (True,)
_RESPONSE = 1
# Servers may answer fire-and-forget calls; those answers are read and dropped now and then so
# they cannot fill the socket buffers of a client that only ever sends such calls.
_DRAIN_EVERY = 64


def timeout_message(endpoint, seconds):
    """The text CARLA's client raises when the simulator does not answer in time."""
    return ('time-out of %dms while waiting for the simulator, make sure the simulator is '
            'ready and connected to %s' % (int(seconds * 1000.0), endpoint))


def unwrap_response(result):
    """Value of a ``Response<T>``: ``[[1, v]]`` -> v; ``[[0, [msg]]]`` raises RuntimeError(msg)."""
    try:
        index, value = result[0]
    except (TypeError, ValueError, IndexError, KeyError):
        raise RuntimeError('std::bad_cast') from None
    if index == 1 and not isinstance(index, bool):
        return value
    if index == 0 and not isinstance(index, bool):
        raise RuntimeError(_error_text(value))
    raise RuntimeError('std::bad_cast')


def unwrap_void_response(result):
    """Check a ``Response<void>``: ``[[False]]`` is success, ``[[True, [msg]]]`` raises."""
    try:
        optional = result[0]
        has_error = optional[0]
    except (TypeError, IndexError, KeyError):
        raise RuntimeError('std::bad_cast') from None
    if has_error is False:
        return None
    if has_error is True:
        raise RuntimeError(_error_text(optional[1] if len(optional) > 1 else ''))
    # Tolerate a server that wraps void results as Response<T>.
    unwrap_response(result)
    return None


def _error_text(error):
    if isinstance(error, (list, tuple)) and error:
        error = error[0]
    if isinstance(error, bytes):
        error = error.decode('utf-8', 'replace')
    return str(error)


class RpcClient:
    """One TCP connection to the world port, shared by every thread of a ``carla.Client``."""

    def __init__(self, host, port, timeout=5.0, with_metadata=True):
        self.host = host
        self.port = int(port)
        self.endpoint = '%s:%d' % (host, self.port)
        self._timeout = float(timeout)
        self._with_metadata = with_metadata
        self._lock = threading.Lock()
        self._sock = None
        self._unpacker = None
        self._pack = msgpack.Packer(use_bin_type=True, autoreset=True).pack
        self._msgid = 0
        self._unanswered_casts = 0

    # -- settings ----------------------------------------------------------------------------

    @property
    def timeout(self):
        return self._timeout

    @timeout.setter
    def timeout(self, seconds):
        self._timeout = float(seconds)   # the socket takes it at the next call

    def timeout_error(self, seconds=None):
        if seconds is None:
            seconds = self._timeout
        return RuntimeError(timeout_message(self.endpoint, seconds))

    # -- calls -------------------------------------------------------------------------------

    def call(self, method, *args):
        """Blocking call whose result is a ``Response<T>``; returns the value."""
        return unwrap_response(self._round_trip(method, args))

    def call_void(self, method, *args):
        """Blocking call whose result is a ``Response<void>``."""
        unwrap_void_response(self._round_trip(method, args))

    def call_raw(self, method, *args):
        """Blocking call returning the result unwrapped (apply_batch, Traffic Manager calls)."""
        return self._round_trip(method, args)

    def cast(self, method, *args):
        """Fire-and-forget call: sent with ``[True]`` metadata; no answer is awaited."""
        params = [_FIRE_AND_FORGET, *args] if self._with_metadata else list(args)
        with self._lock:
            self._send(method, params)
            self._unanswered_casts += 1
            if self._unanswered_casts >= _DRAIN_EVERY:
                self._drain_ready()

    def close(self):
        with self._lock:
            self._disconnect()

    # -- internals ---------------------------------------------------------------------------

    def _send(self, method, params):
        """Send one request (the lock is held); returns the socket and the request's msgid."""
        sock = self._connected()
        self._msgid = msgid = (self._msgid + 1) & 0xFFFFFFFF
        try:
            sock.sendall(self._pack([0, msgid, method, params]))
        except OSError:
            self._disconnect()
            raise self.timeout_error() from None
        return sock, msgid

    def _round_trip(self, method, args):
        params = [_BLOCKING, *args] if self._with_metadata else list(args)
        with self._lock:
            sock, msgid = self._send(method, params)
            self._unanswered_casts = 0
            unpacker = self._unpacker
            deadline = None
            while True:
                for message in unpacker:
                    if (type(message) is list and len(message) == 4 and message[0] == _RESPONSE
                            and message[1] == msgid):
                        if message[2] is not None:
                            raise RuntimeError('rpc::rpc_error during call in function %s' % method)
                        return message[3]
                    # Anything else answers an earlier fire-and-forget or timed-out call.
                try:
                    chunk = sock.recv(262144)
                except socket.timeout:
                    raise self.timeout_error() from None
                except OSError:
                    self._disconnect()
                    raise self.timeout_error() from None
                if not chunk:
                    self._disconnect()
                    raise self.timeout_error()
                unpacker.feed(chunk)
                # A response split over several reads must still arrive within the timeout.
                if deadline is None:
                    deadline = time.monotonic() + self._timeout
                else:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise self.timeout_error()
                    sock.settimeout(remaining)
            # unreachable

    def _drain_ready(self):
        sock = self._sock
        self._unanswered_casts = 0
        try:
            while select.select([sock], [], [], 0)[0]:
                chunk = sock.recv(262144)
                if not chunk:
                    self._disconnect()
                    return
                self._unpacker.feed(chunk)
                for _ in self._unpacker:
                    pass
        except OSError:
            self._disconnect()

    def _connected(self):
        sock = self._sock
        if sock is not None:
            if sock.gettimeout() != self._timeout:
                sock.settimeout(self._timeout)
            return sock
        deadline = time.monotonic() + self._timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self.timeout_error()
            try:
                sock = socket.create_connection((self.host, self.port), timeout=remaining)
                break
            except OSError:
                time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(self._timeout)
        self._sock = sock
        self._unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=0)
        return sock

    def _disconnect(self):
        sock, self._sock, self._unpacker = self._sock, None, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass
