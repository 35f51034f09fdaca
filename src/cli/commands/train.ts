// `tg4 train`: trains a built-in PPO or DQN agent on a registered env (or on a remote env server) and writes the model
// (manifest.json + weights.bin), metrics.jsonl and learning-curve.svg into a registry version folder under models/.
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.ts';
import { parseBackendName } from '../../../agents/common/backend.ts';
import { parseAlgo, runTraining, type TrainRunOptions } from '../../../agents/common/train-run.ts';
import { trainTradingAndCompare } from '../../../agents/common/trading-run.ts';
import { INTERRUPTED_EXIT_CODE, Interrupt, restoreTerminal } from '../interrupt.ts';
import { progressBar } from '../progress.ts';
import { sealTrained, trainingProvenance } from '../../registry/provenance.ts';
import { registryRoot } from '../../registry/index.ts';

function int(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new InvalidArgumentError(`${name} must be a non-negative integer (got '${v}')`);
    return n;
  };
}

function parseKwargs(v: string): Record<string, unknown> {
  try {
    const o = JSON.parse(v) as unknown;
    if (o && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new InvalidArgumentError(`--kwargs must be a JSON object, e.g. '{"window": 32}' (got '${v}')`);
}

/**
 * Portfolio-v0 trains on the train split unless a range is given, as Trading-v0 does (trading-run.ts) and as the
 * Python client defaults: one default for the CLI and tg4gym, so the test split stays unseen.
 */
function portfolioTrainSplit(
  envId: string,
  kwargs: Record<string, unknown> | undefined,
): { envKwargs?: Record<string, unknown> } {
  if (envId === 'tg4/Portfolio-v0' && kwargs?.range === undefined) return { envKwargs: { ...kwargs, range: 'train' } };
  return kwargs === undefined ? {} : { envKwargs: kwargs };
}

export function register(program: Command): void {
  program
    .command('train')
    .description(
      'train a built-in tfjs PPO/DQN agent; writes the model, metrics.jsonl and learning-curve.svg under models/',
    )
    .requiredOption('--env <id>', 'registered env id, e.g. CartPole-v1 or tg4/Trading-v0')
    .option('--agent <algo>', 'ppo or dqn', 'ppo')
    .option('--preset <name>', "hyperparameter preset (default: the env id's preset, else 'default')")
    .option('--steps <n>', "environment steps (default: the preset's)", int('--steps'))
    .option('--seed <n>', 'seed of everything (weights, sampling, envs)', int('--seed'), 0)
    .option('--backend <name>', 'tfjs backend: wasm, cpu or tensorflow (needs @tensorflow/tfjs-node[-gpu])', 'wasm')
    .option('--remote <address>', 'train against a `tg4 serve` env server, e.g. tcp://127.0.0.1:5555')
    .option('--out <dir>', 'model folder (default: models/<algo>-<env>/v<N>)')
    .option('--kwargs <json>', 'env kwargs as a JSON object')
    .option('--eval-freq <n>', 'deterministic evaluation every n steps (0: only at the end)', int('--eval-freq'))
    .option('--eval-episodes <n>', 'episodes per evaluation', int('--eval-episodes'), 10)
    .option('--no-progress', 'no progress bar (logs one line per evaluation instead)')
    .option(
      '--parent <ref>',
      'the registry version this one continues or derives from (recorded in its manifest and seal)',
    )
    .option('--action-masks', "PPO only: sample and learn under the env's action masks (maskable PPO, as sb3-contrib)")
    .action(
      async (o: {
        env: string;
        agent: string;
        preset?: string;
        steps?: number;
        seed: number;
        backend: string;
        remote?: string;
        out?: string;
        kwargs?: string;
        evalFreq?: number;
        evalEpisodes: number;
        progress: boolean;
        actionMasks?: boolean;
        parent?: string;
      }) => {
        if (o.actionMasks && o.agent !== 'ppo') {
          throw new InvalidArgumentError(
            `--action-masks is for --agent ppo (maskable PPO); ${o.agent} does not use masks: drop the flag or use --agent ppo`,
          );
        }
        const opts: TrainRunOptions = {
          envId: o.env,
          agent: parseAlgo(o.agent),
          seed: o.seed,
          backend: parseBackendName(o.backend),
          evalEpisodes: o.evalEpisodes,
          ...(o.preset !== undefined ? { preset: o.preset } : {}),
          ...(o.steps !== undefined ? { steps: o.steps } : {}),
          ...(o.remote !== undefined ? { remote: o.remote } : {}),
          ...(o.out !== undefined ? { out: o.out } : {}),
          ...portfolioTrainSplit(o.env, o.kwargs !== undefined ? parseKwargs(o.kwargs) : undefined),
          ...(o.evalFreq !== undefined ? { evalFreq: o.evalFreq } : {}),
          ...(o.actionMasks ? { overrides: { useActionMasks: true } } : {}),
          // The registry: the next version under $TG4_REGISTRY (default models/), its provenance in the manifest.
          modelsRoot: registryRoot(),
          manifestExtras: (kw) => ({ provenance: trainingProvenance(o.env, kw, { parent: o.parent ?? null }) }),
        };
        const bar = progressBar(
          o.progress,
          'train {bar} {percentage}% | {value}/{total} steps | {sps} steps/s | return {ret} | eval {ev}',
          { hideCursor: true },
        );
        let started = false;
        let lastEval = '–';
        opts.onProgress = (info, ev) => {
          // Trading: the validation pass in a trader's terms; other envs: mean ± std of the episode returns.
          if (ev)
            lastEval = ev.trading
              ? `${ev.trading.returnPct >= 0 ? '+' : ''}${(ev.trading.returnPct * 100).toFixed(2)}%${ev.trading.ruined ? ' RUINED' : ''}, ${Math.round(ev.trading.trades)} trades`
              : `${ev.mean.toFixed(1)} ± ${ev.std.toFixed(1)}`;
          const payload = {
            sps: info.stepsPerS.toFixed(0),
            ret: Number.isNaN(info.meanReturn) ? '–' : info.meanReturn.toFixed(1),
            ev: lastEval,
          };
          if (bar) {
            if (!started) {
              bar.start(opts.steps ?? info.steps, 0, payload);
              started = true;
            }
            bar.setTotal(Math.max(info.steps, (bar as unknown as { total: number }).total));
            bar.update(info.steps, payload);
          } else if (ev) {
            process.stdout.write(
              `steps ${info.steps}  ${payload.sps} steps/s  train return ${payload.ret}  eval ${lastEval}\n`,
            );
          }
        };
        // Ctrl-C: finish the current update, save the checkpoint marked partial, give the terminal back, exit 130.
        const interrupt = Interrupt.install({
          onFirst: (signal) => {
            bar?.stop();
            restoreTerminal();
            process.stderr.write(
              `\n${signal}: stopping after the current update to save a partial checkpoint (again to quit now)\n`,
            );
          },
        });
        opts.interrupt = interrupt;
        try {
          if (o.env.startsWith('tg4/Trading')) {
            const r = await trainTradingAndCompare(opts);
            bar?.stop();
            process.stdout.write(r.report + '\n');
            if (r.training.dir) process.stdout.write(sealTrained(r.training.dir, o.parent));
            return;
          }
          const r = await runTraining(opts);
          bar?.stop();
          const m = r.train;
          process.stdout.write(
            `trained ${o.agent.toUpperCase()} on ${o.env}: ${m.steps} steps in ${m.elapsedS.toFixed(1)} s (${(m.steps / m.elapsedS).toFixed(0)} steps/s, ` +
              `${m.updates} gradient updates, ${((100 * m.envMs) / (m.envMs + m.netMs)).toFixed(1)}% of the time in the env), backend ${r.backend.active}\n` +
              `final deterministic eval: ${r.finalEval.mean.toFixed(1)} ± ${r.finalEval.std.toFixed(1)} over ${r.finalEval.returns.length} episodes\n` +
              `model: ${r.dir}  (manifest.json, weights.bin, metrics.jsonl, learning-curve.svg)\n`,
          );
          if (r.dir) process.stdout.write(sealTrained(r.dir, o.parent));
          if (interrupt.requested)
            process.stderr.write(
              `interrupted: ${r.dir ?? 'no folder'} holds a partial checkpoint (tg4 eval loads it with a warning)\n`,
            );
        } finally {
          bar?.stop();
          interrupt.dispose();
          restoreTerminal();
          if (interrupt.requested) process.exitCode = INTERRUPTED_EXIT_CODE;
        }
      },
    );
}
