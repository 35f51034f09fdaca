"""tg4gym against the real Gymnasium, Stable-Baselines3 and sb3-contrib (with torch), over a real `tg4 serve`: their
own env checkers on remote CartPole-v1, Trading-v0 and Portfolio-v0, PPO that must learn, MaskablePPO reading masks,
VecMonitor/VecNormalize over RemoteVecEnv, Gymnasium registration, errors and defaults, data sent as columns, and a
client-side reward function. Run in the test venv (scripts/setup/python-venv.sh) by test/python/real-libraries.test.ts:
    .venv-tg4/bin/python -m unittest -v test_real_libraries   (cwd test/python, PYTHONPATH=agents/python)"""
from __future__ import annotations

import os
import sys
import time
import unittest
import warnings

import gymnasium
import numpy as np

import tg4gym
from tg4gym import InvalidAddress, RemoteError, ServerUnreachable
from tg4gym.sb3 import RemoteVecEnv, VecRewardFunction
from tg4gym.wrappers import RewardFunction

sys.path.insert(0, os.path.dirname(__file__))
from serve import TG4Serve  # noqa: E402

SERVER: dict = {}
# Small trading episodes keep the checkers and training short; the data is the bundled BTC/USD 1h.
TRADING = {"episode_length": 64}


def setUpModule():
    SERVER["tcp"] = TG4Serve("tcp")


def tearDownModule():
    SERVER["tcp"].stop()


def address() -> str:
    return SERVER["tcp"].address


class BrokenObservation(gymnasium.ObservationWrapper):
    """An env that breaks the Gymnasium contract: observations outside (and of another dtype than) its space."""

    def observation(self, obs):
        return np.asarray(obs, dtype=np.float64) + 1e9


class CheckersTests(unittest.TestCase):
    """Gymnasium's and SB3's own env checkers on the remote envs (and on a broken one, which they must refuse)."""

    ENVS = [("CartPole-v1", {}), ("tg4/Trading-v0", TRADING), ("tg4/Portfolio-v0", TRADING)]

    def test_gymnasium_check_env(self):
        from gymnasium.utils.env_checker import check_env
        for env_id, kw in self.ENVS:
            with self.subTest(env_id=env_id):
                env = tg4gym.make(address(), env_id, **kw)
                try:
                    check_env(env, skip_render_check=True)
                finally:
                    env.close()

    def test_sb3_check_env(self):
        from stable_baselines3.common.env_checker import check_env
        for env_id, kw in self.ENVS:
            with self.subTest(env_id=env_id):
                env = tg4gym.make(address(), env_id, **kw)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("error")  # SB3 warns about what it tolerates: tolerate nothing here
                        check_env(env, warn=True)
                finally:
                    env.close()

    def test_checkers_refuse_a_broken_env(self):
        from gymnasium.utils.env_checker import check_env as gym_check
        from stable_baselines3.common.env_checker import check_env as sb3_check
        env = BrokenObservation(tg4gym.make(address(), "CartPole-v1"))
        try:
            with self.assertRaises(AssertionError):
                gym_check(env, skip_render_check=True)
            with self.assertRaises(AssertionError):
                sb3_check(env, warn=False)
        finally:
            env.close()


