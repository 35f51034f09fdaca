// True range and Average True Range (Wilder). The first bar's true range is high − low (no previous close).
import { WilderSmoother } from './rolling.ts';

export function trueRange(high: number, low: number, prevClose: number): number {
  if (prevClose !== prevClose) return high - low;
  return Math.max(high - low, Math.abs(high - prevClose), Math.abs(low - prevClose));
}

export class Atr {
  private readonly smooth: WilderSmoother;
  private prevClose = NaN;
  value = NaN;
  constructor(readonly period: number) {
    this.smooth = new WilderSmoother(period);
  }
  get ready(): boolean {
    return this.smooth.ready;
  }
  update(high: number, low: number, close: number): number {
    this.value = this.smooth.update(trueRange(high, low, this.prevClose));
    this.prevClose = close;
    return this.value;
  }
}
