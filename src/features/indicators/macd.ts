// MACD: EMA(fast) − EMA(slow); the signal EMA starts on the first MACD value (bar slow − 1), as trading-signals does.
import { Ema } from './moving-averages.ts';

export class Macd {
  private readonly fastEma: Ema;
  private readonly slowEma: Ema;
  private readonly signalEma: Ema;
  macd = NaN;
  signal = NaN;
  histogram = NaN;

  constructor(
    readonly fast: number,
    readonly slow: number,
    readonly signalPeriod: number,
  ) {
    this.fastEma = new Ema(fast);
    this.slowEma = new Ema(slow);
    this.signalEma = new Ema(signalPeriod);
  }

  get ready(): boolean {
    return this.signalEma.ready;
  }

  update(close: number): void {
    const f = this.fastEma.update(close);
    const s = this.slowEma.update(close);
    if (!this.slowEma.ready) return;
    this.macd = f - s;
    this.signal = this.signalEma.update(this.macd);
    this.histogram = this.macd - this.signal;
  }
}
