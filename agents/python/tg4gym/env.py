"""tg4gym.make: one remote env as a gymnasium.Env (no autoreset: step after the end raises RESET_NEEDED)."""
from __future__ import annotations

from typing import Any, Optional, Union

import gymnasium as gym
import numpy as np

from .client import Client, Session
from .spaces import to_gymnasium


def _row(x: Any, i: int = 0) -> Any:
    if isinstance(x, dict):
        return {k: _row(v, i) for k, v in x.items()}
    if isinstance(x, tuple):
        return tuple(_row(v, i) for v in x)
    return x[i]


def gym_info(info: dict) -> dict:
    """An info as Gymnasium's vector envs can stack it: each key becomes an array typed by its first value, so a None
    after a number (the trading envs' entry_price while flat) breaks SyncVectorEnv (RLlib's sampler among them), and an
    integral number first (msgpack sends JavaScript's 10000 as an int) would truncate later fractions silently. So None
    values are left out (an absent key is Gymnasium's "no value here", its `_key` mask) and numbers are floats."""
    out = {}
    for k, v in info.items():
        if v is None:
            continue
        if isinstance(v, dict):
            v = gym_info(v)
        elif isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        out[k] = v
    return out


class RemoteEnv(gym.Env):
    """A gymnasium.Env whose reset/step run on a TG4 server. kwargs go to the env's constructor (snake_case is
    converted to the env's camelCase option names at every level, e.g. executor={"fee_rate": ...}); the trading envs
    use the train split unless range= says otherwise (as `tg4 train` does)."""

    def __init__(self, address: Union[str, Client], env_id: str, **kwargs: Any):
        self._session = Session(address, env_id, 1, autoreset="disabled", kwargs=kwargs)
        s = self._session
        self.observation_space = to_gymnasium(s.observation_space)
        self.action_space = to_gymnasium(s.action_space)
        self.render_mode = s.render_mode
        self.metadata = {"render_modes": list(s.metadata.get("render_modes") or []), "render_fps": s.metadata.get("render_fps")}
        self.tg4_spec = s.spec
        self._discrete = s.action_space["type"] == "Discrete"

    @property
    def session(self) -> Session:
        return self._session

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        super().reset(seed=seed)
        obs, infos = self._session.reset(seed=seed, options=options)
        return _row(obs), gym_info(infos[0])

    def step(self, action: Any):
        a = np.asarray(action)
        r = self._session.step(a.reshape((1,) + a.shape))
        return _row(r.obs), float(r.rewards[0]), bool(r.terminated[0]), bool(r.truncated[0]), gym_info(r.infos[0])

    def render(self):
        return self._session.render()[0]

    def action_masks(self) -> np.ndarray:
        """The env's valid-action mask (sb3-contrib's MaskablePPO); AttributeError when the env has none."""
        if "action_masks" not in self._session.callable.get("methods", []):
            raise AttributeError(f"{self._session.env_id} has no action_masks")
        return np.asarray(self._session.call("action_masks")[0], dtype=bool)

    def close(self):
        self._session.close()
        super().close()
