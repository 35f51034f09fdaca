"""The protocol layer: a pipelined connection to `tg4 serve` (channel.py: ZeroMQ, or a unix:// socket) and sessions of N remote sub-envs.
Needs only pyzmq, msgpack and numpy (no Gymnasium, no SB3)."""
from __future__ import annotations

import re
from collections import deque
from typing import Any, NamedTuple, Optional, Sequence, Union

import numpy as np
import zmq

from .kwargs import to_wire_kwargs, with_default_range
from .version import SERVER_NAME_PREFIX, __version__
from .channel import ConnectionLostError, UnixChannel, ZmqChannel
from .obs_window import WindowDeltaError, WindowObservations
from .wire import PROTOCOL_VERSION, decode_array, decode_value, encode_array, pack, unpack


class RemoteError(Exception):
    """An error reply from the server; `code` is the library's literal code (INVALID_ACTION, UNKNOWN_SESSION, ...)."""

    def __init__(self, code: str, message: str, details: Optional[dict] = None):
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.details = details or {}


class RemoteAttributeError(RemoteError, AttributeError):
    """A `call` for a name the env does not offer (so that hasattr-style checks such as SB3's has_attr work)."""


class ConnectionTimeout(RemoteError, TimeoutError):
    """No reply within the client's timeout: the server is not running there, or the CURVE keys are wrong."""


class ServerUnreachable(ConnectionTimeout, ConnectionError):
    """No answer to the first request (hello) within connect_timeout_ms: nothing serves at that address."""


class ConnectionLost(RemoteError, ConnectionError):
    """The server ended a unix:// connection: it stopped, or dropped a message over 4x its size limit."""


class InvalidAddress(RemoteError, ValueError):
    """An address that is not tcp://HOST:PORT, ipc://PATH or unix://PATH (the form `tg4 serve` prints)."""


class VersionMismatch(RemoteError):
    """The server speaks another protocol version, or is a tg4 release this client was not made for."""


_ADDRESS = re.compile(r"^(tcp://(\[[^\]]+\]|[^:/\s]+):\d+|ipc://\S+|unix://\S+)$")


def check_address(address: Any) -> str:
    """The address unchanged when it is tcp://HOST:PORT, ipc://PATH or unix://PATH; InvalidAddress saying how to write
    it otherwise."""
    if not isinstance(address, str):
        raise InvalidAddress("INVALID_ARGUMENT", f"address must be a string such as 'tcp://127.0.0.1:5555' (got {type(address).__name__})")
    if _ADDRESS.match(address):
        return address
    hint = ""
    if re.match(r"^(\[[^\]]+\]|[A-Za-z0-9_.-]+):\d+$", address):
        hint = f" (did you mean 'tcp://{address}'?)"
    elif address.startswith("/"):
        hint = f" (did you mean 'unix://{address}' or 'ipc://{address}', whichever `tg4 serve --bind` used?)"
    elif address.startswith("inproc://"):
        hint = " (inproc:// reaches only the same process; tg4 serve runs in another one)"
    raise InvalidAddress(
        "INVALID_ARGUMENT",
        f"address {address!r} is not tcp://HOST:PORT, ipc://PATH or unix://PATH{hint}: pass the address `tg4 serve` printed "
        "after 'listening on', e.g. tcp://127.0.0.1:5555")


def check_server(hello: dict, address: str) -> None:
    """Raises VersionMismatch unless the server speaks this client's protocol and is a compatible tg4 release."""
    server = str(hello.get("server", ""))
    if hello.get("protocol") != PROTOCOL_VERSION:
        raise VersionMismatch("PROTOCOL_ERROR", f"{address} speaks protocol {hello.get('protocol')!r} ({server}), this tg4gym "
                              f"{__version__} speaks {PROTOCOL_VERSION}: install the tg4gym of the server's checkout "
                              "(pip install ./agents/python)")
    if not server.startswith(SERVER_NAME_PREFIX):
        raise VersionMismatch("PROTOCOL_ERROR", f"{address} is not a tg4 server (it calls itself {server!r})")
    theirs = server[len(SERVER_NAME_PREFIX):].split(".")[:2]
    if theirs != __version__.split(".")[:2]:
        raise VersionMismatch("PROTOCOL_ERROR", f"{address} runs {server}, this is tg4gym {__version__}: before 1.0 a "
                              "minor release may change the wire, so use the same major.minor on both sides "
                              "(pip install ./agents/python from the server's checkout)")