class RegistrationTests(unittest.TestCase):
    def test_make_and_make_vec_through_the_registry(self):
        env = gymnasium.make("tg4/CartPole-v1", address=address())
        try:
            self.assertEqual(env.spec.id, "tg4/CartPole-v1")
            self.assertEqual(env.spec.kwargs["address"], address())
            obs, _ = env.reset(seed=3)
            self.assertEqual(obs.shape, (4,))
            self.assertIn(env.action_space.sample(), (0, 1))
        finally:
            env.close()
        venv = gymnasium.make_vec("tg4/Trading-v0", num_envs=3, address=address(), episode_length=16)
        try:
            self.assertEqual(venv.spec.id, "tg4/Trading-v0")
            self.assertEqual(venv.num_envs, 3)
            obs, _ = venv.reset(seed=1)
            self.assertEqual(obs.shape[0], 3)
            obs, rew, term, trunc, _ = venv.step(np.ones(3, dtype=np.int64))
            self.assertEqual(rew.shape, (3,))
        finally:
            venv.close()

    def test_sync_vector_env_stacks_trading_infos(self):
        """Gymnasium's SyncVectorEnv (what RLlib samples through) over single remote envs: one sub-env in a position
        (entry_price a number), one flat (None on the wire), equity integral at first: stacked without error or
        truncation."""
        venv = gymnasium.make_vec("tg4/Trading-v0", num_envs=2, vectorization_mode="sync", address=address(),
                                  episode_length=16)
        try:
            _, infos = venv.reset(seed=0)
            self.assertEqual(infos["equity"].dtype, np.float64)
            for _ in range(4):
                _, _, _, _, infos = venv.step(np.array([2, 1]))  # long, flat
            self.assertEqual(list(infos["_entry_price"]), [True, False])
            self.assertGreater(infos["entry_price"][0], 0)
            self.assertNotEqual(infos["equity"][0], round(infos["equity"][0]))  # fractions survive
        finally:
            venv.close()

    def test_module_prefixed_id_and_missing_address(self):
        env = gymnasium.make("tg4gym:tg4/Trading-v0", address=address(), episode_length=8)
        env.close()
        with self.assertRaisesRegex(TypeError, "address="):
            gymnasium.make("tg4/Trading-v0")


class ErrorsAndDefaultsTests(unittest.TestCase):
    def test_no_server_fails_fast_and_says_what_to_do(self):
        t0 = time.monotonic()
        with self.assertRaises(ServerUnreachable) as cm:
            tg4gym.make("tcp://127.0.0.1:9", "CartPole-v1")
        self.assertLess(time.monotonic() - t0, 8.0)
        self.assertEqual(cm.exception.code, "UNREACHABLE")
        self.assertIn("tg4 serve", str(cm.exception))

    def test_address_without_transport_is_explained(self):
        host_port = address().removeprefix("tcp://")
        with self.assertRaises(InvalidAddress) as cm:
            tg4gym.make(host_port, "CartPole-v1")
        self.assertIn(f"tcp://{host_port}", str(cm.exception))
        self.assertIsInstance(cm.exception, ValueError)

    def test_nested_snake_case_kwargs_reach_the_env(self):
        """executor={"fee_rate": ...} is converted like the top level: a dearer fee shows in the fees paid."""
        fees = {}
        for rate in (0.0, 0.01):
            env = tg4gym.make(address(), "tg4/Trading-v0", episode_length=8, start="first",
                              executor={"fee_rate": rate, "slippage": 0.0})
            try:
                env.reset(seed=0)
                _, _, _, _, info = env.step(2)  # go long: one fill
                _, _, _, _, info = env.step(2)
                fees[rate] = info["fees"]
            finally:
                env.close()
        self.assertEqual(fees[0.0], 0.0)
        self.assertGreater(fees[0.01], 0.0)
        with self.assertRaises(RemoteError) as cm:  # still validated by the env: a typo is named, not ignored
            tg4gym.make(address(), "tg4/Trading-v0", executor={"fee_rat": 0.1})
        self.assertIn("feeRat", str(cm.exception))

    def test_trading_envs_default_to_the_train_split_as_tg4_train_does(self):
        """No range= -> the train split: random starts never reach the test bars; range="all" reaches them."""
        def last_time(**kw):
            venv = RemoteVecEnv(address(), "tg4/Trading-v0", 8, seed=0, engine="sub-env", episode_length=1, **kw)
            try:
                venv.reset()
                times = []
                for _ in range(30):
                    _, _, _, infos = venv.step(np.zeros(8, dtype=np.int64))
                    times += [i["time"] for i in infos]
                return max(times)
            finally:
                venv.close()
        train = tg4gym.make(address(), "tg4/Trading-v0", range="train", start="first", episode_length=None)
        test = tg4gym.make(address(), "tg4/Trading-v0", range="test", start="first", episode_length=None)
        try:
            _, train_info = train.reset(seed=0)
            _, test_info = test.reset(seed=0)
        finally:
            train.close()
            test.close()
        self.assertLess(train_info["time"], test_info["time"])
        self.assertLess(last_time(), test_info["time"])
        self.assertGreater(last_time(range="all"), test_info["time"])


