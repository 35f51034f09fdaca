// The live panel's fold over the bot's JSONL events: feed health from the loop's live.feed messages, positions from
// each fill's position_after, equity per strategy from its decisions, the recent lists capped, undated events ignored.
import { describe, expect, it } from 'vitest';
import { LiveFold } from '../../src/dashboard/sources/live.ts';

const at = (s: number): string => new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString();
const feed = (s: number, message: string) => ({
  timestamp: at(s),
  event_type: 'system',
  level: 'info',
  component: 'live.feed',
  message,
});
const fill = (s: number, side: string, size: number, price: number, after: number) => ({
  timestamp: at(s),
  event_type: 'fill',
  strategy: 'p1',
  fill: {
    symbol: 'BTC/USD',
    side,
    size,
    price,
    ref_price: price,
    fee: 0.1,
    realized_pnl: 0,
    reason: 'order',
    position_after: after,
    order_id: null,
    client_id: null,
  },
});
const signal = (s: number, equity: number) => ({
  timestamp: at(s),
  event_type: 'signal',
  strategy: 'p1',
  symbol: 'BTC/USD',
  signal: { action: 'buy', price: 100, stop_loss: null, take_profit: null },
  indicators: { action: 2, target_exposure: 1, exposure: 0, equity },
  data_hash: 'x',
});

describe('LiveFold', () => {
  it('feed status follows connects, drops and staleness, with the time it changed', () => {
    const f = new LiveFold();
    f.add(feed(1, 'connected to ws://x (attempt 1)'));
    f.add(feed(2, 'exchange status online'));
    expect(f.state.feed).toMatchObject({ status: 'connected', since: Date.parse(at(1)) });
    f.add(feed(3, 'feed stale: no message for 10000 ms; reconnecting'));
    f.add(feed(4, 'disconnected: 1006'));
    expect(f.state.feed).toMatchObject({ status: 'disconnected', since: Date.parse(at(4)) });
    expect(f.state.feed.events).toHaveLength(4);
  });

  it('positions are the last fill per strategy and symbol; equity comes from the decisions', () => {
    const f = new LiveFold();
    f.add(signal(1, 10_000));
    f.add(fill(2, 'buy', 0.5, 100, 0.5));
    f.add(signal(3, 10_050));
    f.add(fill(4, 'sell', 0.5, 110, 0));
    expect(f.state.positions).toEqual([
      { strategy: 'p1', symbol: 'BTC/USD', size: 0, lastFillPrice: 110, updated: Date.parse(at(4)) },
    ]);
    expect(f.state.equity['p1']).toEqual({ time: [Date.parse(at(1)), Date.parse(at(3))], equity: [10_000, 10_050] });
    expect(f.state.fills.map((x) => [x.side, x.size, x.price, x.positionAfter])).toEqual([
      ['buy', 0.5, 100, 0.5],
      ['sell', 0.5, 110, 0],
    ]);
    expect(f.state.lastEvent).toBe(Date.parse(at(4)));
  });

  it('keeps the last 50 decisions and fills, and ignores events without a valid timestamp', () => {
    const f = new LiveFold();
    for (let s = 0; s < 70; s++) f.add(fill(s, 'buy', 1, 100 + s, s + 1));
    f.add({ ...fill(99, 'buy', 1, 1, 1), timestamp: 'yesterday' });
    expect(f.state.fills).toHaveLength(50);
    expect(f.state.fills[0]!.price).toBe(120);
    expect(f.state.positions[0]!.size).toBe(70);
  });
});
