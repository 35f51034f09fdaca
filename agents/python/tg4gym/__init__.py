"""tg4gym: train against `tg4 serve` (TG4 Gym's ZeroMQ environment server) from Python.

    tg4gym.make(address, env_id, **kwargs)                      -> gymnasium.Env
    tg4gym.make_vec(address, env_id, num_envs, seed=None, ...)  -> gymnasium.vector.VectorEnv (next-step autoreset)
    tg4gym.sb3.RemoteVecEnv(address, env_id, num_envs, ...)     -> stable_baselines3 VecEnv (same-step autoreset)
    tg4gym.rllib.env_creator / RemoteEnvCreator                 -> Ray RLlib envs spread over several servers
    gymnasium.make("tg4/Trading-v0", address=...)               -> registered on import when Gymnasium is installed

The protocol layer (Client, Session) needs only pyzmq, msgpack and numpy; Gymnasium, Stable-Baselines3, Ray and pandas
are imported only by the adapters that need them.
"""
from __future__ import annotations

from typing import Any, Optional

from .client import (Client, ConnectionLost, ConnectionTimeout, InvalidAddress, RemoteAttributeError, RemoteError, ServerUnreachable,
                     Session, StepResult, VersionMismatch)
from .obs_window import WindowDeltaError
from .version import __version__
from .wire import PROTOCOL_VERSION

__all__ = ["Client", "Session", "StepResult", "RemoteError", "RemoteAttributeError", "ConnectionTimeout", "ConnectionLost",
           "ServerUnreachable", "InvalidAddress", "VersionMismatch", "WindowDeltaError", "PROTOCOL_VERSION", "__version__", "make",
           "make_vec"]


def make(address: Any, env_id: str, **kwargs: Any):
    """A gymnasium.Env backed by one remote env. `address` is a tcp://, ipc:// or unix:// address or a Client."""
    from .env import RemoteEnv
    return RemoteEnv(address, env_id, **kwargs)


def make_vec(address: Any, env_id: str, num_envs: int, seed: Optional[int] = None, **kwargs: Any):
    """A gymnasium.vector.VectorEnv of num_envs remote sub-envs (next-step autoreset, Gymnasium 1.x's default;
    autoreset_mode="same-step", engine="sub-env" and obs_window are accepted as keywords, the rest go to the env)."""
    from .vector import RemoteVectorEnv
    return RemoteVectorEnv(address, env_id, num_envs, seed=seed, **kwargs)


def __getattr__(name: str) -> Any:
    # tg4gym.sb3 imports stable_baselines3, tg4gym.rllib imports ray: load them only when asked for.
    if name in ("sb3", "rllib", "wrappers"):
        import importlib
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'tg4gym' has no attribute {name!r}")


try:  # gymnasium.make("tg4/Trading-v0", address=...) works once tg4gym is imported
    import gymnasium as _gymnasium  # noqa: F401
except ImportError:
    pass
else:
    from .registration import register_envs as _register_envs
    _register_envs()
