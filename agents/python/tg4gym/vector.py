"""tg4gym.make_vec: N remote sub-envs as a gymnasium.vector.VectorEnv (Gymnasium 1.x: next-step autoreset by
default; same-step on request, with final_obs/final_info as Gymnasium's SyncVectorEnv gives them)."""
from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import gymnasium as gym
import numpy as np
from gymnasium.vector.utils import batch_space

from .client import Client, Session
from .env import gym_info
from .spaces import to_gymnasium


def _autoreset_enum(mode: str):
    try:
        from gymnasium.vector import AutoresetMode
    except ImportError:  # Gymnasium 1.0 has no AutoresetMode: the string says the same
        return mode
    return AutoresetMode({"next-step": "NextStep", "same-step": "SameStep", "disabled": "Disabled"}[mode])


class RemoteVectorEnv(gym.vector.VectorEnv):
    def __init__(self, address: Union[str, Client], env_id: str, num_envs: int, seed: Optional[int] = None,
                 autoreset_mode: str = "next-step", engine: str = "auto", obs_window: Optional[bool] = None, **kwargs: Any):
        self._session = Session(address, env_id, num_envs, seed=seed, autoreset=autoreset_mode, kwargs=kwargs,
                                engine=engine, obs_window=obs_window)
        s = self._session
        self.num_envs = s.num_envs
        self.single_observation_space = to_gymnasium(s.observation_space)
        self.single_action_space = to_gymnasium(s.action_space)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.render_mode = s.render_mode
        self.metadata = {"render_modes": list(s.metadata.get("render_modes") or []), "render_fps": s.metadata.get("render_fps"),
                         "autoreset_mode": _autoreset_enum(s.autoreset)}
        self.tg4_spec = s.spec

    @property
    def session(self) -> Session:
        return self._session

    def _vector_infos(self, infos: list) -> dict:
        out: dict = {}
        for i, info in enumerate(infos):
            if not info:
                continue
            info = gym_info(info)
            if "final_observation" in info:
                info["final_obs"] = info.pop("final_observation")
            out = self._add_info(out, info, i)
        return out

    def reset(self, *, seed: Union[None, int, Sequence[Optional[int]]] = None, options: Optional[dict] = None):
        if isinstance(seed, int):
            self._np_random, self._np_random_seed = gym.utils.seeding.np_random(seed)
        # Sub-env i gets seed + i on the server, as in Gymnasium's SyncVectorEnv.
        obs, infos = self._session.reset(seed=seed, options=options)
        return obs, self._vector_infos(infos)

    def step(self, actions: Any):
        r = self._session.step(actions)
        return r.obs, r.rewards, r.terminated.astype(bool), r.truncated.astype(bool), self._vector_infos(r.infos)

    def render(self):
        return tuple(self._session.render())

    def call(self, name: str, *args: Any, **kwargs: Any) -> tuple:
        return tuple(self._session.call(name, *args, **kwargs))

    def get_attr(self, name: str) -> tuple:
        return tuple(self._session.call(name))

    def close_extras(self, **kwargs: Any) -> None:  # VectorEnv.close() calls this once
        self._session.close()
