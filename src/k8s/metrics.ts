// MetalLB's `metallb_k8s_client_*` metrics (docs/metallb-compatibility.md §3), registered once per
// prom-client Registry and shared by every informer of a process.
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

export interface K8sClientMetrics {
  /** Object changes (add, update, delete) delivered to handlers. */
  readonly updates: Counter;
  /** Deliveries whose handler failed (threw or rejected). */
  readonly updateErrors: Counter;
  /** 1 once a configuration was loaded (set by the reconciler). */
  readonly configLoaded: Gauge;
  /** 1 while the running configuration is older than the cluster's (set by the reconciler). */
  readonly configStale: Gauge;
}

const byRegistry = new WeakMap<Registry, K8sClientMetrics>();

export function k8sClientMetrics(registry: Registry): K8sClientMetrics {
  const known = byRegistry.get(registry);
  if (known) return known;
  const metrics: K8sClientMetrics = {
    updates: new Counter({
      name: 'metallb_k8s_client_updates_total',
      help: 'Number of k8s object updates that have been processed.',
      registers: [registry],
    }),
    updateErrors: new Counter({
      name: 'metallb_k8s_client_update_errors_total',
      help: 'Number of k8s object updates that failed for some reason.',
      registers: [registry],
    }),
    configLoaded: new Gauge({
      name: 'metallb_k8s_client_config_loaded_bool',
      help: '1 if the MetalLB configuration was successfully loaded at least once.',
      registers: [registry],
    }),
    configStale: new Gauge({
      name: 'metallb_k8s_client_config_stale_bool',
      help: '1 if running on a stale configuration, because the latest config failed to load.',
      registers: [registry],
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
