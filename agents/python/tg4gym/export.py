"""Export a Stable-Baselines3 MLP policy into the tg4-model/1 folder layout (manifest.json + weights.bin), so that the
typed-array forward pass (agents/infer/policy.ts) runs it in `tg4 backtest`, the promotion gate and the live loop.

Supported: PPO and A2C with ``MlpPolicy`` (an ActorCriticPolicy with a flattening features extractor, separate or
shared MLP layers, Tanh or ReLU) over a 1-D Box observation space and a Discrete action space; the deterministic
action is the argmax of the action logits, exactly as SB3's ``predict(obs, deterministic=True)``. A ``VecNormalize``'s
observation statistics (mean, var, epsilon, clip) go into the manifest's ``normalization``, which the forward pass
applies as VecNormalize does. Anything else (CNN extractors, Box actions, LSTM, other activations) is refused with a
``ValueError`` naming it rather than exported wrong.

The manifest has no ``integrity`` field: that hash is over Node's canonical JSON, whose number formatting Python does
not reproduce byte for byte. Register the folder (`tg4 models register DIR --name NAME --source sb3-export`): the
registry's seal then covers the manifest and every file. The weights carry their SHA-256, whole and per tensor.

    from tg4gym.export import export_sb3
    export_sb3(model, "exported/ppo-cartpole", env_id="CartPole-v1", vec_normalize=venv_or_None)
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import tempfile
from typing import Any, Optional

import numpy as np

MODEL_FORMAT = "tg4-model/1"


def _space_json(space: Any) -> dict:
    from gymnasium import spaces

    if isinstance(space, spaces.Box):
        def bound(a: np.ndarray) -> list:
            return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=np.float64).ravel()]
        return {"type": "Box", "low": bound(space.low), "high": bound(space.high), "shape": list(space.shape),
                "dtype": str(space.dtype)}
    if isinstance(space, spaces.Discrete):
        return {"type": "Discrete", "n": int(space.n), "start": int(space.start)}
    raise ValueError(f"cannot export a policy over a {type(space).__name__} space: Box observations and Discrete "
                     "actions only")


def _activation(policy: Any) -> str:
    import torch.nn as nn

    fn = policy.activation_fn
    if fn is nn.Tanh:
        return "tanh"
    if fn is nn.ReLU:
        return "relu"
    raise ValueError(f"activation {getattr(fn, '__name__', fn)} has no counterpart in the forward pass (tanh, relu)")


def _linears(seq: Any, what: str) -> list:
    import torch.nn as nn

    layers = [m for m in seq if isinstance(m, nn.Linear)]
    others = [m for m in seq if not isinstance(m, (nn.Linear, nn.Tanh, nn.ReLU))]
    if others:
        raise ValueError(f"{what} holds {type(others[0]).__name__}: only Linear layers and the activation export")
    return layers


def _write_atomic(path: str, data: bytes) -> None:
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def export_sb3(model: Any, out_dir: str, *, env_id: str, env_kwargs: Optional[dict] = None,
               vec_normalize: Any = None, feature_spec_hash: Optional[str] = None, seed: int = 0) -> dict:
    """Writes ``out_dir``/weights.bin then ``out_dir``/manifest.json (the manifest last: a crash leaves no model that
    loads). Returns the manifest."""
    from stable_baselines3.common.policies import ActorCriticPolicy
    from stable_baselines3.common.torch_layers import FlattenExtractor

    policy = model.policy
    if not isinstance(policy, ActorCriticPolicy) or type(policy).__name__ not in ("ActorCriticPolicy", "MlpPolicy"):
        raise ValueError(f"{type(policy).__name__} is not an SB3 MlpPolicy (ActorCriticPolicy): not exportable")
    if not isinstance(policy.features_extractor, FlattenExtractor):
        raise ValueError(f"features extractor {type(policy.features_extractor).__name__}: only the MLP's Flatten")
    obs_space, act_space = policy.observation_space, policy.action_space
    if len(obs_space.shape) != 1:
        raise ValueError(f"observation shape {obs_space.shape}: only 1-D Box observations export")
    act_json = _space_json(act_space)
    if act_json["type"] != "Discrete":
        raise ValueError("only Discrete actions export (the argmax of the logits)")
    activation = _activation(policy)
    ext = policy.mlp_extractor
    # SB3 ≥ 1.8 keeps shared layers out of MlpExtractor (net_arch is per head); both heads start at the features.
    pi_layers = _linears(ext.policy_net, "the policy net")
    vf_layers = _linears(ext.value_net, "the value net")
    obs_size = int(obs_space.shape[0])

    weights: list = []

    def add(name: str, t: Any) -> None:
        a = t.detach().cpu().numpy().astype(np.float32)
        weights.append((name, a))

    for i, lin in enumerate(pi_layers):
        add(f"pi/h{i}/kernel", lin.weight.T)  # torch [out, in] → tfjs [in, out]
        add(f"pi/h{i}/bias", lin.bias)
    add("pi/out/kernel", policy.action_net.weight.T)
    add("pi/out/bias", policy.action_net.bias)
    for i, lin in enumerate(vf_layers):
        add(f"vf/h{i}/kernel", lin.weight.T)
        add(f"vf/h{i}/bias", lin.bias)
    add("vf/out/kernel", policy.value_net.weight.T)
    add("vf/out/bias", policy.value_net.bias)

    for name, a in weights:
        if not np.all(np.isfinite(a)):
            raise ValueError(f"tensor {name} holds NaN or Inf: the policy acts at random; retrain it")
    blob = bytearray()
    specs = []
    for name, a in weights:
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        specs.append({"name": name, "shape": [int(d) for d in a.shape], "dtype": "float32",
                      "sha256": hashlib.sha256(b).hexdigest()})
        blob += b

    normalization = None
    if vec_normalize is not None and getattr(vec_normalize, "norm_obs", False):
        rms = vec_normalize.obs_rms
        mean = np.asarray(rms.mean, dtype=np.float64).ravel()
        var = np.asarray(rms.var, dtype=np.float64).ravel()
        if mean.shape[0] != obs_size:
            raise ValueError(f"VecNormalize holds statistics of {mean.shape[0]} values, the policy reads {obs_size}")
        normalization = {
            "obs": {"mean": mean.tolist(), "var": var.tolist(), "count": float(rms.count)},
            "ret": None,
            "clipObs": float(vec_normalize.clip_obs),
            "clipReward": float(vec_normalize.clip_reward),
            "gamma": float(vec_normalize.gamma),
            "epsilon": float(vec_normalize.epsilon),
        }

    algo_name = type(model).__name__
    manifest = {
        "format": MODEL_FORMAT,
        # The network family the forward pass rebuilds: an actor-critic (the algorithm that trained it is below).
        "algo": "ppo",
        "envId": env_id,
        "envKwargs": env_kwargs or {},
        "observationSpace": _space_json(obs_space),
        "actionSpace": act_json,
        "obsSize": obs_size,
        "featureSpecHash": feature_spec_hash,
        "normalization": normalization,
        "network": {"kind": "actor-critic", "shared": [], "pi": [int(l.out_features) for l in pi_layers],
                    "vf": [int(l.out_features) for l in vf_layers], "activation": activation},
        "hyperparameters": {"source": "stable-baselines3", "algorithm": algo_name,
                            "learningRate": float(model.learning_rate) if not callable(model.learning_rate) else None,
                            "gamma": float(model.gamma), "nSteps": int(getattr(model, "n_steps", 0) or 0),
                            "totalSteps": int(model.num_timesteps)},
        "metrics": {"steps": int(model.num_timesteps)},
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat().replace("+00:00", "Z"),
        "seed": int(seed),
        "backend": "torch",
        "weights": {"file": "weights.bin", "sha256": hashlib.sha256(bytes(blob)).hexdigest(), "bytes": len(blob),
                    "specs": specs},
    }
    os.makedirs(out_dir, exist_ok=True)
    _write_atomic(os.path.join(out_dir, "weights.bin"), bytes(blob))
    _write_atomic(os.path.join(out_dir, "manifest.json"), (json.dumps(manifest, indent=2) + "\n").encode())
    return manifest


__all__ = ["export_sb3", "MODEL_FORMAT"]

