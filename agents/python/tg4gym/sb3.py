"""tg4gym.sb3.RemoteVecEnv: N remote sub-envs as a Stable-Baselines3 VecEnv, trained through unchanged.

Same-step autoreset (what SB3 expects): a finished sub-env's last observation is in
infos[i]["terminal_observation"], infos[i]["TimeLimit.truncated"] tells truncation from termination, and the
returned observation is already the next episode's first. get_attr/env_method reach the server's whitelisted
attributes and methods; action_masks() serves sb3-contrib's MaskablePPO."""
from __future__ import annotations

from typing import Any, Callable, Iterable, List, Optional, Sequence, Union

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvWrapper

from .client import Client, RemoteAttributeError, Session
from .spaces import to_gymnasium


class RemoteVecEnv(VecEnv):
    def __init__(self, address: Union[str, Client], env_id: str, num_envs: int, seed: Optional[int] = None,
                 engine: str = "auto", obs_window: Optional[bool] = None, **kwargs: Any):
        # engine="sub-env" keeps each sub-env's full info dicts where an env's batched vector env drops them.
        # obs_window: window deltas (docs/protocol.md; None: over tcp and unix:// only): a trading step then sends its newest row.
        self._session = Session(address, env_id, num_envs, seed=None, autoreset="same-step",
                                kwargs=kwargs, engine=engine, obs_window=obs_window)
        s = self._session
        self._actions: Any = None
        # VecEnv.__init__ asks get_attr("render_mode"), which the session answers.
        super().__init__(s.num_envs, to_gymnasium(s.observation_space), to_gymnasium(s.action_space))
        self.metadata = {"render_modes": list(s.metadata.get("render_modes") or []), "render_fps": s.metadata.get("render_fps")}
        self.tg4_spec = s.spec
        if seed is not None:
            self.seed(seed)

    @property
    def session(self) -> Session:
        return self._session

    # -- stepping -----------------------------------------------------------------------------------------------
    def reset(self):
        seeds = None if all(x is None for x in self._seeds) else list(self._seeds)
        options = self._options
        if all(o == options[0] for o in options):
            obs, infos = self._session.reset(seed=seeds, options=options[0] or None)
        else:
            # Different options per sub-env: one reset per sub-env (needs a session that steps subsets).
            parts = [self._session.reset(seed=None if seeds is None else [seeds[i]], options=options[i] or None, env_ids=[i])
                     for i in range(self.num_envs)]
            obs = _concat([p[0] for p in parts])
            infos = [p[1][0] for p in parts]
        self.reset_infos = list(infos)
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self):
        r = self._session.step(self._actions)
        infos: List[dict] = r.infos  # freshly decoded dicts, ours to change
        for info in infos:
            info["TimeLimit.truncated"] = False
        dones = np.logical_or(r.terminated, r.truncated)
        # Only the finished sub-envs (a few per step, often none) need more than the key above.
        for i in np.flatnonzero(dones).tolist():
            info = infos[i]
            del info["TimeLimit.truncated"]
            final_obs = info.pop("final_observation", None)
            final_info = info.pop("final_info", None) or {}
            self.reset_infos[i] = info  # what reset returned for the new episode
            info = infos[i] = dict(final_info)
            info["terminal_observation"] = final_obs
            info["TimeLimit.truncated"] = bool(r.truncated[i]) and not bool(r.terminated[i])
        return r.obs, r.rewards.astype(np.float32), dones, infos

    def close(self) -> None:
        self._session.close()

    # -- attributes and methods ---------------------------------------------------------------------------------
    def _ids(self, indices: Any) -> List[int]:
        return [int(i) for i in self._get_indices(indices)]

    def get_attr(self, attr_name: str, indices: Any = None) -> List[Any]:
        ids = self._ids(indices)
        if attr_name in self._session.callable.get("methods", []):
            # A method asked for as an attribute (sb3-contrib's has_attr("action_masks")): bound remote callables.
            return [_RemoteMethod(self._session, attr_name, i) for i in ids]
        return self._session.call(attr_name, env_ids=ids)

    def has_attr(self, attr_name: str) -> bool:
        """SB3 >= 2.5's VecEnv.has_attr, here for 2.4 too: whether the sub-envs offer the attribute or method."""
        try:
            self.get_attr(attr_name, indices=[0])
            return True
        except AttributeError:
            return False

    def set_attr(self, attr_name: str, value: Any, indices: Any = None) -> None:
        raise RemoteAttributeError("INVALID_ARGUMENT", f"cannot set {attr_name!r} on remote envs: the server exposes no setters; "
                                   "pass it as a make kwarg instead", {"attribute": attr_name})

    def env_method(self, method_name: str, *method_args: Any, indices: Any = None, **method_kwargs: Any) -> List[Any]:
        return self._session.call(method_name, *method_args, env_ids=self._ids(indices), **method_kwargs)

    def env_is_wrapped(self, wrapper_class: type, indices: Any = None) -> List[bool]:
        # The envs live in the server; no Python wrapper class can wrap them.
        return [False for _ in self._ids(indices)]

    def action_masks(self) -> np.ndarray:
        """Valid-action masks of all sub-envs, shape (num_envs, n) (MaskablePPO calls env_method("action_masks"))."""
        return np.stack([np.asarray(m, dtype=bool) for m in self.env_method("action_masks")])

    def get_images(self) -> Sequence[Optional[np.ndarray]]:
        if self.render_mode != "rgb_array":
            return [None for _ in range(self.num_envs)]
        return self._session.render()


class _RemoteMethod:
    def __init__(self, session: Session, name: str, index: int):
        self._session, self._name, self._index = session, name, index

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.call(self._name, *args, env_ids=[self._index], **kwargs)[0]


def _concat(parts: Iterable[Any]) -> Any:
    parts = list(parts)
    first = parts[0]
    if isinstance(first, dict):
        return {k: _concat([p[k] for p in parts]) for k in first}
    if isinstance(first, tuple):
        return tuple(_concat([p[j] for p in parts]) for j in range(len(first)))
    return np.concatenate(parts, axis=0)


class VecRewardFunction(VecEnvWrapper):
    """SB3 twin of tg4gym.wrappers.RewardFunction: each sub-env's reward becomes fn(obs, action, reward, terminated,
    truncated, info), computed client-side. For a finished sub-env, obs is its terminal observation and info its final
    step's. The trading envs give full infos (equity, drawdown, ...) with engine="sub-env"."""

    def __init__(self, venv: VecEnv, fn: Callable[..., float]):
        super().__init__(venv)
        if not callable(fn):
            raise TypeError(f"fn must be callable as fn(obs, action, reward, terminated, truncated, info), got {fn!r}")
        self.fn = fn
        self._actions: Any = None

    def reset(self):
        return self.venv.reset()

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions
        self.venv.step_async(actions)

    def step_wait(self):
        from .wrappers import checked_reward
        obs, rewards, dones, infos = self.venv.step_wait()
        out = np.empty(len(rewards), dtype=np.float32)
        for i, info in enumerate(infos):
            truncated = bool(info.get("TimeLimit.truncated", False))
            o = info["terminal_observation"] if dones[i] and "terminal_observation" in info else _row(obs, i)
            out[i] = checked_reward(self.fn, o, self._actions[i], float(rewards[i]), bool(dones[i]) and not truncated,
                                    truncated, info)
        return obs, out, dones, infos


def _row(x: Any, i: int) -> Any:
    if isinstance(x, dict):
        return {k: v[i] for k, v in x.items()}
    if isinstance(x, tuple):
        return tuple(v[i] for v in x)
    return x[i]
