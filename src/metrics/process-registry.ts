// The registry behind a ferry process's /metrics: prom-client's default Node.js metrics (CPU,
// memory, heap spaces, GC, handles, and the event-loop lag as `nodejs_eventloop_lag_*`), to which
// each component adds its own. The event-loop lag is the one that tells a saturated speaker (a
// burst of Service events, an apply waiting its turn) from a slow FRR.
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * Sampling resolution of the event-loop delay histogram, in ms (Node's monitorEventLoopDelay). The
 * histogram is reset at every scrape: `nodejs_eventloop_lag_p99_seconds` and `_max_seconds` describe
 * the time since the previous scrape.
 */
export const EVENT_LOOP_RESOLUTION_MS = 10;

export function createProcessRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
  return registry;
}
