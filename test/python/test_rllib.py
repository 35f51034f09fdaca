"""tg4gym.rllib: a tiny Ray RLlib PPO (new API stack, torch) whose two env runners get their envs from two local
`tg4 serve` processes. Run in the test venv by test/python/real-libraries.test.ts."""
from __future__ import annotations

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from serve import TG4Serve  # noqa: E402

from tg4gym.rllib import RemoteEnvCreator, place  # noqa: E402


class PlacementTests(unittest.TestCase):
    def test_runners_first_then_their_envs(self):
        a = ["A", "B"]
        # Two runners with one env each: one server each.
        self.assertEqual([place(a, w, 2, 0) for w in (1, 2)], ["A", "B"])
        # One runner (or the driver's local runner) with four envs: alternating.
        self.assertEqual([place(a, 1, 1, v) for v in range(4)], ["A", "B", "A", "B"])
        self.assertEqual([place(a, 0, 0, v) for v in range(3)], ["A", "B", "A"])
        # Four runners × two envs over three servers: every server gets 8 / 3 rounded.
        counts = {x: 0 for x in "ABC"}
        for w in range(1, 5):
            for v in range(2):
                counts[place("ABC", w, 4, v)] += 1
        self.assertEqual(sorted(counts.values()), [2, 3, 3])

    def test_creator_refuses_bad_addresses_and_survives_pickling(self):
        import pickle
        with self.assertRaises(ValueError):
            RemoteEnvCreator([], "CartPole-v1")
        with self.assertRaisesRegex(ValueError, "tcp://"):
            RemoteEnvCreator(["127.0.0.1:5555"], "CartPole-v1")
        c = pickle.loads(pickle.dumps(RemoteEnvCreator("tcp://127.0.0.1:1", "CartPole-v1", episode_length=5)))
        self.assertEqual(c.kwargs, {"episode_length": 5})


class RLlibPPOTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        starting = [TG4Serve("tcp", wait=False), TG4Serve("tcp", wait=False)]
        cls.servers = [s.wait() for s in starting]

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.stop()

    def test_tiny_ppo_over_two_servers(self):
        import ray
        from ray.rllib.algorithms.ppo import PPOConfig
        from ray.tune.registry import register_env

        addresses = [s.address for s in self.servers]
        register_env("tg4-cartpole", RemoteEnvCreator(addresses, "CartPole-v1"))
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
        try:
            config = (PPOConfig().environment("tg4-cartpole").framework("torch")
                      .env_runners(num_env_runners=2, num_envs_per_env_runner=2, rollout_fragment_length=64)
                      .training(train_batch_size_per_learner=256, minibatch_size=64, num_epochs=2, lr=3e-4)
                      .debugging(seed=0))
            algo = config.build()
            try:
                result = algo.train()
                result = algo.train()
                sampled = result["env_runners"]["num_env_steps_sampled_lifetime"]
                placed = algo.env_runner_group.foreach_worker(
                    lambda w: sorted(e.unwrapped.tg4_address for e in w.env.unwrapped.envs), local_env_runner=False)
            finally:
                algo.stop()
        finally:
            ray.shutdown()
        self.assertGreaterEqual(sampled, 512)
        # Runners are spread first: runner 1's two envs on the first server, runner 2's on the second.
        self.assertEqual(placed, [[addresses[0]] * 2, [addresses[1]] * 2])


if __name__ == "__main__":
    unittest.main()
