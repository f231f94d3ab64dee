// A token bucket per key: `burst` events at once, then one more each `refillMs`. Pure apart from the
// clock passed in; keeps at most `maxKeys` buckets (least recently used go first).

export interface RateLimit {
  readonly burst: number;
  readonly refillMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly maxKeys = 4096,
  ) {}

  /** Takes one token for `key` at time `now` (ms); false when none is left. */
  take(key: string, now: number): boolean {
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, updatedAt: now };
    const refilled = this.limit.refillMs > 0 ? (now - bucket.updatedAt) / this.limit.refillMs : Infinity;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + refilled);
    bucket.updatedAt = now;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
