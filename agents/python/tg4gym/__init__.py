"""tg4gym: train against `tg4 serve` (TG4 Gym's ZeroMQ environment server) from Python.

    tg4gym.make(address, env_id, **kwargs)                      -> gymnasium.Env
    tg4gym.make_vec(address, env_id, num_envs, seed=None, ...)  -> gymnasium.vector.VectorEnv (next-step autoreset)
    tg4gym.sb3.RemoteVecEnv(address, env_id, num_envs, ...)     -> stable_baselines3 VecEnv (same-step autoreset)

The protocol layer (Client, Session) needs only pyzmq, msgpack and numpy; Gymnasium and Stable-Baselines3 are
imported only by the adapters that need them.
"""
from __future__ import annotations

from typing import Any, Optional

from .client import Client, ConnectionTimeout, RemoteAttributeError, RemoteError, Session, StepResult
from .wire import PROTOCOL_VERSION

__all__ = ["Client", "Session", "StepResult", "RemoteError", "RemoteAttributeError", "ConnectionTimeout",
           "PROTOCOL_VERSION", "make", "make_vec"]
__version__ = "0.1.0"


def make(address: Any, env_id: str, **kwargs: Any):
    """A gymnasium.Env backed by one remote env. `address` is a tcp:// or ipc:// address or a Client."""
    from .env import RemoteEnv
    return RemoteEnv(address, env_id, **kwargs)


def make_vec(address: Any, env_id: str, num_envs: int, seed: Optional[int] = None, **kwargs: Any):
    """A gymnasium.vector.VectorEnv of num_envs remote sub-envs (next-step autoreset, Gymnasium 1.x's default;
    autoreset_mode="same-step" and engine="sub-env" are accepted as keywords, the rest go to the env)."""
    from .vector import RemoteVectorEnv
    return RemoteVectorEnv(address, env_id, num_envs, seed=seed, **kwargs)


def __getattr__(name: str) -> Any:
    # tg4gym.sb3 imports stable_baselines3: load it only when asked for.
    if name == "sb3":
        import importlib
        return importlib.import_module(".sb3", __name__)
    raise AttributeError(f"module 'tg4gym' has no attribute {name!r}")
