"""Gymnasium registration of the server's envs: after `import tg4gym`,

    gymnasium.make("tg4/Trading-v0", address="tcp://127.0.0.1:5555", engine=..., **env_kwargs)
    gymnasium.make_vec("tg4/Trading-v0", num_envs=8, address="tcp://127.0.0.1:5555", **env_kwargs)

(or, without importing it first, the id "tg4gym:tg4/Trading-v0"). Each id's entry point is a remote env on the
`tg4 serve` at `address`; its vector entry point is one remote session of num_envs sub-envs. Gymnasium sets env.spec.
Episode limits are the server's (its envs truncate by themselves), so the specs carry no max_episode_steps."""
from __future__ import annotations

from typing import Any, Optional

# Gymnasium id -> the server's env id. CartPole gets the tg4/ namespace so as not to shadow Gymnasium's own.
ENV_IDS = {
    "tg4/Trading-v0": "tg4/Trading-v0",
    "tg4/Portfolio-v0": "tg4/Portfolio-v0",
    "tg4/CartPole-v1": "CartPole-v1",
}


def make_env(address: Any = None, env_id: str = "", **kwargs: Any):
    """The entry point: one remote env (tg4gym.make)."""
    from .env import RemoteEnv
    return RemoteEnv(_address(address, env_id), env_id, **kwargs)


def make_vector_env(num_envs: int = 1, address: Any = None, env_id: str = "", seed: Optional[int] = None,
                    max_episode_steps: Optional[int] = None, **kwargs: Any):
    """The vector entry point: one remote session of num_envs sub-envs (tg4gym.make_vec)."""
    from .vector import RemoteVectorEnv
    del max_episode_steps  # the server's envs truncate by themselves
    return RemoteVectorEnv(_address(address, env_id), env_id, num_envs, seed=seed, **kwargs)


def _address(address: Any, env_id: str) -> Any:
    if address is None:
        raise TypeError(f"{env_id}: pass address='tcp://HOST:PORT' (or ipc://PATH, unix://PATH), where `tg4 serve` listens")
    return address


def register_envs() -> None:
    """Registers ENV_IDS with Gymnasium (idempotent)."""
    import gymnasium
    for gym_id, server_id in ENV_IDS.items():
        if gym_id in gymnasium.registry:
            continue
        gymnasium.register(id=gym_id, entry_point="tg4gym.registration:make_env",
                           vector_entry_point="tg4gym.registration:make_vector_env",
                           kwargs={"env_id": server_id}, disable_env_checker=True)
