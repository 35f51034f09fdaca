"""Ray RLlib over several `tg4 serve` processes: the learner runs on Ray, the envs on env servers (one or more per
node), and each env runner's envs are placed on one of the servers by worker and vector index (docs/scale-out.md).

    from ray.tune.registry import register_env
    from tg4gym.rllib import RemoteEnvCreator
    register_env("tg4", RemoteEnvCreator(["tcp://10.0.0.5:5555", "tcp://10.0.0.6:5555"], "tg4/Trading-v0"))
    config = PPOConfig().environment("tg4", env_config={"episode_length": 500}).env_runners(num_env_runners=4)

Placement: env runner w (1..W; 0 is the driver's local runner) makes its envs one after another (RLlib's new API stack
builds them with one EnvContext, so the vector index is counted here); its v-th env goes to
addresses[(v * W + w - 1) % len(addresses)], which spreads runners over servers first and a runner's envs second.
env_config entries are env kwargs (snake_case is fine) and override the creator's.
"""
from __future__ import annotations

import itertools
from typing import Any, Dict, Iterator, Sequence

from .client import check_address


def place(addresses: Sequence[str], worker_index: int, num_workers: int, vector_index: int) -> str:
    """The server of env `vector_index` of env runner `worker_index` (0 = the driver's local runner)."""
    slot = max(int(worker_index) - 1, 0)
    return addresses[(int(vector_index) * max(int(num_workers), 1) + slot) % len(addresses)]


class RemoteEnvCreator:
    """A picklable RLlib env creator: creator(env_context) -> a tg4gym RemoteEnv on the server `place` picks."""

    def __init__(self, addresses: Sequence[str] | str, env_id: str, **kwargs: Any):
        addrs = [addresses] if isinstance(addresses, str) else list(addresses)
        if not addrs:
            raise ValueError("addresses is empty: give at least one `tg4 serve` address (tcp://HOST:PORT)")
        self.addresses = [check_address(a) for a in addrs]
        self.env_id = env_id
        self.kwargs = kwargs
        self._counters: Dict[int, Iterator[int]] = {}

    def __getstate__(self) -> dict:
        return {"addresses": self.addresses, "env_id": self.env_id, "kwargs": self.kwargs}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._counters = {}

    def __call__(self, env_context: Any = None):
        from .env import RemoteEnv
        worker = int(getattr(env_context, "worker_index", 0) or 0)
        num_workers = int(getattr(env_context, "num_workers", 0) or 0)
        vector = int(getattr(env_context, "vector_index", 0) or 0)
        if vector == 0:  # the new API stack gives every env of a runner vector_index 0: count them instead
            vector = next(self._counters.setdefault(worker, itertools.count()))
        address = place(self.addresses, worker, num_workers, vector)
        env = RemoteEnv(address, self.env_id, **{**self.kwargs, **dict(env_context or {})})
        env.tg4_address = address
        return env


def env_creator(addresses: Sequence[str] | str, env_id: str, **kwargs: Any) -> RemoteEnvCreator:
    """RemoteEnvCreator(addresses, env_id, **kwargs): pass it to ray.tune.registry.register_env."""
    return RemoteEnvCreator(addresses, env_id, **kwargs)


def register(name: str, addresses: Sequence[str] | str, env_id: str, **kwargs: Any) -> str:
    """Registers the creator with Ray Tune under `name` (for config.environment(name)); returns name."""
    from ray.tune.registry import register_env
    register_env(name, RemoteEnvCreator(addresses, env_id, **kwargs))
    return name
