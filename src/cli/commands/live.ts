// `tg4 live`: runs policies on Kraken's live WS v2 feed. Paper by default (the PaperExecutor; nothing reaches an
// exchange). Real orders only with --live, KRAKEN_API_KEY / KRAKEN_API_SECRET in the environment and the typed
// confirmation; risk limits are always on. Ctrl-C stops cleanly (live: open orders cancelled, the dead-man's switch
// disarmed); SIGUSR2 or the kill file flattens and halts. Safety model and every flag: docs/live.md.
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../core/errors.ts';
import { BASELINE_NAMES } from '../../../agents/baselines/index.ts';
import { EventLog } from '../../logging/event-log.ts';
import { credentialsFromEnv } from '../../live/gateway/kraken-auth.ts';
import { KRAKEN_AUTH_URL, KrakenGateway, LIVE_CONFIRMATION } from '../../live/gateway/gateway.ts';
import { DEFAULT_LIMITS, RiskEngine } from '../../live/gateway/risk.ts';
import { KRAKEN_PUBLIC_URL } from '../../live/kraken/ws-client.ts';
import { FUSION_MODES, fusePolicies, parseFusionFlags } from '../../live/fusion.ts';
import { LiveLoop } from '../../live/loop.ts';
import { isRegistryRef, resolvePolicy, type LivePolicy, type PolicyContext } from '../../live/policy.ts';
import { registryPolicy } from '../../live/registry-policy.ts';
import { statusLine } from '../../live/status.ts';
import { KRAKEN_REST_URL } from '../../live/warmup.ts';
import { ModelRegistry, registryRoot } from '../../registry/index.ts';
import { jsonObjectFlag, listFlag } from '../flags.ts';

interface LiveFlags {
  policy: string[];
  symbols: string;
  timeframe: string;
  paper?: boolean;
  live?: boolean;
  wsUrl: string;
  wsAuthUrl: string;
  restUrl: string;
  out: string;
  warmup: string;
  warmupUntil?: string;
  warmupBars: string;
  db?: string;
  kwargs?: string;
  registry?: string;
  maxOrderNotional: string;
  maxPositionNotional: string;
  maxDailyLoss: string;
  maxOrdersPerMinute: string;
  killFile?: string;
  allowShort?: boolean;
  exchangeExits?: boolean;
  duration?: string;
  status: boolean;
  statusEvery: string;
  staleAfter: string;
  barTimer: string;
  fusion?: string;
  weights?: string;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !(n > 0) || !Number.isFinite(n))
    throw new InvalidArgumentError(`--${flag} must be a number > 0 (got "${v}")`);
  return n;
}

