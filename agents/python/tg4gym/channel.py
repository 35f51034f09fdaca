"""The client's connection to the server, whichever transport: request bytes out, reply bytes in, in order.
ZeroMQ DEALER for tcp:// and ipc:// (CURVE optional); a plain stream socket for unix:// (length-prefixed frames: a
little-endian uint32 byte count, then the msgpack body), the fastest way to a server on the same machine."""
from __future__ import annotations

import os
import select
import socket
import struct
import time
from typing import Optional

import zmq

_HEADER = struct.Struct("<I")


class ZmqChannel:
    def __init__(self, address: str, context: Optional[zmq.Context], curve_keys_dir: Optional[str]):
        self._sock = (context or zmq.Context.instance()).socket(zmq.DEALER)
        self._sock.setsockopt(zmq.LINGER, 0)
        try:
            if curve_keys_dir is not None:
                self._sock.curve_serverkey = _read_key(os.path.join(curve_keys_dir, "server.public"))
                self._sock.curve_publickey = _read_key(os.path.join(curve_keys_dir, "client.public"))
                self._sock.curve_secretkey = _read_key(os.path.join(curve_keys_dir, "client.secret"))
            self._sock.connect(address)  # raises zmq.ZMQError for an address libzmq cannot parse
        except BaseException:
            self._sock.close(0)
            raise

    def send(self, data: bytes) -> None:
        self._sock.send(data)  # copying small frames is cheaper than pyzmq's zero-copy tracking

    def poll(self, timeout_ms: int) -> bool:
        return bool(self._sock.poll(timeout_ms))

    def recv(self) -> memoryview:
        # copy=False: msgpack reads the frame's memory in place, one copy fewer of each reply (Trading-v0 x 64:
        # 255 KB, about 9 us a step).
        return self._sock.recv(copy=False).buffer

    def close(self) -> None:
        self._sock.close(0)


class ConnectionLostError(ConnectionError):
    """The server ended a unix:// connection (it stopped, or dropped a message over 4x its size limit)."""


class UnixChannel:
    """A unix:// connection. Replies are read into one reusable buffer and handed out as views of it, valid until
    the next recv (the client unpacks each at once). Sending never blocks on a server that is itself waiting for us
    to read: while a request does not fit in the socket, replies are read meanwhile.

    Waiting for a reply first polls the socket for up to `spin_us` microseconds, yielding the CPU between polls, and
    only then sleeps. A step's reply comes within ~100 us; sleeping for it costs two wake-ups, and when the kernel has
    put client and server on different CPUs those are inter-processor wake-ups (tens of us each on a VM). Measured on
    Trading-v0 x 64 (docs/server.md, "Performance"): 2.6x -> 3.1x gym-anytrading, for up to `spin_us` of client CPU
    per step. 0 turns it off."""

    def __init__(self, path: str, spin_us: int = 100):
        self.path = path
        self.spin_s = max(0, spin_us) / 1e6
        self._s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._s.connect(path)
        except BaseException:
            self._s.close()
            raise
        self._s.setblocking(False)
        # poll, not select: select() refuses descriptors above 1023, which a process with torch and Ray may hand out.
        self._readable = select.poll()
        self._readable.register(self._s, select.POLLIN)
        self._either = select.poll()
        self._either.register(self._s, select.POLLIN | select.POLLOUT)
        self._buf = bytearray(1 << 20)
        self._view = memoryview(self._buf)
        self._start = 0
        self._end = 0

    def send(self, data: bytes) -> None:
        out = memoryview(_HEADER.pack(len(data)) + data)
        while out:
            try:
                out = out[self._s.send(out):]
                continue
            except BlockingIOError:
                pass
            if any(ev & select.POLLIN for _, ev in self._either.poll()):
                self._fill()

    def poll(self, timeout_ms: int) -> bool:
        """True once a whole reply is here; False after timeout_ms without one."""
        deadline = time.monotonic() + timeout_ms / 1000
        spin_until = time.perf_counter() + min(self.spin_s, timeout_ms / 1000)
        while self._frame_length() < 0:
            if not self._fill():
                if time.perf_counter() < spin_until:
                    os.sched_yield()  # a server on this CPU runs now; one on another CPU finds us awake
                    continue
                left = deadline - time.monotonic()
                if left <= 0 or not self._readable.poll(left * 1000):
                    return self._frame_length() >= 0
        return True

    def recv(self) -> memoryview:
        while self._frame_length() < 0:
            if not self._fill():
                self._readable.poll()
        n = self._frame_length()
        at = self._start + 4
        self._start = at + n
        if self._start == self._end:
            self._start = self._end = 0
        return self._view[at:at + n]

    def close(self) -> None:
        self._s.close()

    def _frame_length(self) -> int:
        """The length of the whole reply at the front of the buffer, or -1 while it is not all here."""
        have = self._end - self._start
        if have < 4:
            return -1
        n = _HEADER.unpack_from(self._buf, self._start)[0]
        return n if have >= 4 + n else -1

    def _fill(self) -> bool:
        """Reads what the socket has, without blocking; False when it had nothing."""
        if self._end == len(self._buf):
            self._make_room()
        try:
            got = self._s.recv_into(self._view[self._end:])
        except BlockingIOError:
            return False
        if got == 0:
            raise ConnectionLostError(f"unix://{self.path}: the server closed the connection (it stopped, or dropped a "
                                      "message over 4x its size limit)")
        self._end += got
        return True

    def _make_room(self) -> None:
        """Moves the unread bytes to the front, or grows the buffer to hold the reply being read."""
        have = self._end - self._start
        need = 4 + _HEADER.unpack_from(self._buf, self._start)[0] if have >= 4 else 4
        if self._start > 0 and need <= len(self._buf):
            self._buf[0:have] = self._buf[self._start:self._end]
        else:
            grown = bytearray(max(need, 2 * len(self._buf)))
            grown[0:have] = self._buf[self._start:self._end]
            self._buf = grown
            self._view = memoryview(grown)
        self._start, self._end = 0, have


def _read_key(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read().strip()