def _open_channel(address: str, context: Optional[zmq.Context], curve_keys_dir: Optional[str], spin_us: int):
    """The connection for a checked address: a plain socket for unix://, ZeroMQ for the rest."""
    if address.startswith("unix://"):
        if curve_keys_dir is not None:
            raise InvalidAddress("INVALID_ARGUMENT", f"{address} is a local socket, which CURVE does not apply to: "
                                 "connect without curve_keys_dir (or to the server's tcp:// address)")
        path = address[len("unix://"):]
        try:
            return UnixChannel(path, spin_us)
        except OSError as err:
            raise ServerUnreachable("UNREACHABLE", f"no tg4 server at {address} ({err.strerror or err}): start one with "
                                    f"`npx tg4 serve --bind {address}`") from None
    try:
        return ZmqChannel(address, context, curve_keys_dir)
    except zmq.ZMQError as err:
        raise InvalidAddress("INVALID_ARGUMENT", f"cannot connect to {address!r}: {err} (write it as "
                             "tcp://HOST:PORT, ipc://PATH or unix://PATH, as `tg4 serve` prints it)") from None


class Client:
    """One connection to a TG4 server. Requests may be pipelined: send now, collect replies later, in order."""

    def __init__(self, address: str, *, curve_keys_dir: Optional[str] = None, timeout_ms: int = 30_000,
                 connect_timeout_ms: Optional[int] = None, context: Optional[zmq.Context] = None, spin_us: int = 100):
        """spin_us (unix:// only): how long a wait for a reply polls, yielding the CPU, before it sleeps
        (channel.UnixChannel; 0 = sleep at once, for machines where client CPU is scarcer than latency)."""
        self.address = check_address(address)
        if isinstance(spin_us, bool) or not isinstance(spin_us, int) or spin_us < 0:
            raise ValueError(f"spin_us must be a whole number of microseconds >= 0 (got {spin_us!r}); 0 turns polling off")
        self.timeout_ms = timeout_ms
        self._next_id = 1
        self._replies: dict[int, dict] = {}
        self.closed = False
        self._curve = curve_keys_dir is not None
        self._ch = _open_channel(self.address, context, curve_keys_dir, spin_us)
        try:
            # A server that is up answers hello in milliseconds: wait seconds, not the step timeout, for the first reply.
            self.hello = self._hello(min(5_000, timeout_ms) if connect_timeout_ms is None else connect_timeout_ms)
            check_server(self.hello, address)
        except BaseException:
            self.close()
            raise

    def _hello(self, connect_timeout_ms: int) -> dict:
        """The server's hello; ServerUnreachable within connect_timeout_ms when nothing answers at the address."""
        rid = self.send_request("hello", client=f"tg4gym/{__version__}")
        if not self._poll(connect_timeout_ms):
            curve = " and that the CURVE keys are the server's" if self._curve else ""
            raise ServerUnreachable(
                "UNREACHABLE", f"no tg4 server answered at {self.address} within {connect_timeout_ms / 1000:g} s: start one "
                f"with `npx tg4 serve --bind {self.address}` (or check the address{curve}); raise connect_timeout_ms "
                "for a slow network")
        return self.wait(rid)

    # -- requests -----------------------------------------------------------------------------------------------
    def send_request(self, op: str, **fields: Any) -> int:
        """Sends a request without waiting; returns its id for wait()."""
        if self.closed:
            raise RemoteError("CLOSED_ENV", "this client is closed: make a new one")
        rid = self._next_id
        self._next_id += 1
        fields.update(v=PROTOCOL_VERSION, id=rid, op=op)
        data = pack(fields)
        limit = getattr(self, "hello", {}).get("limits", {}).get("max_message_bytes")
        if limit is not None and len(data) > limit:
            # Refused here rather than uploaded: the server would answer LIMIT_EXCEEDED (or drop the connection).
            raise RemoteError("LIMIT_EXCEEDED", f"this {op} request is {len(data):,} bytes, over the server's limit of "
                              f"{limit:,} (tg4 serve --max-message-bytes): send less data (fewer rows or columns)")
        self._send(data)
        return rid

    def send_raw(self, data: bytes) -> None:
        """Sends bytes as they are (tests use it to send malformed messages)."""
        self._send(data)

    def receive_raw(self) -> dict:
        """The next reply, whatever its id (pairs with send_raw)."""
        if not self._poll(self.timeout_ms):
            raise ConnectionTimeout("TIMEOUT", f"no reply from {self.address} within {self.timeout_ms} ms")
        return unpack(self._recv())

    def wait(self, rid: int, timeout_ms: Optional[int] = None) -> Any:
        """The result of request `rid`; raises RemoteError for an error reply, ConnectionTimeout after timeout_ms
        (default: the client's) without one."""
        timeout_ms = self.timeout_ms if timeout_ms is None else timeout_ms
        while rid not in self._replies:
            if not self._poll(timeout_ms):
                raise ConnectionTimeout(
                    "TIMEOUT", f"no reply from {self.address} within {timeout_ms} ms: is `tg4 serve` still running there "
                    "(and, for a CURVE server, are the keys right)? Raise timeout_ms for very large sessions")
            msg = unpack(self._recv())
            if isinstance(msg, dict) and isinstance(msg.get("id"), int):
                self._replies[msg["id"]] = msg
        msg = self._replies.pop(rid)
        err = msg.get("error")
        if err is not None:
            details = {k: v for k, v in err.items() if k not in ("code", "message")}
            cls = RemoteAttributeError if "attribute" in details else RemoteError
            raise cls(err.get("code", "INTERNAL"), err.get("message", ""), details)
        return msg["result"]

    def request(self, op: str, **fields: Any) -> Any:
        return self.wait(self.send_request(op, **fields))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._ch.close()

    # -- the channel, its transport's failures as this module's errors ---------------------------------------------
    def _send(self, data: bytes) -> None:
        try:
            self._ch.send(data)
        except (ConnectionLostError, OSError) as err:
            raise self._lost(err) from None

    def _poll(self, timeout_ms: int) -> bool:
        try:
            return self._ch.poll(timeout_ms)
        except (ConnectionLostError, OSError) as err:
            raise self._lost(err) from None

    def _recv(self) -> memoryview:
        try:
            return self._ch.recv()
        except (ConnectionLostError, OSError) as err:
            raise self._lost(err) from None

    def _lost(self, err: BaseException) -> ConnectionLost:
        return ConnectionLost("UNREACHABLE", f"{self.address}: the server closed the connection ({err}): start it again "
                              "and make a new client")

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class StepResult(NamedTuple):
    obs: Any
    rewards: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    infos: list
    env_ids: Optional[list]