def synthetic_candles(n: int, seed: int = 0):
    import pandas as pd
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.maximum(open_, close) * 1.002
    low = np.minimum(open_, close) * 0.998
    index = pd.date_range("2024-01-01", periods=n, freq="1h", tz="UTC")
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close, "volume": rng.uniform(1, 10, n),
                         "sentiment": np.linspace(0, 100, n)}, index=index)


class OwnDataTests(unittest.TestCase):
    REGIME_FEATURES = {"window": 4, "features": [{"feature": "regime", "params": {"sentiment": "required"}},
                                                 {"feature": "returns"}]}

    def test_dataframe_with_a_sentiment_column_feeds_the_regime_score(self):
        df = synthetic_candles(600)
        scores = {}
        for name, frame in (("rising", df), ("falling", df.assign(sentiment=df["sentiment"][::-1].to_numpy()))):
            env = tg4gym.make(address(), "tg4/Trading-v0", data=frame, symbol="SYN/USD", features=self.REGIME_FEATURES,
                              range="all", start="first", episode_length=None)
            try:
                obs, info = env.reset(seed=0)
                self.assertEqual(info["price"], float(df["close"].iloc[int(info["bar"])]))  # prices are the DataFrame's
                scores[name] = obs
            finally:
                env.close()
        # Same candles, sentiment reversed: the observation (regime score) changes.
        self.assertFalse(np.allclose(scores["rising"], scores["falling"]))

    def test_a_users_own_column_is_a_feature(self):
        df = synthetic_candles(300).assign(my_signal=np.sin(np.arange(300) / 7.0))
        features = {"window": 1, "features": [{"feature": "column", "params": {"column": "my_signal"},
                                                "normalize": "none"}], "normalization": {"method": "none"}}
        env = tg4gym.make(address(), "tg4/Trading-v0", data=df, features=features, range="all", start="first",
                          episode_length=None)
        try:
            obs, info = env.reset(seed=0)
            for _ in range(3):
                bar = int(info["bar"])
                self.assertAlmostEqual(float(obs[0]), float(df["my_signal"].iloc[bar]), places=6)
                obs, _, _, _, info = env.step(1)
        finally:
            env.close()

    def test_bad_data_is_refused_with_the_row(self):
        df = synthetic_candles(50)
        bad = df.copy()
        bad.iloc[7, bad.columns.get_loc("high")] = 1.0  # high below low
        with self.assertRaises(RemoteError) as cm:
            tg4gym.make(address(), "tg4/Trading-v0", data=bad, range="all")
        self.assertEqual(cm.exception.code, "DATA_ERROR")
        self.assertIn("row 7", str(cm.exception))
        with self.assertRaisesRegex(ValueError, "missing column"):
            tg4gym.make(address(), "tg4/Trading-v0", data=df.drop(columns=["volume"]))

    def test_dict_of_columns_for_the_portfolio_env(self):
        a, b = synthetic_candles(600, 1), synthetic_candles(600, 2)
        cols = [{"time": x.index.to_numpy(), **{k: x[k].to_numpy() for k in ("open", "high", "low", "close", "volume")}}
                for x in (a, b)]
        env = tg4gym.make(address(), "tg4/Portfolio-v0", data=cols, symbols=["AAA/USD", "BBB/USD"], range="all",
                          features={"window": 4, "features": [{"feature": "returns"}]}, episode_length=16)
        try:
            obs, _ = env.reset(seed=0)
            self.assertTrue(env.observation_space.contains(obs))
        finally:
            env.close()


