// `tg4 policy serve`: a policy (baseline, model folder, or registry reference) answering over ZeroMQ for the TG4 bot
// (agents/python/tg4gym/strategy.py): observation → action, or bars → the bot's signal with stop and target. A registry
// alias (name@alias) is re-read every --reload-every ms: a promoted version takes over between two requests.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.ts';
import { BASELINE_NAMES } from '../../../agents/baselines/index.ts';
import { PolicyServer } from '../../live/policy-server.ts';
import { isRegistryRef, resolvePolicy, type LivePolicy, type PolicyContext } from '../../live/policy.ts';
import { ModelRegistry, registryRoot } from '../../registry/index.ts';
import { jsonObjectFlag } from '../flags.ts';

interface ServeFlags {
  policy: string;
  bind: string;
  timeframe: string;
  kwargs?: string;
  registry?: string;
  reloadEvery: string;
}

export function register(program: Command): void {
  const policy = program.command('policy').description('serve policies to the TG4 bot');
  policy
    .command('serve')
    .description(
      'answer observation → action and bars → a TG4 signal (stop, target) over ZeroMQ (msgpack), with hot swap of registry aliases',
    )
    .requiredOption(
      '--policy <spec>',
      `a baseline (${BASELINE_NAMES.join(', ')}), a model folder, or a registry reference (name@alias, name/vNNNN)`,
    )
    .option('--bind <addr>', 'ZeroMQ address (loopback tcp, ipc or inproc)', 'tcp://127.0.0.1:5556')
    .option('--timeframe <tf>', 'bar length of the bars the bot sends', '1m')
    .option(
      '--kwargs <json>',
      'Trading-v0 options the policy was trained with (features, window, action scheme, executor, …)',
    )
    .option('--registry <dir>', 'model registry folder (default TG4_REGISTRY or ./models)')
    .option('--reload-every <ms>', 'how often a registry alias is re-read for a hot swap', '2000')
    .action(async (f: ServeFlags) => {
      const kwargs = f.kwargs !== undefined ? jsonObjectFlag('kwargs', f.kwargs) : {};
      const registry = new ModelRegistry(registryRoot(f.registry));
      const isRef = isRegistryRef(f.policy) && !existsSync(f.policy);
      let current = isRef ? registry.verify(f.policy).dir : null;
      const make =
        (dir: string | null) =>
        (ctx: PolicyContext): LivePolicy =>
          resolvePolicy(dir ?? f.policy, ctx, { resolveAlias: () => dir });
      const reloadEveryMs = Number(f.reloadEvery);
      if (!(reloadEveryMs > 0))
        throw new InvalidArgumentError(`--reload-every must be a number of ms > 0 (got "${f.reloadEvery}")`);
      const server = new PolicyServer({
        bind: f.bind,
        timeframe: f.timeframe,
        kwargs,
        policy: make(current),
        reloadEveryMs,
        // Only an alias moves; a verified version folder that changed on disk is refused by verify().
        reload: f.policy.includes('@')
          ? () => {
              const dir = registry.verify(f.policy).dir;
              if (dir === current) return null;
              process.stderr.write(
                `tg4 policy serve: ${f.policy} now points to ${dir}: swapping at the next request\n`,
              );
              current = dir;
              return make(dir);
            }
          : undefined,
      });
      await server.start();
      process.stderr.write(
        `tg4 policy serve: ${server.policy.name} (${server.policy.kind}) on ${server.endpoint}, ${f.timeframe} bars, spec ${server.setup.specHash.slice(0, 12)}, obs ${server.setup.obsSize}\n`,
      );
      await new Promise<void>((done) => {
        const stop = (): void => {
          server.close();
          done();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
