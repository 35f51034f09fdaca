// Buy and hold: long from the first decision to the end. The benchmark every strategy has to beat after costs.
import type { BaselinePolicy } from './policy.ts';

export function buyAndHold(): BaselinePolicy {
  return { name: 'buy-and-hold', prepare(): void {}, position: () => 1 };
}
