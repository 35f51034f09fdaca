// Benchmark of learning on the planted-signal markets: for each market, train PPO and DQN with their planted presets on
// draw 1 and run the trained policy deterministically over the whole traded range of draw 2 (out of sample); print the
// net log return of the policy and of the oracle on the same draw, and their RATIO (the issue's bar: ≥ 0.80).
//
//   npx tsx scripts/bench/planted.ts                       # every market, PPO and DQN with their planted presets
//   npx tsx scripts/bench/planted.ts --agent dqn --preset tg4/Trading-v0 --kwargs '{"levels":[-1,0,1],"reward":"log_return"}'
//   npx tsx scripts/bench/planted.ts --kind regime --agent ppo --steps 100000 --seed 1 \
//        --overrides '{"entCoef":0.005}' --kwargs '{"reward":{"log_return":1}}'   # one experiment (docs/agents.md log)
import { parseArgs } from 'node:util';
import { PLANTED_KINDS, type PlantedKind } from '../../envs/planted/index.ts';
import { scorePlanted } from '../../agents/evaluation/planted.ts';
import type { AlgoName } from '../../agents/common/algorithm.ts';

const { values } = parseArgs({
  options: {
    kind: { type: 'string' },
    agent: { type: 'string' },
    steps: { type: 'string' },
    seed: { type: 'string', default: '1' },
    preset: { type: 'string' },
    overrides: { type: 'string' },
    kwargs: { type: 'string' },
    train: { type: 'string', default: '1' },
    test: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});

const kinds = values.kind ? [values.kind as PlantedKind] : PLANTED_KINDS;
const agents = (values.agent ? values.agent.split(',') : ['ppo', 'dqn']) as AlgoName[];
const t0 = Date.now();
console.log(`planted-signal markets: train on draw ${values.train}, test on draw ${values.test}, seed ${values.seed}`);
console.log(
  'market       agent  steps    train s  policy   oracle   b&h      RATIO   trades (policy/oracle)  in market',
);
for (const kind of kinds) {
  for (const agent of agents) {
    const s = await scorePlanted({
      kind,
      agent,
      seed: Number(values.seed),
      ...(values.preset ? { preset: values.preset } : {}),
      trainMarketSeed: Number(values.train),
      testMarketSeed: Number(values.test),
      ...(values.steps ? { steps: Number(values.steps) } : {}),
      ...(values.overrides ? { overrides: JSON.parse(values.overrides) } : {}),
      ...(values.kwargs ? { envKwargs: JSON.parse(values.kwargs) } : {}),
    });
    if (values.json) console.log(JSON.stringify(s));
    console.log(
      `${kind.padEnd(12)} ${agent.padEnd(6)} ${String(s.steps).padEnd(8)} ${s.trainS.toFixed(0).padEnd(8)} ` +
        `${s.policy.toFixed(3).padEnd(8)} ${s.oracle.toFixed(3).padEnd(8)} ${s.buyAndHold.toFixed(3).padEnd(8)} ` +
        `${s.ratio.toFixed(2).padEnd(7)} ${`${s.policyTrades}/${s.oracleTrades}`.padEnd(23)} ${`${(s.policyExposure * 100).toFixed(0)}%`.padEnd(10)} ${s.ratio >= 0.8 ? 'reached' : 'NOT reached'}`,
    );
  }
}
console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
