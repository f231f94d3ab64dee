// The reconciler's incremental path (one Service or EndpointSlice at a time) against the full
// pipeline rebuilt from scratch (frrConfigForNode, electL2Owners): after every step of a random
// sequence of Service, EndpointSlice, Node and Config events, the same frr.conf, the same decisions
// and ServiceBGPStatus set, the same layer 2 election; and the typed network edits it hands the
// sync loop turn the previous text into the new one.
import fc from 'fast-check';
import { announcementsForNode } from '../announce/announcements.js';
import type { EndpointSliceInfo, NodeInfo, ServiceInfo } from '../api/cluster.js';
import { ferryCrdValidator } from '../api/load-directory.js';
import { loadManifests } from '../api/manifests.js';
import type { Resources } from '../api/resources.js';
import { buildConfig } from '../config/build-config.js';
import type { DesiredConfig } from '../frr/apply/desired-config.js';
import { applyEdits } from '../frr/apply/config-edit.js';
import { canonicalConfig, parseConfigTree } from '../frr/apply/config-tree.js';
import { desiredRouters, type DesiredRouters } from '../frr/apply/stale-advertisements.js';
import { neighborKey } from '../frr/build-model.js';
import { defaultFrrRenderer } from '../frr/templates.js';
import { electL2Owners } from '../l2/election.js';
import { frrConfigForNode } from '../node-pipeline/node-config.js';
import { endpoint, node, service, slice } from '../../test/support/builders.js';
import { createReconciler, livenessPeersOf, type ReconcileOutcome } from './reconciler.js';
import { serviceStatuses } from '../../test/support/service-statuses.js';

const NAMESPACE = 'metallb-system';
const render = defaultFrrRenderer();

/** The configuration kinds of one variant, as manifests (so they go through buildConfig as in the speaker). */
function configYaml(variant: number): string {
  const peer = (name: string, address: string, extra = '') => `
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: {name: ${name}, namespace: ${NAMESPACE}}
spec: {peerAddress: "${address}", peerASN: 65000, myASN: 65100${extra}}
---`;
  const advertisement = (name: string, spec: string) => `
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: {name: ${name}, namespace: ${NAMESPACE}}
spec: {${spec}}
---`;
  return [
    `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool-a, namespace: ${NAMESPACE}}
spec: {addresses: [203.0.113.0/25, "2001:db8::/64"]}
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: pool-b, namespace: ${NAMESPACE}}
spec: {addresses: [203.0.113.128/25]}
---`,
    // variant 4 is invalid: holdTime below MetalLB's minimum, so the last valid config stays
    peer('tor1', '192.0.2.1', variant === 4 ? ', holdTime: 2s' : ''),
    variant === 2 ? '' : peer('tor6', '2001:db8:ff::1'),
    peer('tor-r2', '192.0.2.2', ', nodeSelectors: [{matchLabels: {rack: r2}}]'),
    advertisement(
      'adv-a',
      variant === 1
        ? 'ipAddressPools: [pool-a], communities: ["65000:200"], localPref: 200'
        : 'ipAddressPools: [pool-a], communities: ["65000:100"]',
    ),
    variant === 5
      ? ''
      : advertisement(
          'adv-b',
          'ipAddressPools: [pool-a, pool-b], aggregationLength: 28, aggregationLengthV6: 120, localPref: 100, peers: [tor1, tor-r2]',
        ),
    variant === 3
      ? `
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: l2, namespace: ${NAMESPACE}}
spec: {ipAddressPools: [pool-b]}
---`
      : '',
  ].join('\n');
}

const CONFIG_VARIANTS = 6;
const configResources = Array.from({ length: CONFIG_VARIANTS }, (_, variant) => {
  const loaded = loadManifests(
    [{ path: `variant-${variant}`, text: configYaml(variant) }],
    ferryCrdValidator(),
  );
  if (loaded.errors.length > 0) throw new Error(`test config ${variant}: ${JSON.stringify(loaded.errors)}`);
  return loaded.resources;
});

function nodesOf(variant: number): NodeInfo[] {
  const withIp = (info: NodeInfo, ip: string, ready = true): NodeInfo => ({
    ...info,
    internalIPs: [ip],
    ready,
  });
  return [
    withIp(node('n1', { rack: variant % 2 === 0 ? 'r1' : 'r2' }), '192.0.2.11'),
    withIp(node('n2', { rack: 'r2' }), '192.0.2.12', variant < 2),
  ];
}

