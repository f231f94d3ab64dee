// A Prometheus counter fed from counters someone else keeps (FRR's message and packet counts): each
// observation adds the increase since the previous one; a value that went down means the source
// restarted, and then the whole new value is the increase. Label sets not observed again are removed.
import { Counter, type Registry } from 'prom-client';

export class ObservedCounter<L extends string> {
  private readonly counter: Counter<L>;
  private readonly last = new Map<string, number>();
  private seen = new Set<string>();

  constructor(registry: Registry, name: string, help: string, labelNames: readonly L[]) {
    this.counter = new Counter({ name, help, labelNames, registers: [registry] });
  }

  observe(labels: Record<L, string>, value: number | undefined): void {
    if (value === undefined) return;
    const key = JSON.stringify(labels);
    this.seen.add(key);
    const previous = this.last.get(key);
    const increase = previous === undefined || value < previous ? value : value - previous;
    this.last.set(key, value);
    if (increase > 0) this.counter.inc(labels, increase);
    else this.counter.inc(labels, 0);
  }

  /** Ends one round of observations: label sets not observed in it are dropped. */
  endRound(): void {
    for (const key of this.last.keys()) {
      if (this.seen.has(key)) continue;
      this.last.delete(key);
      this.counter.remove(JSON.parse(key) as Record<L, string>);
    }
    this.seen = new Set();
  }
}
