"""Trains SB3 policies through the Python client (RemoteVecEnv over a real `tg4 serve`), exports them with
tg4gym.export, and writes observations with SB3's own deterministic actions for test/registry/sb3-export.test.ts.
    python test/registry/sb3_export.py OUT_DIR      (PYTHONPATH=agents/python; TG4_NODE = the node binary)"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
from serve import TG4Serve  # noqa: E402
from stable_baselines3 import A2C, PPO  # noqa: E402
from stable_baselines3.common.vec_env import VecMonitor, VecNormalize  # noqa: E402

from tg4gym.export import export_sb3  # noqa: E402
from tg4gym.sb3 import RemoteVecEnv  # noqa: E402

torch.set_num_threads(1)
out = sys.argv[1]
server = TG4Serve("tcp")
try:
    cases = []
    # PPO, Tanh, [64, 64], observations normalised by VecNormalize.
    venv = VecNormalize(VecMonitor(RemoteVecEnv(server.address, "CartPole-v1", 4, seed=0)), gamma=0.99)
    ppo = PPO("MlpPolicy", venv, n_steps=64, batch_size=64, n_epochs=2, seed=0, device="cpu")
    ppo.learn(512)
    cases.append(("ppo", ppo, venv))
    # A2C, ReLU, [32], raw observations; one update (32 steps): longer runs of this seed collapse to one action, and a
    # constant policy would make the comparison below trivial.
    venv2 = VecMonitor(RemoteVecEnv(server.address, "CartPole-v1", 4, seed=3))
    a2c = A2C("MlpPolicy", venv2, n_steps=8, seed=3, device="cpu",
              policy_kwargs={"net_arch": [32], "activation_fn": torch.nn.ReLU})
    a2c.learn(32)
    cases.append(("a2c", a2c, None))

    rng = np.random.default_rng(0)
    # States well beyond those CartPole visits too, so that both actions occur for both policies.
    raw = rng.uniform(-10, 10, size=(500, 4)).astype(np.float32)
    report = {}
    for name, model, vn in cases:
        folder = os.path.join(out, name)
        export_sb3(model, folder, env_id="CartPole-v1", vec_normalize=vn, seed=0)
        obs = vn.normalize_obs(raw) if vn is not None else raw
        actions, _ = model.predict(obs, deterministic=True)
        report[name] = {"dir": folder, "actions": [int(a) for a in actions]}
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"observations": raw.tolist(), "cases": report}, f)
finally:
    server.stop()