const SERVICE_NAMES = ['default/web', 'default/db', 'prod/api', 'prod/dns', 'prod/mail'];
const INGRESS: readonly (readonly string[])[] = [
  ['203.0.113.10'],
  ['203.0.113.11'],
  ['203.0.113.10'],
  ['203.0.113.130'],
  ['203.0.113.131'],
  ['2001:db8::10'],
  ['203.0.113.12', '2001:db8::11'],
  ['bogus'],
  [],
];

type Event =
  | {
      kind: 'service';
      name: string;
      ingress: number;
      local: boolean;
      clusterIp: boolean;
      otherClass: boolean;
    }
  | { kind: 'deleteService'; name: string }
  | { kind: 'slice'; name: string; part: 'a' | 'b'; nodes: readonly ('n1' | 'n2' | 'none')[]; ready: boolean }
  | { kind: 'deleteSlice'; name: string; part: 'a' | 'b' }
  | { kind: 'config'; variant: number }
  | { kind: 'nodes'; variant: number };

const nameArb = fc.constantFrom(...SERVICE_NAMES);
const partArb = fc.constantFrom<'a' | 'b'>('a', 'b');
const eventArb: fc.Arbitrary<Event> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('service' as const),
      name: nameArb,
      ingress: fc.integer({ min: 0, max: INGRESS.length - 1 }),
      local: fc.boolean(),
      clusterIp: fc.constantFrom(false, false, false, false, false, true),
      otherClass: fc.constantFrom(false, false, false, false, false, true),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteService' as const), name: nameArb }) },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('slice' as const),
      name: nameArb,
      part: partArb,
      nodes: fc.array(fc.constantFrom<'n1' | 'n2' | 'none'>('n1', 'n1', 'n2', 'none'), { maxLength: 3 }),
      ready: fc.constantFrom(true, true, true, false),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('deleteSlice' as const), name: nameArb, part: partArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('config' as const),
      variant: fc.integer({ min: 0, max: CONFIG_VARIANTS - 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('nodes' as const), variant: fc.integer({ min: 0, max: 3 }) }),
  },
);

/** The world after some events, and what the speaker's informers would report. */
class World {
  config = 0;
  lastValidConfig: number | undefined = 0;
  nodes = 0;
  readonly services = new Map<string, ServiceInfo>();
  readonly slices = new Map<string, EndpointSliceInfo>();

  resources(config = this.config): Resources {
    return {
      ...configResources[config]!,
      nodes: nodesOf(this.nodes),
      services: [...this.services.values()],
      endpointSlices: [...this.slices.values()],
    };
  }
}

/** The full pipeline from scratch for the config in force: what the incremental path must equal. */
function fullRebuild(world: World) {
  if (world.lastValidConfig === undefined) return undefined;
  const resources = world.resources(world.lastValidConfig);
  const { config } = buildConfig(resources, { namespace: NAMESPACE });
  const self = resources.nodes.find((n) => n.name === 'n1')!;
  const layer2 = config.l2Advertisements.length > 0;
  const view = {
    config,
    node: self,
    services: resources.services,
    endpointSlices: resources.endpointSlices,
    options: {},
    ...(layer2 ? { livenessPeers: livenessPeersOf(resources.nodes, self) } : {}),
  };
  return {
    text: frrConfigForNode(view, render).text,
    announce: announcementsForNode(view),
    layer2: layer2
      ? electL2Owners({
          config,
          node: 'n1',
          nodes: resources.nodes,
          alive: undefined,
          services: resources.services,
          endpointSlices: resources.endpointSlices,
          ignoreExcludeLB: false,
          lbClass: '',
        })
      : undefined,
  };
}

/** ServiceBGPStatus as the speaker writes it when FRR advertises exactly what is desired. */
function statusesOf(outcome: Pick<ReconcileOutcome, 'announce' | 'peers'>) {
  const announce = outcome.announce;
  if (announce === undefined) return [];
  const advertised = new Map<string, Set<string>>();
  for (const ad of announce.advertisements) {
    const peer = outcome.peers.find((p) => p.name === ad.peer);
    if (peer === undefined) continue;
    const prefixes = advertised.get(neighborKey(peer)) ?? new Set<string>();
    prefixes.add(ad.prefix);
    advertised.set(neighborKey(peer), prefixes);
  }
  return serviceStatuses({ node: 'n1', announce, peers: outcome.peers, advertised });
}

