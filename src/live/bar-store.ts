// Writes closed live bars into PostgreSQL's `candles` table (replay/schema): the same table and primary key as
// `tg4 data ingest`, with ON CONFLICT DO NOTHING, so that a live run and a later ingest of Kraken's archive for the same
// interval store each bar once (first writer wins) and live data becomes tomorrow's training data. Bars synthesised for
// intervals with no trade are not stored: the archives do not have them either, and the reader fills them again.
import type pg from 'pg';
import { connectClient, requireMigrated } from '../../replay/index.ts';
import type { ClosedBar } from './candle-series.ts';

export class BarStore {
  private readonly client: pg.Client;
  private chain: Promise<void> = Promise.resolve();
  /** Rows written (new) and rows already present. */
  readonly counts = { inserted: 0, present: 0, failed: 0 };
  lastError: Error | null = null;

  private constructor(client: pg.Client) {
    this.client = client;
  }

  static async open(url: string): Promise<BarStore> {
    const c = await connectClient(url);
    try {
      await requireMigrated(c, url);
    } catch (e) {
      await c.end();
      throw e;
    }
    return new BarStore(c);
  }

  /** Queues one bar (writes are serialised in arrival order); a failure is counted and kept, never thrown at the loop. */
  write(b: ClosedBar): void {
    if (b.filled) return;
    this.chain = this.chain.then(async () => {
      try {
        const r = await this.client.query(
          `INSERT INTO candles (symbol, timeframe, time, open, high, low, close, volume, trades, vwap)
           VALUES ($1, $2, to_timestamp($3::double precision / 1000), $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
          [
            b.symbol,
            b.timeframe,
            b.time,
            b.open,
            b.high,
            b.low,
            b.close,
            b.volume,
            Number.isFinite(b.trades) ? Math.round(b.trades) : null,
            Number.isFinite(b.vwap) ? b.vwap : null,
          ],
        );
        if (r.rowCount === 1) this.counts.inserted++;
        else this.counts.present++;
      } catch (e) {
        this.counts.failed++;
        this.lastError = e as Error;
      }
    });
  }

  /** Waits for queued writes. */
  flush(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.client.end();
  }
}
