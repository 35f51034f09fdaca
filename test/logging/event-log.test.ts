// JSONL event logs: layout, UTC-day rotation, the bot's signal shape, crash safety (a SIGKILLed writer, a torn last
// line), strict JSON, and the executor sink — all on real files in a temp folder.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { EventLog } from '../../src/logging/event-log.ts';
import { newReadStats, readEventFile, readEventStream, listLogFiles } from '../../src/logging/event-reader.ts';
import { logExecutorEvents, logPortfolioMetrics } from '../../src/logging/executor-sink.ts';
import { dataHash } from '../../src/logging/data-hash.ts';
import type { LogEvent } from '../../src/logging/event-types.ts';
import { PaperExecutor } from '../../src/execution/paper-executor.ts';
import { Tg4Error } from '../../src/core/errors.ts';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tg4-logs-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

async function collect(gen: AsyncGenerator<LogEvent>): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  for await (const e of gen) out.push(e);
  return out;
}

const DAY1_LAST = Date.UTC(2026, 2, 1, 23, 59, 59, 999);
const DAY2_FIRST = Date.UTC(2026, 2, 2, 0, 0, 0, 0);

describe('EventLog', () => {
  it("writes the bot's layout, rotates by the UTC day of the event, and reads back exactly", async () => {
    const log = new EventLog({ root });
    const hash = dataHash({ close: new Float64Array([1, 2, 3]), tf: '1h' });
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(dataHash({ tf: '1h', close: [1, 2, 3] })).toBe(hash); // key order and typed arrays do not matter
    log.signal({
      time: DAY1_LAST,
      strategy: 'ema9',
      symbol: 'BTC/USD',
      action: 'buy',
      price: 20_010.5,
      stopLoss: 19_500,
      takeProfit: null,
      indicators: { ema_9: 20_001.25, rsi_14: null },
      dataHash: hash,
    });
    log.signal({ time: DAY2_FIRST, strategy: 'ema9', action: 'hold', price: 20_100, dataHash: hash });
    log.signal({ time: DAY2_FIRST, strategy: 'meanrev', action: 'sell', price: 20_100, dataHash: hash });
    log.system({ time: DAY1_LAST, level: 'info', component: 'live', message: 'started', data: { pid: 1 } });
    log.metrics({ time: DAY2_FIRST, strategy: 'ema9', metrics: { equity: 10_100, sharpe: null } });
    log.close();
    const files = (d: string) => fs.readdirSync(path.join(root, d)).sort();
    expect(files('strategies')).toEqual(['ema9-2026-03-01.jsonl', 'ema9-2026-03-02.jsonl', 'meanrev-2026-03-02.jsonl']);
    expect(files('system')).toEqual(['system-2026-03-01.jsonl']);
    expect(files('aggregated')).toEqual(['aggregated-2026-03-02.jsonl']);
    expect(files('trades')).toEqual([]);
    const first = JSON.parse(fs.readFileSync(path.join(root, 'strategies', 'ema9-2026-03-01.jsonl'), 'utf8').trim());
    expect(first).toEqual({
      timestamp: '2026-03-01T23:59:59.999Z',
      event_type: 'signal',
      strategy: 'ema9',
      symbol: 'BTC/USD',
      signal: { action: 'buy', price: 20_010.5, stop_loss: 19_500, take_profit: null },
      indicators: { ema_9: 20_001.25, rsi_14: null },
      data_hash: hash,
    });
    const ema = await collect(readEventStream({ root, stream: 'strategies', strategy: 'ema9' }));
    expect(ema.map((e) => e.timestamp)).toEqual(['2026-03-01T23:59:59.999Z', '2026-03-02T00:00:00.000Z']);
    const all = await collect(readEventStream({ root, stream: 'strategies', fromDay: '2026-03-02' }));
    expect(all.map((e) => (e as { strategy: string }).strategy)).toEqual(['ema9', 'meanrev']);
    // several strategies in one day, merged by time
    const log2 = new EventLog({ root });
    for (const [k, name] of [
      [3, 'b'],
      [1, 'a'],
      [5, 'b'],
      [2, 'a'],
      [4, 'a'],
    ] as const) {
      log2.signal({ time: Date.UTC(2026, 3, 1) + k * 1000, strategy: name, action: 'hold', price: k, dataHash: 'h' });
    }
    log2.close();
    const merged = await collect(
      readEventStream({ root, stream: 'strategies', fromDay: '2026-04-01' }, { mergeByTime: true }),
    );
    expect(merged.map((e) => (e as { signal: { price: number } }).signal.price)).toEqual([1, 2, 3, 4, 5]);
  });

  it('appends across reopenings (a restarted process keeps the day file)', async () => {
    for (let k = 0; k < 3; k++) {
      const log = new EventLog({ root });
      log.system({ time: DAY1_LAST - k, level: 'info', component: 't', message: `run ${k}` });
      log.close();
    }
    const ev = await collect(readEventStream({ root, stream: 'system' }));
    expect(ev.map((e) => (e as { message: string }).message)).toEqual(['run 0', 'run 1', 'run 2']);
  });

  it('survives a SIGKILLed writer: every event written before the kill is there; a torn tail is skipped and reported', async () => {
    const script = path.join(root, 'writer.ts');
    const logMod = path.resolve('src/logging/event-log.ts');
    fs.writeFileSync(
      script,
      `
      import fs from 'node:fs';
      import { EventLog } from ${JSON.stringify(logMod)};
      const log = new EventLog({ root: ${JSON.stringify(root)} });
      for (let i = 0; i < 50; i++) log.write('trades', { timestamp: new Date(${DAY1_LAST} - 1000 + i).toISOString(), event_type: 'fill', strategy: 's', fill: { i } } as never);
      // a crash in the middle of the next line: half a line hits the disk, then the process dies
      fs.appendFileSync(${JSON.stringify(path.join(root, 'trades', 'trades-2026-03-01.jsonl'))}, '{"timestamp":"2026-03-01T23:59:59.999Z","event_ty');
      process.kill(process.pid, 'SIGKILL');
    `,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.signal).toBe('SIGKILL');
    const file = path.join(root, 'trades', 'trades-2026-03-01.jsonl');
    const stats = newReadStats();
    const ev = await collect(readEventFile(file, { stats }));
    expect(ev).toHaveLength(50);
    expect(ev.map((e) => (e as unknown as { fill: { i: number } }).fill.i)).toEqual([...Array(50).keys()]);
    expect(stats.tornTails).toEqual([file]);
    expect(stats.badLines).toEqual([]);
    // the restarted writer starts on a fresh line: the torn line stays alone and is reported, not glued to new events
    const log = new EventLog({ root });
    log.write('trades', {
      timestamp: new Date(DAY1_LAST).toISOString(),
      event_type: 'fill',
      strategy: 's',
      fill: { i: 50 },
    } as never);
    log.close();
    const stats2 = newReadStats();
    const ev2 = await collect(readEventFile(file, { stats: stats2 }));
    expect(ev2).toHaveLength(51);
    expect(stats2.tornTails).toEqual([]);
    expect(stats2.badLines).toHaveLength(1);
    expect(stats2.badLines[0]!.line).toBe(51);
    await expect(collect(readEventFile(file, { strict: true }))).rejects.toMatchObject({
      code: 'DATA_ERROR',
      message: expect.stringContaining(':51:'),
    });
  });

  it('refuses values JSON would silently lose, bad names and bad timestamps; nothing is written', () => {
    const log = new EventLog({ root });
    const bad = (fn: () => unknown, re: RegExp) => {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Tg4Error);
      expect((err as Tg4Error).code).toBe('INVALID_ARGUMENT');
      expect((err as Error).message).toMatch(re);
    };
    bad(
      () => log.signal({ time: DAY1_LAST, strategy: 'ema9', action: 'buy', price: NaN, dataHash: 'x' }),
      /'price' is NaN.*use null/,
    );
    bad(
      () => log.signal({ time: DAY1_LAST, strategy: '../etc', action: 'buy', price: 1, dataHash: 'x' }),
      /strategy name/,
    );
    bad(
      () => log.signal({ time: DAY1_LAST, strategy: 'ema9', action: 'moon' as never, price: 1, dataHash: 'x' }),
      /action/,
    );
    bad(() => log.system({ time: NaN, level: 'info', component: 'c', message: 'm' }), /event time must be finite/);
    bad(
      () => log.write('nope' as never, { timestamp: '2026-01-01T00:00:00Z', event_type: 'x' } as never),
      /unknown log stream/,
    );
    log.close();
    expect(listLogFiles({ root, stream: 'strategies' })).toEqual([]);
    bad(() => log.system({ time: DAY1_LAST, level: 'info', component: 'c', message: 'm' }), /closed/);
  });

  it('logs executor fills and closed trades to the trades stream with the executor’s numbers', async () => {
    const ex = new PaperExecutor({ symbols: ['BTC/USD'] });
    ex.createPortfolio('ema9', 10_000);
    const log = new EventLog({ root });
    logExecutorEvents(ex, log);
    ex.marketOrder(
      { portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 0.25, clientId: 'sig-1' },
      20_000,
      DAY1_LAST,
    );
    ex.marketOrder({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'sell', size: 0.25 }, 21_000, DAY2_FIRST);
    ex.submit({ portfolio: 'ema9', symbol: 'BTC/USD', side: 'buy', size: 5 });
    ex.onBar('BTC/USD', { time: DAY2_FIRST + 3600_000, open: 20_000, high: 20_000, low: 20_000, close: 20_000 });
    log.close();
    const trades = await collect(readEventStream({ root, stream: 'trades' }));
    expect(trades.map((e) => e.event_type)).toEqual(['fill', 'fill', 'trade']);
    expect(listLogFiles({ root, stream: 'trades' }).map((f) => path.basename(f))).toEqual([
      'trades-2026-03-01.jsonl',
      'trades-2026-03-02.jsonl',
    ]);
    const t = trades[2] as Extract<LogEvent, { event_type: 'trade' }>;
    expect(t.trade).toMatchObject({
      side: 'long',
      entry_price: 20_010,
      exit_price: 20_989.5,
      exit_reason: 'order',
      opened_at: '2026-03-01T23:59:59.999Z',
    });
    expect(Math.abs(t.trade.pnl - 234.625125)).toBeLessThan(1e-9);
    expect((trades[0] as Extract<LogEvent, { event_type: 'fill' }>).fill.client_id).toBe('sig-1');
    const log2 = new EventLog({ root });
    logPortfolioMetrics(log2, ex.portfolio('ema9'), DAY2_FIRST + 7200_000);
    log2.close();
    const agg = await collect(readEventStream({ root, stream: 'aggregated' }));
    expect(agg[0]).toMatchObject({
      event_type: 'metrics',
      strategy: 'ema9',
      metrics: { totalTrades: 1, winningTrades: 1, pnlBySymbol: { 'BTC/USD': expect.any(Number) } },
    });
    const rej = await collect(readEventStream({ root, stream: 'strategies', strategy: 'ema9' }));
    expect(rej).toHaveLength(1);
    expect(rej[0]).toMatchObject({ event_type: 'order_rejected', code: 'ORDER_REJECTED', symbol: 'BTC/USD' });
  });
});
