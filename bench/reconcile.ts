// The speaker's reconcile at scale, without FRR or Kubernetes: N Services (ETP Cluster, one
// EndpointSlice each, node-21's endpoint) from deploy/examples' configuration, then one-Service
// events (a Service's IP moves to a free one: one /32 withdrawn, one announced), timed in CPU.
// Two paths over the same objects, in the same process:
//   incremental — what the speaker does per event now: Reconciler.reconcileChanges (that Service's
//     decision, its routes and network lines), the sync loop's plan from the typed network edits;
//     and, once per apply (debounced, not per event), the frr.conf text rendered;
//   full — what it did per event before: Config built, announcements over every Service (per-Service
//     memo), FRR model, frr.conf text, plan from the text diff.
// Prints CPU ms per event at each N and the ratios between Ns, with the load average.
// Run: npx tsc -p tsconfig.json && node dist/bench/reconcile.js [N,N,…] (default 1000,10000,50000)
import { loadavg } from 'node:os';
import { ServiceDecisionMemo } from '../src/announce/index.js';
import type { EndpointSliceInfo, ServiceInfo } from '../src/api/cluster.js';
import { loadManifestDirectory } from '../src/api/load-directory.js';
import type { Resources } from '../src/api/resources.js';
import { buildConfig } from '../src/config/build-config.js';
import { planChange, planChangeWith } from '../src/frr/apply/plan.js';
import { defaultFrrRenderer } from '../src/frr/templates.js';
import { frrConfigForNode, nodeNamed } from '../src/node-pipeline/node-config.js';
import { createReconciler } from '../src/speaker/reconciler.js';
import { packageRoot } from '../src/util/package-root.js';
import { endpoint, service as fixtureService, slice as fixtureSlice } from '../test/support/builders.js';

const counts = (process.argv[2] ?? '1000,10000,50000').split(',').map(Number);
const examples = loadManifestDirectory(`${packageRoot()}/deploy/examples`).resources;
const pool = {
  ...examples.ipAddressPools[0]!,
  spec: { ...examples.ipAddressPools[0]!.spec, addresses: ['198.18.0.0/15'] },
};
const ip = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const service = (i: number, at = i) => fixtureService(`default/svc-${i}`, { ingressIPs: [ip(at)] });
const slice = (i: number) => fixtureSlice(`default/svc-${i}`, [endpoint('node-21')], '1');
const render = defaultFrrRenderer();

function cpuMs(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

interface Measured {
  readonly count: number;
  readonly incrementalEventMs: number;
  readonly applyRenderMs: number;
  readonly fullEventMs: number;
}

function measure(count: number): Measured {
  const services: ServiceInfo[] = Array.from({ length: count }, (_, i) => service(i));
  const slices: EndpointSliceInfo[] = Array.from({ length: count }, (_, i) => slice(i));
  const resources: Resources = { ...examples, ipAddressPools: [pool], services, endpointSlices: slices };
  // The moving Service i goes to a free IP and back; each move is one informer event.
  const moved = (event: number) => {
    const which = Math.floor(event / 2) % count;
    return service(which, event % 2 === 0 ? count + 1 : which);
  };

  // incremental: the reconciler as the speaker runs it
  const reconciler = createReconciler({ nodeName: 'node-21', namespace: 'metallb-system', render });
  const first = reconciler.reconcile(resources);
  let accepted = { desired: first.desired!, text: first.desired!.text() };
  const events = 400;
  let incrementalMs = 0;
  let renderMs = 0;
  for (let event = 0; event < events; event++) {
    const object = moved(event);
    let edits: ReturnType<NonNullable<typeof accepted.desired.networkEditsSince>>;
    let outcome = first;
    incrementalMs += cpuMs(() => {
      outcome = reconciler.reconcileChanges([
        { kind: 'service', key: `${object.namespace}/${object.name}`, object },
      ])!;
      // the announced metric and Service events read the changed Service's decisions
      for (const key of outcome.changedServices === 'all' ? [] : outcome.changedServices)
        outcome.decisionsOf(key);
      edits = outcome.desired!.networkEditsSince!(accepted.desired);
    });
    // once per apply: the text (frr.conf is written, drift checks compare it) and the typed plan
    renderMs += cpuMs(() => {
      const text = outcome.desired!.text();
      const plan = planChangeWith(accepted.text, text, edits && { from: accepted.text, edits });
      if (plan.kind !== 'incremental') throw new Error(`expected an incremental plan, got ${plan.kind}`);
      accepted = { desired: outcome.desired!, text };
    });
  }

  // full: the pipeline as the reconciler ran it on every event before
  const memo = new ServiceDecisionMemo();
  const node = nodeNamed(resources.nodes, 'node-21').node;
  const fullRender = (current: Resources) => {
    const config = buildConfig(current, { namespace: 'metallb-system' }).config;
    JSON.stringify(config);
    return frrConfigForNode(
      { config, node, services: current.services, endpointSlices: current.endpointSlices },
      render,
      memo,
    ).text;
  };
  let previous = fullRender(resources);
  const fullEvents = Math.max(3, Math.round(200_000 / count));
  let fullMs = 0;
  const current = [...services];
  for (let event = 0; event < fullEvents; event++) {
    const object = moved(event);
    current[event % count] = object;
    fullMs += cpuMs(() => {
      // the informers' snapshot merged into one Resources, as cluster-inputs did per reconcile
      const next = fullRender({ ...resources, services: [...current], endpointSlices: [...slices] });
      planChange(previous, next);
      previous = next;
    });
  }
  return {
    count,
    incrementalEventMs: incrementalMs / events,
    applyRenderMs: renderMs / events,
    fullEventMs: fullMs / fullEvents,
  };
}

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
console.log(`load average at start: ${load()}`);
const results = counts.map((count) => {
  const result = measure(count);
  console.log(
    `${String(count).padStart(6)} Services: incremental ${result.incrementalEventMs.toFixed(3)} ms CPU per event` +
      ` (+ ${result.applyRenderMs.toFixed(1)} ms per apply for the text and plan);` +
      ` full rebuild ${result.fullEventMs.toFixed(1)} ms per event; load ${load()}`,
  );
  return result;
});
const smallest = results[0];
if (smallest !== undefined)
  for (const result of results.slice(1))
    console.log(
      `${result.count} / ${smallest.count}: incremental ×${(result.incrementalEventMs / smallest.incrementalEventMs).toFixed(2)},` +
        ` full ×${(result.fullEventMs / smallest.fullEventMs).toFixed(2)}`,
    );
const rss = process.memoryUsage();
console.log(`rss ${(rss.rss / 1e6).toFixed(0)} MB, heap used ${(rss.heapUsed / 1e6).toFixed(0)} MB`);
