// The live loop, as it writes its JSONL event logs (src/logging/event-log.ts, the bot's layout) under runs/live/
// (`tg4 live --out`; `tg4 dashboard --logs`):
// system/ (feed health: connects, drops, staleness), strategies/ (each decision, with the equity it saw), trades/
// (fills, closed trades, rejected orders). The panel folds the newest day files of each stream into one state —
// feed health, positions, equity per strategy, recent decisions and fills — and pushes it again whenever a file grows.
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import { JsonlFollower, type BadLine } from '../../report/jsonl.ts';
import { DashboardError } from '../errors.ts';
import type { DataSource, Push } from '../source.ts';

const STREAMS = ['system', 'strategies', 'trades'] as const;
/** Day files read per stream (the newest): a long-running loop's history is not re-read whole. */
const DAYS = 3;
const RECENT = 50;
const MAX_EQUITY_POINTS = 5000;
const POLL_MS = 500;
const DAY_FILE = /^[A-Za-z0-9._-]+-\d{4}-\d{2}-\d{2}\.jsonl$/;
/** The one log root this panel reads; the id the page asks for. */
const ID = 'logs';

type Event = Record<string, unknown> & { timestamp?: string; event_type?: string; strategy?: string };

export interface LiveFill {
  time: number;
  strategy: string;
  symbol: string;
  side: string;
  size: number;
  price: number;
  fee: number;
  reason: string;
  positionAfter: number;
  realizedPnl: number;
}

export interface LiveDecision {
  time: number;
  strategy: string;
  symbol: string;
  action: string;
  price: number;
  targetExposure: number | null;
  exposure: number | null;
  equity: number | null;
}

export interface LiveState {
  feed: {
    status: 'connected' | 'disconnected' | 'stale' | 'unknown';
    since: number | null;
    events: { time: number; level: string; message: string }[];
  };
  positions: { strategy: string; symbol: string; size: number; lastFillPrice: number; updated: number }[];
  /** Equity after each decision, per strategy (the portfolio id): times in ms. */
  equity: Record<string, { time: number[]; equity: number[] }>;
  decisions: LiveDecision[];
  fills: LiveFill[];
  rejected: { time: number; strategy: string; symbol: string; reason: string }[];
  lastEvent: number | null;
  badLines: (BadLine & { file: string })[];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const pushCapped = <T>(a: T[], v: T, cap: number): void => {
  a.push(v);
  if (a.length > cap) a.splice(0, a.length - cap);
};

/** Folds log events, in file order, into what the panel shows. */
export class LiveFold {
  readonly state: LiveState = {
    feed: { status: 'unknown', since: null, events: [] },
    positions: [],
    equity: {},
    decisions: [],
    fills: [],
    rejected: [],
    lastEvent: null,
    badLines: [],
  };

  add(e: Event): void {
    const time = Date.parse(str(e.timestamp));
    if (!Number.isFinite(time)) return;
    const s = this.state;
    s.lastEvent = Math.max(s.lastEvent ?? time, time);
    const strategy = str(e.strategy);
    switch (e.event_type) {
      case 'system': {
        const message = str(e['message']);
        if (e['component'] === 'live.feed') {
          const status = message.startsWith('connected')
            ? 'connected'
            : message.startsWith('disconnected')
              ? 'disconnected'
              : message.startsWith('feed stale')
                ? 'stale'
                : null;
          if (status !== null && status !== s.feed.status) {
            s.feed.status = status;
            s.feed.since = time;
          }
        }
        pushCapped(s.feed.events, { time, level: str(e['level']), message }, 20);
        break;
      }
      case 'signal': {
        const sig = (e['signal'] ?? {}) as Record<string, unknown>;
        const ind = (e['indicators'] ?? {}) as Record<string, unknown>;
        const d: LiveDecision = {
          time,
          strategy,
          symbol: str(e['symbol']),
          action: str(sig['action']),
          price: num(sig['price']) ?? Number.NaN,
          targetExposure: num(ind['target_exposure']),
          exposure: num(ind['exposure']),
          equity: num(ind['equity']),
        };
        pushCapped(s.decisions, d, RECENT);
        if (d.equity !== null) {
          s.equity[strategy] ??= { time: [], equity: [] };
          const eq = s.equity[strategy]!;
          pushCapped(eq.time, time, MAX_EQUITY_POINTS);
          pushCapped(eq.equity, d.equity, MAX_EQUITY_POINTS);
        }
        break;
      }
      case 'fill': {
        const f = (e['fill'] ?? {}) as Record<string, unknown>;
        const fill: LiveFill = {
          time,
          strategy,
          symbol: str(f['symbol']),
          side: str(f['side']),
          size: num(f['size']) ?? Number.NaN,
          price: num(f['price']) ?? Number.NaN,
          fee: num(f['fee']) ?? 0,
          reason: str(f['reason']),
          positionAfter: num(f['position_after']) ?? 0,
          realizedPnl: num(f['realized_pnl']) ?? 0,
        };
        pushCapped(s.fills, fill, RECENT);
        const p = s.positions.find((x) => x.strategy === strategy && x.symbol === fill.symbol);
        if (p === undefined)
          s.positions.push({
            strategy,
            symbol: fill.symbol,
            size: fill.positionAfter,
            lastFillPrice: fill.price,
            updated: time,
          });
        else Object.assign(p, { size: fill.positionAfter, lastFillPrice: fill.price, updated: time });
        break;
      }
      case 'order_rejected':
        pushCapped(s.rejected, { time, strategy, symbol: str(e['symbol']), reason: str(e['reason']) }, 20);
        break;
    }
  }
}

export class LiveSource implements DataSource {
  readonly name = 'live';
  readonly reads = 'runs/live/ (the live loop JSONL event logs: system/, strategies/, trades/)';