function networkOnly(text: string): string {
  return canonicalConfig(parseConfigTree(text));
}

/** VRF → router line and family → sorted prefixes of its network lines, comparable with toEqual. */
function routersAsObject(routers: DesiredRouters | undefined): unknown {
  return Object.fromEntries(
    [...(routers ?? [])].map(([vrf, router]) => [
      vrf,
      {
        router: router.router,
        networks: Object.fromEntries(
          [...router.networks]
            .map(([family, prefixes]) => [family, [...prefixes.keys()].sort()] as const)
            .filter(([, prefixes]) => prefixes.length > 0),
        ),
      },
    ]),
  );
}

describe('incremental reconcile = full rebuild', () => {
  test('after every step of random Service, EndpointSlice, Node and Config events', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 40 }), (events) => {
        const world = new World();
        // Every Service announced at first, so that most events change announcements.
        SERVICE_NAMES.forEach((name, index) => {
          world.services.set(name, service(name, { ingressIPs: INGRESS[index + 2] ?? [] }));
          const ready = slice(name, [endpoint('n1')], 'a');
          world.slices.set(`${ready.namespace}/${ready.name}`, ready);
        });
        const reconciler = createReconciler({ nodeName: 'n1', namespace: NAMESPACE, render });
        let outcome = reconciler.reconcile(world.resources());
        let previous: { desired: DesiredConfig; text: string } | undefined;
        for (const event of events) {
          switch (event.kind) {
            case 'service': {
              const object = service(event.name, {
                ingressIPs: INGRESS[event.ingress] ?? [],
                externalTrafficPolicy: event.local ? 'Local' : 'Cluster',
                type: event.clusterIp ? 'ClusterIP' : 'LoadBalancer',
                loadBalancerClass: event.otherClass ? 'example.com/other' : undefined,
              });
              world.services.set(event.name, object);
              outcome = reconciler.reconcileChanges([{ kind: 'service', key: event.name, object }])!;
              break;
            }
            case 'deleteService':
              world.services.delete(event.name);
              outcome = reconciler.reconcileChanges([
                { kind: 'service', key: event.name, object: undefined },
              ])!;
              break;
            case 'slice': {
              const object = slice(
                event.name,
                event.nodes.map((n) =>
                  endpoint(n === 'none' ? undefined : n, { ready: event.ready, serving: event.ready }),
                ),
                event.part,
              );
              const key = `${object.namespace}/${object.name}`;
              world.slices.set(key, object);
              outcome = reconciler.reconcileChanges([{ kind: 'endpointSlice', key, object }])!;
              break;
            }
            case 'deleteSlice': {
              const key = `${event.name}-${event.part}`;
              world.slices.delete(key);
              outcome = reconciler.reconcileChanges([{ kind: 'endpointSlice', key, object: undefined }])!;
              break;
            }
            case 'config':
              world.config = event.variant;
              if (event.variant !== 4) world.lastValidConfig = event.variant;
              outcome = reconciler.reconcile(world.resources());
              break;
            case 'nodes':
              world.nodes = event.variant;
              outcome = reconciler.reconcile(world.resources());
              break;
          }
          expect(outcome.configuration.result).toBe(world.config === 4 ? 'Invalid' : 'Valid');
          const expected = fullRebuild(world);
          expect(outcome.desiredConfig).toBe(expected?.text);
          expect(outcome.announce).toEqual(expected?.announce);
          expect(statusesOf(outcome)).toEqual(
            expected === undefined ? [] : statusesOf({ ...expected, peers: outcome.peers }),
          );
          expect(outcome.layer2).toEqual(expected?.layer2);
          for (const decision of outcome.announce?.decisions ?? [])
            expect(outcome.decisionsOf(`${decision.namespace}/${decision.name}`)).toContainEqual(decision);
          // the typed edits the sync loop gets turn the last text into this one
          const desired = outcome.desired!;
          const text = desired.text();
          if (previous !== undefined) {
            const edits = desired.networkEditsSince?.(previous.desired);
            if (edits !== undefined)
              expect(canonicalConfig(applyEdits(parseConfigTree(previous.text), edits))).toBe(
                networkOnly(text),
              );
          }
          // the stale check's routers without the text say what the text says
          const routers = desired.routers?.();
          expect(routers).toBeDefined();
          expect(routersAsObject(routers)).toEqual(routersAsObject(desiredRouters(text)));
          previous = { desired, text };
        }
      }),
      { numRuns: 300, seed: 20261206 },
    );
  });
});
