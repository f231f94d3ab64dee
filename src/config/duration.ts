// Go's time.ParseDuration grammar (what metav1.Duration accepts): `90s`, `1m30s`, `1.5h`, `300ms`,
// `0`. Parsed exactly in nanoseconds; callers round to the unit FRR takes.
const UNIT_NANOSECONDS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX_NANOSECONDS = (1n << 63n) - 1n;
const TERM = /^([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/;

/** Nanoseconds, or undefined when `text` is not a Go duration (or overflows int64 like Go's does). */
export function parseGoDuration(text: string): bigint | undefined {
  let rest = text;
  let sign = 1n;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1n;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const match = TERM.exec(rest);
    if (match === null) return undefined;
    const whole = match[1] ?? '';
    const fraction = match[2] ?? '';
    const unit = UNIT_NANOSECONDS[match[3] ?? ''];
    if (unit === undefined || (whole === '' && fraction === '')) return undefined;
    // Exact up to the nanosecond, as Go: fraction digits beyond the unit's precision are truncated.
    let value = BigInt(whole === '' ? '0' : whole) * unit;
    let scale = unit;
    for (const digit of fraction) {
      scale /= 10n;
      if (scale === 0n) break;
      value += BigInt(digit) * scale;
    }
    total += value;
    if (total > MAX_NANOSECONDS) return undefined;
    rest = rest.slice(match[0].length);
  }
  return sign * total;
}

/** Whole seconds, truncated toward zero (MetalLB renders `int(d.Seconds())`). */
export function wholeSeconds(nanoseconds: bigint): number {
  return Number(nanoseconds / 1_000_000_000n);
}