class RewardFunctionTests(unittest.TestCase):
    def test_gymnasium_wrapper_replaces_the_reward(self):
        seen = []

        def minus_drawdown(obs, action, reward, terminated, truncated, info):
            seen.append(info["equity"])
            return -info["drawdown"]

        env = RewardFunction(tg4gym.make(address(), "tg4/Trading-v0", episode_length=16), minus_drawdown)
        try:
            env.reset(seed=0)
            for _ in range(5):
                _, r, _, _, info = env.step(2)
                self.assertEqual(r, -info["drawdown"])
        finally:
            env.close()
        self.assertEqual(len(seen), 5)

    def test_sb3_vec_wrapper_and_nan_is_an_error(self):
        venv = VecRewardFunction(RemoteVecEnv(address(), "tg4/Trading-v0", 2, seed=0, engine="sub-env",
                                              episode_length=4), lambda o, a, r, te, tr, info: info["trades"])
        try:
            venv.reset()
            for _ in range(6):
                _, rew, _, infos = venv.step(np.full(2, 2, dtype=np.int64))
                self.assertEqual(list(rew), [float(i["trades"]) for i in infos])
        finally:
            venv.close()
        env = RewardFunction(tg4gym.make(address(), "CartPole-v1"), lambda *a: float("nan"))
        try:
            env.reset(seed=0)
            with self.assertRaisesRegex(ValueError, "finite"):
                env.step(0)
        finally:
            env.close()


class TrainingTests(unittest.TestCase):
    def test_ppo_over_the_wire_learns_cartpole(self):
        """RL Zoo's CartPole hyperparameters, 20k steps: a random policy scores ~22, a working env ≥ 150."""
        from stable_baselines3 import PPO
        from stable_baselines3.common.evaluation import evaluate_policy
        from stable_baselines3.common.vec_env import VecMonitor
        venv = VecMonitor(RemoteVecEnv(address(), "CartPole-v1", 8, seed=0))
        try:
            model = PPO("MlpPolicy", venv, n_steps=32, batch_size=256, gae_lambda=0.8, gamma=0.98, n_epochs=20,
                        ent_coef=0.0, learning_rate=1e-3, clip_range=0.2, seed=0, device="cpu")
            model.learn(20_000)
            mean, std = evaluate_policy(model, venv, n_eval_episodes=10, deterministic=True)
        finally:
            venv.close()
        print(f"PPO CartPole-v1 over the wire, 20k steps: {mean:.1f} ± {std:.1f}", file=sys.stderr)
        self.assertGreaterEqual(mean, 150.0)

    def test_maskable_ppo_reads_action_masks(self):
        from sb3_contrib import MaskablePPO
        from sb3_contrib.common.maskable.utils import get_action_masks, is_masking_supported
        venv = RemoteVecEnv(address(), "tg4/Trading-v0", 4, seed=0, episode_length=32, cooldown_bars=3)
        try:
            self.assertTrue(is_masking_supported(venv))
            model = MaskablePPO("MlpPolicy", venv, n_steps=64, batch_size=64, n_epochs=2, seed=0, device="cpu")
            model.learn(512)
            obs = venv.reset()
            masked_rows = 0
            for _ in range(128):
                masks = get_action_masks(venv)
                self.assertEqual(masks.shape, (4, 3))
                masked_rows += int((~masks).any(axis=1).sum())
                actions, _ = model.predict(obs, action_masks=masks)
                self.assertTrue(all(masks[i, a] for i, a in enumerate(actions)), "a masked action was taken")
                obs, _, _, _ = venv.step(actions)
            self.assertGreater(masked_rows, 0, "the masks never excluded anything: the test proves nothing")
        finally:
            venv.close()

    def test_vec_monitor_and_vec_normalize_over_remote_vec_env(self):
        from stable_baselines3.common.vec_env import VecMonitor, VecNormalize
        venv = VecNormalize(VecMonitor(RemoteVecEnv(address(), "CartPole-v1", 4, seed=0)), gamma=0.99)
        try:
            venv.reset()
            episodes = []
            for _ in range(600):
                _, rew, dones, infos = venv.step(np.ones(4, dtype=np.int64))  # always push right: short episodes
                episodes += [i["episode"] for i, d in zip(infos, dones) if d]
            self.assertGreater(len(episodes), 20)
            self.assertTrue(all(e["r"] == e["l"] and 8 <= e["l"] < 100 for e in episodes))
            self.assertGreater(venv.obs_rms.count, 2000)  # statistics followed every step
            self.assertTrue(np.all(np.abs(venv.normalize_obs(venv.get_original_obs())) <= venv.clip_obs))
            self.assertTrue(np.all(np.isfinite(rew)))
        finally:
            venv.close()


if __name__ == "__main__":
    unittest.main()
