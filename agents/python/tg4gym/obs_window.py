"""Window deltas, the client side (docs/protocol.md, "Window deltas"): rebuilds a step's observations from the batch
this client holds and the reply's `obs_delta` (for a shifted sub-env, its newest window rows and what follows the
window; for the others, whole rows). Trading-v0 x 64 then receives 9 KB per step instead of 255 KB."""
from __future__ import annotations

from typing import Any, Optional

import numpy as np


class WindowDeltaError(RuntimeError):
    """A delta that does not build on the observations this client holds: a reply was missed (a step that timed out)
    or another client stepped the same session. The observations cannot be rebuilt; reset the session."""


class WindowObservations:
    """The observations of the last reply (R x D float32), kept private: what step() returns is a copy the caller
    may change."""

    def __init__(self, num_envs: int, obs_dim: int, rows: int, cols: int, stride: int = 1):
        if stride < 1 or rows <= stride or cols < 1 or rows * cols > obs_dim:
            raise ValueError(f"the server's window of {rows} x {cols} (stride {stride}) does not fit observations of "
                             f"{obs_dim} floats")
        self.num_envs, self.obs_dim = num_envs, obs_dim
        # A step drops the window's oldest `stride` rows (the decision interval) and keeps the rest.
        self._drop, self._window = stride * cols, rows * cols
        self._kept = self._window - self._drop
        self._held: Optional[np.ndarray] = None
        self._seq: Optional[int] = None
        self._all_shifted = b"\x01" * num_envs

    def hold(self, obs: np.ndarray, seq: int) -> None:
        """A reset's whole batch (number `seq`): the base of the next delta."""
        self._held = np.array(obs, dtype=np.float32).reshape(self.num_envs, self.obs_dim)
        self._seq = int(seq)

    def apply(self, delta: dict) -> np.ndarray:
        """The step's observations, shape (R, D), from the held batch and `delta`; they become the held batch."""
        seq = delta["seq"]
        if self._held is None or seq != self._seq + 1:
            got = "no observations (no reset yet)" if self._held is None else f"observation batch #{self._seq}"
            raise WindowDeltaError(
                f"the server's window delta #{seq} builds on batch #{seq - 1}, but this client holds {got}: a reply "
                "was missed (a timed-out step) or another client stepped this session; reset() the session")
        n, d, k, c, wd = self.num_envs, self.obs_dim, self._kept, self._drop, self._window
        held = self._held
        new = np.empty_like(held)
        tail_w, full_w = delta["tail"], delta["full"]
        if full_w["shape"][0] == 0 and delta["shifted"]["data"] == self._all_shifted:
            # The usual step, every sub-env moved: checks on the raw bytes, no intermediate arrays.
            tail = tail_w["data"]
            if len(tail) != n * (d - k) * 4:
                raise WindowDeltaError(f"malformed window delta: {len(tail)} tail bytes for {n} sub-envs of {d - k} floats")
            # Every row moves c floats towards its start: one flat move of the batch (what crosses into the next
            # row lands in that row's tail part, which the tail then writes over), faster than a strided 2-D copy.
            new.reshape(-1)[:n * d - c] = held.reshape(-1)[c:]
            new[:, k:] = np.frombuffer(tail, dtype=np.float32).reshape(n, d - k)
        else:
            shifted = _array(delta["shifted"], np.bool_)
            tail = _array(tail_w, np.float32)
            full = _array(full_w, np.float32)
            if shifted.shape != (n,) or tail.shape != (int(shifted.sum()), d - k) or full.shape != (n - tail.shape[0], d):
                raise WindowDeltaError(f"malformed window delta: shifted {shifted.shape}, tail {tail.shape}, full "
                                       f"{full.shape} for {n} sub-envs of {d} floats")
            s = np.flatnonzero(shifted)
            new[s, :k] = held[s, c:wd]
            new[s, k:] = tail
            new[~shifted] = full
        self._held, self._seq = new, seq
        return new.copy()


def _array(w: Any, dtype: Any) -> np.ndarray:
    return np.frombuffer(w["data"], dtype=dtype).reshape(w["shape"])