def decode_obs(x: Any) -> Any:
    """Observations: one array, or a dict/list of arrays for Dict/Tuple spaces."""
    if isinstance(x, dict) and "data" not in x:
        return {k: decode_obs(v) for k, v in x.items()}
    if isinstance(x, list):
        return tuple(decode_obs(v) for v in x)
    return decode_array(x)


def decode_infos(infos: list) -> list:
    # Most infos are empty maps: skip the recursive decode for them (it dominated the client's time per step).
    if not any(infos):
        return infos  # unpack's fresh empty dicts, ours to hand out
    return [decode_value(x) if x else {} for x in infos]


def encode_actions(space: dict, actions: Any, rows: int) -> Any:
    """A batch of `rows` actions as the wire expects: Discrete as int64, Box in its dtype, Dict/Tuple as maps/lists.
    Float Box actions are cast to the space's float dtype (as Gymnasium does); nothing else is converted silently,
    so that a float array for a Discrete space reaches the server and is refused there."""
    t = space["type"]
    if t == "Dict":
        return {k: encode_actions(s, actions[k], rows) for k, s in space["spaces"].items()}
    if t == "Tuple":
        return [encode_actions(s, actions[i], rows) for i, s in enumerate(space["spaces"])]
    a = np.asarray(actions)
    if t == "Discrete":
        if a.dtype == np.int64 and a.shape == (rows,):  # what a policy hands a VecEnv: sent as it is
            return {"dtype": "int64", "shape": [rows], "data": a.tobytes()}
        if a.dtype.kind in "iub":
            a = a.astype(np.int64, copy=False)
        return encode_array(a.reshape(rows))
    if t == "Box":
        if a.dtype.kind == "f" or (space["dtype"].startswith("float") and a.dtype.kind in "iub"):
            a = a.astype(space["dtype"], copy=False)
        return encode_array(a.reshape([rows] + list(space["shape"])))
    if t == "MultiDiscrete":
        if a.dtype.kind in "iub":
            a = a.astype(space["dtype"], copy=False)
        return encode_array(a.reshape(rows, len(space["nvec"])))
    if t == "MultiBinary":
        if a.dtype.kind in "iub":
            a = a.astype(np.int8, copy=False)
        return encode_array(a.reshape([rows] + list(space["n"])))
    raise ValueError(f"unknown space type {t!r}")


