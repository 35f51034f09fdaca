// One indicator state shared by every feature of a lane that needs it (the regime reads the same ADX, RSI and EMAs as
// the standalone features): it steps once per bar however many features read it, so shared and unshared give the
// same numbers and the work is done once.
import type { InputBar } from './input.ts';

export class Shared<T> {
  private seq = -1;
  constructor(
    readonly state: T,
    private readonly step: (state: T, bar: InputBar) => void,
  ) {}

  /** The state after this bar (stepped on the first call for the bar). */
  sync(bar: InputBar): T {
    if (this.seq !== bar.seq) {
      this.step(this.state, bar);
      this.seq = bar.seq;
    }
    return this.state;
  }
}
