// The speaker's reconcile at scale, without FRR or Kubernetes: N Services (ETP Cluster, one
// endpoint each) → Config → announcements → FRR model → text → apply plan for one more Service.
// Prints the time of each step, so the per-change cost at 10,000 Services can be read off (the
// second reconcile reuses the unchanged objects, as the speaker does).
// Run: npx tsc -p tsconfig.json && node dist/bench/reconcile.js [N]
import { announcementsForNode, peersForNode, ServiceDecisionMemo } from '../src/announce/index.js';
import { endpoint, service as fixtureService, slice as fixtureSlice } from '../test/support/builders.js';
import { loadManifestDirectory } from '../src/api/load-directory.js';
import { buildConfig } from '../src/config/build-config.js';
import { planChange } from '../src/frr/apply/plan.js';
import { frrModelForNode } from '../src/frr/build-model.js';
import { defaultFrrRenderer } from '../src/frr/templates.js';
import { packageRoot } from '../src/util/package-root.js';

const count = Number(process.argv[2] ?? 10_000);
const examples = loadManifestDirectory(`${packageRoot()}/deploy/examples`).resources;
const pool = {
  ...examples.ipAddressPools[0]!,
  spec: { ...examples.ipAddressPools[0]!.spec, addresses: ['198.18.0.0/15'] },
};
const ip = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;
// the same builders the announce tests use
const service = (i: number) => fixtureService(`default/svc-${i}`, { ingressIPs: [ip(i)] });
const slice = (i: number) => fixtureSlice(`default/svc-${i}`, [endpoint('node-21')], '1');

function time<T>(label: string, work: () => T): T {
  const started = performance.now();
  const result = work();
  console.log(`${label.padEnd(28)} ${(performance.now() - started).toFixed(1).padStart(8)} ms`);
  return result;
}

const render = defaultFrrRenderer();
// Built once and reused, as the speaker's caches hand out the same objects until they change.
const services = Array.from({ length: count + 1 }, (_, i) => service(i));
const slices = Array.from({ length: count + 1 }, (_, i) => slice(i));
const config = buildConfig({ ...examples, ipAddressPools: [pool] }, { namespace: 'metallb-system' }).config;
// The speaker's reconciler owns one memo for its lifetime.
const memo = new ServiceDecisionMemo();

function reconcile(n: number): string {
  const resources = { ...examples, services: services.slice(0, n), endpointSlices: slices.slice(0, n) };
  const node = resources.nodes.find((x) => x.name === 'node-21')!;
  const announce = time('announcementsForNode', () =>
    announcementsForNode(
      {
        config,
        node,
        services: resources.services,
        endpointSlices: resources.endpointSlices,
      },
      memo,
    ),
  );
  const model = time('frrModelForNode', () =>
    frrModelForNode({
      peers: peersForNode(config, node),
      bfdProfiles: config.bfdProfiles,
      advertisements: announce.advertisements,
    }),
  );
  return time('render', () => render(model));
}

console.log(`reconcile with ${count} Services:`);
const before = reconcile(count);
console.log(`reconcile with ${count + 1} Services:`);
const after = reconcile(count + 1);
time('planChange (one more /32)', () => planChange(before, after));
const { hits, misses } = memo.counters();
console.log(`announce memo: ${hits} hits, ${misses} misses`);
const rss = process.memoryUsage();
console.log(`rss ${(rss.rss / 1e6).toFixed(0)} MB, heap used ${(rss.heapUsed / 1e6).toFixed(0)} MB`);
