// On-balance volume: a running total that adds the bar's volume on an up close and subtracts it on a down close.
export class Obv {
  private prev = NaN;
  value = 0;
  get ready(): boolean {
    return true;
  }
  update(close: number, volume: number): number {
    if (this.prev === this.prev) {
      if (close > this.prev) this.value += volume;
      else if (close < this.prev) this.value -= volume;
    }
    this.prev = close;
    return this.value;
  }
}