/** Reads the typed confirmation: from a terminal, or TG4_LIVE_CONFIRMATION for unattended runs. */
async function confirmation(): Promise<string> {
  const env = process.env.TG4_LIVE_CONFIRMATION;
  if (env !== undefined) return env;
  if (!process.stdin.isTTY)
    throw new InvalidArgumentError(
      `--live needs the typed confirmation: run it in a terminal, or set TG4_LIVE_CONFIRMATION='${LIVE_CONFIRMATION}' for an unattended run`,
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((r) =>
    rl.question(`REAL MONEY on Kraken. Type '${LIVE_CONFIRMATION}' to continue: `, r),
  );
  rl.close();
  return answer.trim();
}

export function register(program: Command): void {
  program
    .command('live')
    .description(
      'run policies on the live Kraken feed: paper by default; real orders only with --live, keys from the environment and a typed confirmation',
    )
    .requiredOption(
      '--policy <spec>',
      `a baseline (${BASELINE_NAMES.join(', ')}), a model folder, or a registry reference (name@alias, name/vNNNN); repeat or comma-separate for several (isolated portfolios; with --live the first one trades)`,
      listFlag,
      [] as string[],
    )
    .option('--symbols <list>', 'comma-separated Kraken v2 symbols', 'BTC/USD')
    .option('--timeframe <tf>', 'decision bar length (a Kraken ohlc interval: 1m, 5m, 15m, 30m, 1h, 4h, 1d)', '1m')
    .option('--paper', 'paper trading through the PaperExecutor (the default)')
    .option('--live', 'send real orders to Kraken (needs KRAKEN_API_KEY, KRAKEN_API_SECRET and the typed confirmation)')
    .option('--ws-url <url>', 'public WebSocket v2 endpoint', KRAKEN_PUBLIC_URL)
    .option('--ws-auth-url <url>', 'private WebSocket v2 endpoint (--live)', KRAKEN_AUTH_URL)
    .option('--rest-url <url>', 'REST endpoint (warm-up OHLC, the WebSocket token)', KRAKEN_REST_URL)
    .option('--out <dir>', 'log root: the bot JSONL layout (system/, strategies/, trades/, aggregated/)', 'runs/live')
    .option(
      '--warmup <src>',
      "history before the first live bar: 'kraken' (REST OHLC, ≤ 720 bars), 'bundled', a CSV or a postgres:// URL; 'none' to skip",
      'kraken',
    )
    .option('--warmup-until <iso>', 'warm-up bars open before this time (default: now)')
    .option('--warmup-bars <n>', 'keep at most this many warm-up bars', '5000')
    .option('--db <url>', 'write closed bars to this PostgreSQL (idempotent with tg4 data ingest)')
    .option(
      '--kwargs <json>',
      'Trading-v0 options as for tg4 backtest, e.g. \'{"executor":{"feeRate":0.0026},"cooldownBars":2}\'',
    )
    .option('--registry <dir>', 'model registry folder (default TG4_REGISTRY or ./models)')
    .option('--max-order-notional <q>', 'risk: largest order notional (quote)', String(DEFAULT_LIMITS.maxOrderNotional))
    .option(
      '--max-position-notional <q>',
      'risk: largest position notional per symbol (quote)',
      String(DEFAULT_LIMITS.maxPositionNotional),
    )
    .option(
      '--max-daily-loss <q>',
      'risk: daily loss (quote) that switches to REDUCING',
      String(DEFAULT_LIMITS.maxDailyLoss),
    )
    .option('--max-orders-per-minute <n>', 'risk: orders in any 60 s', String(DEFAULT_LIMITS.maxOrdersPerMinute))
    .option('--kill-file <path>', 'kill switch: when this file appears, flatten and halt (default <out>/KILL)')
    .option('--allow-short', '--live: allow short targets (needs a margin account); default: shorts go flat')
    .option(
      '--exchange-exits',
      "--live: rest the trade's ATR stop-loss / take-profit on Kraken as reduce-only conditional orders (docs/live.md)",
    )
    .option('--duration <s>', 'stop after this many seconds')
    .option('--no-status', 'no status line')
    .option('--status-every <ms>', 'status line period', '1000')
    .option(
      '--fusion <mode>',
      `combine the --policy list into one: ${FUSION_MODES.join(', ')} (gate/size: a model then a baseline; weight: several, --weights)`,
    )
    .option('--weights <list>', 'fusion weight: one weight per policy, comma-separated')
    .option('--stale-after <ms>', 'feed silence that counts as stale (reconnect)', '10000')
    .option(
      '--bar-timer <ms|off>',
      "close a bar this long after its interval ends when no later update came (quiet market); 'off': only the next interval's update closes it",
      '2000',
    )
    .action(async (f: LiveFlags) => {
      if (f.paper && f.live) throw new InvalidArgumentError('--paper and --live exclude each other');
      if (f.exchangeExits && !f.live)
        throw new InvalidArgumentError('--exchange-exits rests orders on the exchange: it goes with --live');
      if (f.policy.length === 0) throw new InvalidArgumentError('--policy names no policy');
      let kwargs: Record<string, unknown> = {};
      if (f.kwargs !== undefined) {
        kwargs = jsonObjectFlag('kwargs', f.kwargs);
      }
      const limits = {
        maxOrderNotional: positive('max-order-notional', f.maxOrderNotional),
        maxPositionNotional: positive('max-position-notional', f.maxPositionNotional),
        maxDailyLoss: positive('max-daily-loss', f.maxDailyLoss),
        maxOrdersPerMinute: positive('max-orders-per-minute', f.maxOrdersPerMinute),
      };
      const until = f.warmupUntil !== undefined ? Date.parse(f.warmupUntil) : undefined;
      if (until !== undefined && !Number.isFinite(until))
        throw new InvalidArgumentError(`--warmup-until '${f.warmupUntil}' is not an ISO time`);
      const out = resolve(f.out);
      const log = new EventLog({ root: out });
      const registry = new ModelRegistry(registryRoot(f.registry));
      const resolveAlias = (ref: string): string | null =>
        isRegistryRef(ref) && !existsSync(ref) ? registry.verify(ref).dir : null;
      // A registry reference runs the version it names; name@alias follows the alias (hot swap on promote/rollback).
      let factories = f.policy.map(
        (spec) =>
          (ctx: PolicyContext): LivePolicy =>
            resolveAlias(spec) !== null
              ? registryPolicy(registry, spec, ctx, {
                  onEvent: (level, message) =>
                    log.system({ time: Date.now(), level, component: 'live.registry', message }),
                })
              : resolvePolicy(spec, ctx, { resolveAlias }),
      );
      const fusion = parseFusionFlags(f.policy, f.fusion, f.weights);
      if (fusion !== null) {
        const parts = factories;
        factories = [
          (ctx) =>
            fusePolicies(
              fusion.mode,
              parts.map((mk) => mk(ctx)),
              ctx.scheme,
              fusion.weights,
            ),
        ];
      }

      // Live: everything that could go wrong is checked before any socket opens.
      let gateway: KrakenGateway | null = null;
      if (f.live) {
        const credentials = credentialsFromEnv();
        const typed = await confirmation();
        if (typed !== LIVE_CONFIRMATION)
          throw new InvalidArgumentError(`the confirmation did not match '${LIVE_CONFIRMATION}': no order was sent`);
        const risk = new RiskEngine(limits, (s, reason) =>
          log.system({
            time: Date.now(),
            level: s === 'ACTIVE' ? 'info' : 'error',
            component: 'live.risk',
            message: `${s}: ${reason}`,
          }),
        );
        gateway = new KrakenGateway({
          credentials,
          confirmation: typed,
          risk,
          url: f.wsAuthUrl,
          restUrl: f.restUrl,
          onEvent: (level, message) => log.system({ time: Date.now(), level, component: 'live.gateway', message }),
        });
      }
      const loop = await LiveLoop.create({
        symbols: f.symbols
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        timeframe: f.timeframe,
        kwargs,
        policies: factories,
        wsUrl: f.wsUrl,
        staleAfterMs: positive('stale-after', f.staleAfter),
        graceMs: f.barTimer === 'off' ? null : positive('bar-timer', f.barTimer),
        warmup:
          f.warmup === 'none'
            ? null
            : {
                source: f.warmup,
                ...(until !== undefined ? { until } : {}),
                maxBars: positive('warmup-bars', f.warmupBars),
                restUrl: f.restUrl,
              },
        db: f.db ?? null,
        log,
        gateway,
        router: { allowShort: f.allowShort === true, exchangeExits: f.exchangeExits === true },
        killFile: f.killFile ?? join(out, 'KILL'),
      });
      // Signals are handled from here on (before any socket opens): a Ctrl-C at any moment stops cleanly.
      let stopping = false;
      let status: NodeJS.Timeout | null = null;
      let done!: () => void;
      const finished = new Promise<void>((r) => {
        done = r;
      });
      const stop = (why: string): void => {
        if (stopping) {
          process.stderr.write('\ntg4 live: second signal: exiting now\n');
          process.exit(130);
        }
        stopping = true;
        if (status) clearInterval(status);
        process.stderr.write(`\ntg4 live: ${why}: stopping (open orders cancelled, the dead-man's switch disarmed)\n`);
        void (async () => {
          await loop.stop();
          if (gateway) await gateway.stop();
          log.system({ time: Date.now(), level: 'info', component: 'live', message: `stopped: ${why}` });
          for (const lane of loop.lanes.values())
            for (const p of lane.executor.portfolios())
              log.metrics({ time: Date.now(), strategy: p.id, metrics: { equity: p.equity, trades: p.trades.length } });
          log.close();
          process.stderr.write(`${statusLine(loop)}\n`);
          done();
        })();
      };
      process.on('SIGINT', () => stop('interrupted'));
      process.once('SIGTERM', () => stop('terminated'));
      process.on('SIGUSR2', () => void loop.kill('SIGUSR2'));
      if (f.duration !== undefined)
        setTimeout(() => stop(`--duration ${f.duration} s reached`), positive('duration', f.duration) * 1000).unref();

      if (gateway) await gateway.start();
      if (!stopping) await loop.start();
      log.system({
        time: Date.now(),
        level: 'info',
        component: 'live',
        message: `started ${f.live ? 'LIVE' : 'paper'}: ${f.policy.join(', ')} on ${[...loop.lanes.keys()].join(', ')} ${f.timeframe}`,
      });
      process.stderr.write(
        `tg4 live: ${f.live ? 'LIVE ORDERS' : 'paper'} on ${f.wsUrl}; logs in ${out}; Ctrl-C stops, SIGUSR2 or ${f.killFile ?? join(out, 'KILL')} flattens and halts\n`,
      );
      const tty = process.stderr.isTTY === true;
      const every = positive('status-every', f.statusEvery);
      if (f.status && !stopping)
        status = setInterval(
          () => process.stderr.write(tty ? `\r\x1b[2K${statusLine(loop)}` : `${statusLine(loop)}\n`),
          every,
        );
      await finished;
    });
}
