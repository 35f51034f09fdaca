"""SB3 + PyTorch (one thread) twin of `tg4 train` for scripts/bench/train-vs-sb3.ts: rl-baselines3-zoo's CartPole-v1
presets (hyperparams/ppo.yml and dqn.yml, the same ones agents/ppo/spec.ts and agents/dqn/spec.ts copy), trained for
the preset's steps without periodic evaluations, then one deterministic 20-episode evaluation. Prints one JSON line:
{"algo", "steps", "eval_mean", "eval_std", "train_s"}. Usage: python train_sb3.py ppo|dqn [seed]"""
from __future__ import annotations

import json
import sys
import time

import torch

torch.set_num_threads(1)

import gymnasium as gym  # noqa: E402
from stable_baselines3 import DQN, PPO  # noqa: E402
from stable_baselines3.common.env_util import make_vec_env  # noqa: E402
from stable_baselines3.common.evaluation import evaluate_policy  # noqa: E402


def linear(start: float):
    return lambda progress_remaining: progress_remaining * start


def main() -> None:
    algo = sys.argv[1]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if algo == "ppo":
        steps = 100_000
        env = make_vec_env("CartPole-v1", n_envs=8, seed=seed)
        model = PPO("MlpPolicy", env, n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20,
                    ent_coef=0.0, learning_rate=linear(0.001), clip_range=linear(0.2), seed=seed, device="cpu")
    elif algo == "dqn":
        steps = 50_000
        env = gym.make("CartPole-v1")
        model = DQN("MlpPolicy", env, learning_rate=2.3e-3, batch_size=64, buffer_size=100_000, learning_starts=1000,
                    gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128,
                    exploration_fraction=0.16, exploration_final_eps=0.04, policy_kwargs=dict(net_arch=[256, 256]),
                    seed=seed, device="cpu")
    else:
        raise SystemExit(f"algo must be ppo or dqn, got {algo!r}")
    t0 = time.perf_counter()
    model.learn(total_timesteps=steps)
    train_s = time.perf_counter() - t0
    mean, std = evaluate_policy(model, gym.make("CartPole-v1"), n_eval_episodes=20, deterministic=True)
    print(json.dumps({"algo": algo, "steps": steps, "eval_mean": float(mean), "eval_std": float(std),
                      "train_s": train_s}))


if __name__ == "__main__":
    main()