class Session:
    """N remote sub-envs of one env id (the server's `make`). Batched arrays in, batched numpy arrays out."""

    def __init__(self, client: Union[Client, str], env_id: str, num_envs: int = 1, *, seed: Optional[int] = None,
                 autoreset: str = "next-step", batch_size: Optional[int] = None, kwargs: Optional[dict] = None,
                 camel_case_kwargs: bool = True, engine: str = "auto", obs_window: Optional[bool] = None):
        """obs_window: ask for window deltas (docs/protocol.md): for envs whose observations are a sliding window (the
        trading envs), step replies then carry only each sub-env's newest row, and this session rebuilds the rest.
        None (the default): over tcp and unix://, where the bytes cost more than the server's byte-for-byte check and
        the rebuild (Trading-v0 x 64: 9 KB a step instead of 255 KB); not over ipc, where they cost about the same
        (docs/server.md, "Performance")."""
        self._owns_client = isinstance(client, str)
        self.client = Client(client) if isinstance(client, str) else client
        # The trading envs use the train split unless range= says otherwise, as `tg4 train` does.
        kw = with_default_range(env_id, dict(kwargs or {}))
        try:
            made = self.client.request("make", env_id=env_id, kwargs=to_wire_kwargs(kw) if camel_case_kwargs else kw,
                                       num_envs=num_envs, seed=seed, autoreset=autoreset, batch_size=batch_size,
                                       engine=engine, obs_window=self.client.address.startswith(("tcp://", "unix://"))
                                       if obs_window is None else bool(obs_window))
        except BaseException:
            if self._owns_client:
                self.client.close()
            raise
        self.made = made
        self.id: str = made["session"]
        self.env_id: str = made["env_id"]
        self.num_envs: int = made["num_envs"]
        self.autoreset: str = made["autoreset"]
        self.observation_space: dict = made["observation_space"]
        self.action_space: dict = made["action_space"]
        self.spec: dict = made["spec"]
        self.metadata: dict = made["metadata"]
        self.render_mode: Optional[str] = made["render_mode"]
        self.callable: dict = made["callable"]
        self.engine: str = made["engine"]
        w = made.get("obs_window")
        self._window: Optional[WindowObservations] = None if not w else WindowObservations(
            self.num_envs, int(np.prod(self.observation_space["shape"])), int(w["rows"]), int(w["cols"]),
            int(w.get("stride", 1)))
        self._inflight: deque = deque()
        # Whether every step reply of this session has been received: the next step may then let the server write its
        # reply over the previous one's memory (reuse_reply, docs/protocol.md), instead of a fresh buffer per reply.
        self._replies_received = False
        self.closed = False

    def reset(self, seed: Union[None, int, Sequence[Optional[int]]] = None, options: Optional[dict] = None,
              env_ids: Optional[Sequence[int]] = None) -> tuple:
        """(observations, infos) of the reset sub-envs (all, or env_ids in that order)."""
        r = self.client.request("reset", session=self.id, seed=None if seed is None else (seed if isinstance(seed, int) else list(seed)),
                                options=options, env_ids=None if env_ids is None else [int(i) for i in env_ids])
        obs = decode_obs(r["obs"])
        if self._window is not None and "obs_seq" in r:
            self._window.hold(obs, r["obs_seq"])
        return obs, decode_infos(r["infos"])

    def _step_fields(self, actions: Any, env_ids: Optional[Sequence[int]], raw: bool) -> dict:
        rows = self.num_envs if env_ids is None else len(env_ids)
        return dict(session=self.id, actions=actions if raw else encode_actions(self.action_space, actions, rows),
                    env_ids=None if env_ids is None else [int(i) for i in env_ids])

    def _decode_step(self, r: dict) -> StepResult:
        if "obs_delta" in r:
            if self._window is None:
                raise WindowDeltaError("the server sent a window delta to a session that did not ask for one")
            obs = self._window.apply(r["obs_delta"])
        else:
            obs = decode_obs(r["obs"])
        return StepResult(obs, decode_array(r["rewards"]), decode_array(r["terminated"]),
                          decode_array(r["truncated"]), decode_infos(r["infos"]), r.get("env_ids"))

    def step(self, actions: Any, env_ids: Optional[Sequence[int]] = None, *, raw: bool = False) -> StepResult:
        """Steps all sub-envs (or env_ids) with one row of `actions` each. raw=True sends `actions` as given (a wire array)."""
        fields = self._step_fields(actions, env_ids, raw)
        if self._replies_received and not self._inflight:
            fields["reuse_reply"] = True
        self._replies_received = False
        r = self.client.request("step", **fields)
        self._replies_received = True
        return self._decode_step(r)

    def send(self, actions: Any, env_ids: Optional[Sequence[int]] = None) -> None:
        """EnvPool's send: queues a step without waiting for it (pipelined on the connection); pair with recv()."""
        self._replies_received = False
        self._inflight.append(self.client.send_request("step", **self._step_fields(actions, env_ids, False)))

    def recv(self) -> StepResult:
        """EnvPool's recv: the result of the oldest send() not yet received."""
        if not self._inflight:
            raise RuntimeError("recv() without a pending send(): call send(actions, env_ids) first")
        r = self.client.wait(self._inflight.popleft())
        self._replies_received = not self._inflight
        return self._decode_step(r)

    def render(self, env_ids: Optional[Sequence[int]] = None) -> list:
        return decode_value(self.client.request("render", session=self.id, env_ids=None if env_ids is None else list(env_ids))["frames"])

    def call(self, name: str, *args: Any, env_ids: Optional[Sequence[int]] = None, **kwargs: Any) -> list:
        """A whitelisted attribute or method of each sub-env (SB3's get_attr/env_method); one value per sub-env."""
        r = self.client.request("call", session=self.id, name=name, args=list(args), kwargs=kwargs,
                                env_ids=None if env_ids is None else [int(i) for i in env_ids])
        return decode_value(r["values"])

    def spaces(self) -> dict:
        return self.client.request("spaces", session=self.id)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            if not self.client.closed:
                # Best effort: a server that is gone (or slow) has nothing to free, and it expires idle sessions anyway;
                # closing must not hang a shutdown for the step timeout per env.
                try:
                    self.client.wait(self.client.send_request("close", session=self.id), timeout_ms=min(2_000, self.client.timeout_ms))
                except ConnectionTimeout:
                    pass
        finally:
            if self._owns_client:
                self.client.close()
