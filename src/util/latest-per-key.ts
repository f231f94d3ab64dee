// Writes the latest value per key, at most `concurrency` writes at a time, oldest key first. A value
// set again before its write started replaces the waiting one (a Service's status changing twice in
// a burst is written once); one set while its key is being written is written after that write, so
// the last value set is the last written. Failed writes wait for `retry()`.

export class LatestPerKey<V> {
  private readonly waiting = new Map<string, V>();
  private readonly writing = new Set<string>();
  private readonly failed = new Map<string, V>();
  private idleWaiters: (() => void)[] = [];

  /** @param write resolves false (or rejects) when the value was not written */
  constructor(
    private readonly concurrency: number,
    private readonly write: (key: string, value: V) => Promise<boolean>,
  ) {}

  set(key: string, value: V): void {
    this.failed.delete(key);
    this.waiting.set(key, value);
    this.pump();
  }

  /** The failed writes again, unless a newer value was set meanwhile. */
  retry(): void {
    for (const [key, value] of this.failed) if (!this.waiting.has(key)) this.waiting.set(key, value);
    this.failed.clear();
    this.pump();
  }

  /** Writes waiting or running. */
  get size(): number {
    return this.waiting.size + this.writing.size;
  }

  /** Resolves once nothing waits or runs (failed writes do not count). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    for (const [key, value] of this.waiting) {
      if (this.writing.size >= this.concurrency) return;
      // at most `concurrency` keys are skipped here: those being written
      if (this.writing.has(key)) continue;
      this.waiting.delete(key);
      this.writing.add(key);
      void this.write(key, value)
        .catch(() => false)
        .then((written) => {
          this.writing.delete(key);
          if (!written && !this.waiting.has(key)) this.failed.set(key, value);
          this.pump();
          if (this.size === 0) for (const done of this.idleWaiters.splice(0)) done();
        });
    }
  }
}