  constructor(private readonly root: string) {}

  private checkId(id: string): void {
    if (id !== ID) throw new DashboardError(404, `the live panel has one item, '${ID}' (got '${id.slice(0, 40)}')`);
  }

  /** The newest day files of each stream, oldest first (events of a day in file order). */
  private files(): string[] {
    const out: string[] = [];
    for (const s of STREAMS) {
      const dir = join(this.root, s);
      if (!existsSync(dir)) continue;
      const names = readdirSync(dir).filter((n) => DAY_FILE.test(n));
      // '<prefix>-YYYY-MM-DD.jsonl': the day is the name's last 16 characters (one file per strategy and day).
      const days = [...new Set(names.map((n) => n.slice(-16, -6)))].sort().slice(-DAYS);
      out.push(...names.filter((n) => days.includes(n.slice(-16, -6))).map((n) => join(dir, n)));
    }
    return out;
  }

  list(): { id: string; root: string; files: number; updated: number | null }[] {
    if (!existsSync(this.root)) return [];
    const files = this.files();
    return [
      {
        id: ID,
        root: basename(this.root),
        files: files.length,
        updated: files.length ? Math.max(...files.map((f) => statSync(f).mtimeMs)) : null,
      },
    ];
  }

  /** Events of all followed files read so far, folded in time order. */
  private foldAll(
    followers: Map<string, JsonlFollower<Event>>,
    events: Map<string, Event[]>,
    final: boolean,
    fold: LiveFold,
  ): boolean {
    let changed = false;
    for (const f of this.files()) if (!followers.has(f)) followers.set(f, new JsonlFollower<Event>(f));
    for (const [f, follower] of followers) {
      const { records, bad, reset } = follower.read(final);
      if (records.length === 0 && bad.length === 0 && !reset) continue;
      changed = true;
      const list = reset ? [] : (events.get(f) ?? []);
      list.push(...records);
      events.set(f, list);
      for (const b of bad) fold.state.badLines.push({ ...b, file: f.slice(this.root.length + 1) });
    }
    return changed;
  }

  private snapshot(events: Map<string, Event[]>, bad: LiveState['badLines']): LiveState {
    const all = [...events.values()].flat();
    all.sort((a, b) => Date.parse(str(a.timestamp)) - Date.parse(str(b.timestamp)));
    const fold = new LiveFold();
    for (const e of all) fold.add(e);
    fold.state.badLines = bad.slice(-20);
    return fold.state;
  }

  get(id: string): LiveState {
    this.checkId(id);
    const scratch = new LiveFold();
    const events = new Map<string, Event[]>();
    this.foldAll(new Map(), events, true, scratch);
    return this.snapshot(events, scratch.state.badLines);
  }

  /** Pushes {type:'state'} now and after every change of the log files (a new day file included). */
  watch(id: string, push: Push): () => void {
    this.checkId(id);
    const followers = new Map<string, JsonlFollower<Event>>();
    const events = new Map<string, Event[]>();
    const scratch = new LiveFold();
    let closed = false;
    const check = (force = false): void => {
      if (closed) return;
      if (this.foldAll(followers, events, false, scratch) || force)
        push({ type: 'state', source: this.name, id, state: this.snapshot(events, scratch.state.badLines) });
    };
    const watchers: FSWatcher[] = [];
    for (const s of STREAMS) {
      try {
        const w = watch(join(this.root, s), { persistent: false }, () => check());
        w.on('error', () => w.close());
        watchers.push(w);
      } catch {
        // not there yet: the poll picks it up
      }
    }
    const timer = setInterval(() => check(), POLL_MS);
    timer.unref();
    check(true);
    return () => {
      closed = true;
      clearInterval(timer);
      for (const w of watchers) w.close();
    };
  }
}
