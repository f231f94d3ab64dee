// A gauge kept as Prometheus text, one block per owner: the speaker's `metallb_speaker_announced`
// has one series per Service IP and changes one Service at a time, while prom-client formats every
// label set again on each scrape (60–110 ms at 10,000 Services, all of it on the event loop). Here a
// change renders its owner's lines and a scrape joins strings. The gauge is attached to a registry
// and served with it (serveMetrics); `registry.metrics()` alone does not include it.
import type { Registry } from 'prom-client';

/** Prometheus text format: a label value escapes backslash, double quote and newline. */
function labelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class PrerenderedGauge {
  private readonly blocks = new Map<string, string>();
  private readonly header: string;

  constructor(
    private readonly name: string,
    help: string,
    registry: Registry,
  ) {
    this.header = `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} gauge\n`;
    attached.set(registry, [...(attached.get(registry) ?? []), this]);
  }

  /** The series of one owner (e.g. a Service) now: label sets and values; none removes them. */
  set(owner: string, series: readonly { labels: Readonly<Record<string, string>>; value: number }[]): void {
    if (series.length === 0) {
      this.blocks.delete(owner);
      return;
    }
    const lines = new Set(
      series.map(({ labels, value }) => {
        const pairs = Object.entries(labels).map(([label, text]) => `${label}="${labelValue(text)}"`);
        return `${this.name}{${pairs.join(',')}} ${value}\n`;
      }),
    );
    this.blocks.set(owner, [...lines].join(''));
  }

  /** The whole metric in Prometheus text format. */
  text(): string {
    return this.header + [...this.blocks.values()].join('');
  }
}

const attached = new WeakMap<Registry, PrerenderedGauge[]>();

/** The registry's metrics with the prerendered gauges attached to it. */
export async function metricsText(registry: Registry): Promise<string> {
  const gauges = attached.get(registry) ?? [];
  return (await registry.metrics()) + gauges.map((gauge) => gauge.text()).join('');
}
