// The discrete action mask, one rule for the env (TradingCore.actionMask) and the live loop (TargetTrader.mask), so that
// a policy is never offered other actions live than in training: levels beyond the leverage caps are never allowed;
// while a cooldown runs (flat after an exit) only the zero level is; with a cooldown configured, a position's opposite
// side is not (a flip would close and re-enter at once). Never all zero: with nothing allowed, everything is.

/** Writes the mask of `levels` into out[offset …] (1 = allowed) for a position of signed size `cur`. */
export function maskLevels(
  levels: Float64Array,
  cur: number,
  cooling: boolean,
  cooldownBars: number,
  maxLongLeverage: number,
  maxShortLeverage: number,
  out: Uint8Array,
  offset: number,
): void {
  const noFlip = cur !== 0 && cooldownBars > 0;
  const blocked = cur === 0 && cooling;
  let any = 0;
  for (let k = 0; k < levels.length; k++) {
    const v = levels[k]!;
    const capOk = v > 0 ? v <= maxLongLeverage : v < 0 ? -v <= maxShortLeverage : true;
    const entryOk = v === 0 || (!blocked && !(noFlip && v > 0 !== cur > 0));
    const ok = capOk && entryOk ? 1 : 0;
    out[offset + k] = ok;
    any |= ok;
  }
  if (!any) for (let k = 0; k < levels.length; k++) out[offset + k] = 1;
}
