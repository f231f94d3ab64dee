// The standalone feed against the full update it replaces: after every step of a random sequence of
// file operations in a manifests directory (Service and EndpointSlice files written, split, broken,
// emptied, removed, renamed, moved into a subdirectory, the pool changed), a reconciler fed what
// createManifestFeed hands it (objects one by one where it can) holds the same frr.conf, decisions
// and configuration verdict as one given the whole directory every time.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import winston from 'winston';
import { loadManifestDirectory } from '../api/load-directory.js';
import { formatManifestError } from '../api/manifest-error.js';
import { defaultFrrRenderer } from '../frr/templates.js';
import { createReconciler, type ReconcileOutcome } from './reconciler.js';
import { createManifestFeed, type ManifestSpeaker } from './standalone.js';

const render = defaultFrrRenderer();
const FILES = ['a.yaml', 'b.yaml', 'c.yaml'] as const;
const SERVICES = ['s0', 's1', 's2'] as const;
const IPS = { s0: '203.0.113.10', s1: '203.0.113.20', s2: '203.0.113.200' };

const base = [
  'apiVersion: metallb.io/v1beta2',
  'kind: BGPPeer',
  'metadata: {name: tor1, namespace: metallb-system}',
  'spec: {peerAddress: 192.0.2.1, peerASN: 65000, myASN: 65100}',
  '---',
  'apiVersion: metallb.io/v1beta1',
  'kind: BGPAdvertisement',
  'metadata: {name: adv, namespace: metallb-system}',
  '---',
  'apiVersion: v1',
  'kind: Node',
  'metadata: {name: node-21, labels: {kubernetes.io/hostname: node-21}}',
].join('\n');

const pool = (variant: number) =>
  [
    'apiVersion: metallb.io/v1beta1',
    'kind: IPAddressPool',
    'metadata: {name: pool, namespace: metallb-system}',
    `spec: {addresses: [${variant === 0 ? '203.0.113.0/24' : '203.0.113.0/25'}]}`,
  ].join('\n');

type ServiceName = (typeof SERVICES)[number];

const serviceYaml = (name: ServiceName, port: number) =>
  [
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${name}, namespace: default}`,
    `spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: ${port}, protocol: TCP}]}`,
    `status: {loadBalancer: {ingress: [{ip: ${IPS[name]}}]}}`,
  ].join('\n');

const sliceYaml = (name: ServiceName, node: string) =>
  [
    'apiVersion: discovery.k8s.io/v1',
    'kind: EndpointSlice',
    `metadata: {name: ${name}-x, namespace: default, labels: {kubernetes.io/service-name: ${name}}}`,
    'addressType: IPv4',
    `endpoints: [{addresses: [10.244.0.5], nodeName: ${node}, conditions: {ready: true}}]`,
  ].join('\n');

type Op =
  | { kind: 'service'; file: string; service: ServiceName; node: string; port: number }
  | { kind: 'serviceOnly'; file: string; service: ServiceName; port: number }
  | { kind: 'sliceOnly'; file: string; service: ServiceName; node: string }
  | { kind: 'broken'; file: string }
  | { kind: 'empty'; file: string }
  | { kind: 'remove'; file: string }
  | { kind: 'rename'; file: string; to: string }
  | { kind: 'toSubdirectory'; file: string }
  | { kind: 'removeSubdirectory' }
  | { kind: 'pool'; variant: number };

const file = fc.constantFrom(...FILES);
const serviceName = fc.constantFrom(...SERVICES);
const nodeName = fc.constantFrom('node-21', 'node-23');
const port = fc.constantFrom(80, 443);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('service' as const),
      file,
      service: serviceName,
      node: nodeName,
      port,
    }),
  },
  fc.record({ kind: fc.constant('serviceOnly' as const), file, service: serviceName, port }),
  fc.record({ kind: fc.constant('sliceOnly' as const), file, service: serviceName, node: nodeName }),
  fc.record({ kind: fc.constant('broken' as const), file }),
  fc.record({ kind: fc.constant('empty' as const), file }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), file }) },
  fc.record({ kind: fc.constant('rename' as const), file, to: file }),
  fc.record({ kind: fc.constant('toSubdirectory' as const), file }),
  fc.record({ kind: fc.constant('removeSubdirectory' as const) }),
  fc.record({ kind: fc.constant('pool' as const), variant: fc.constantFrom(0, 1) }),
);

/** Does `op` in `directory`; the paths the watcher would name. */
function perform(directory: string, step: Op): string[] {
  const at = (name: string) => join(directory, name);
  switch (step.kind) {
    case 'service':
      writeFileSync(
        at(step.file),
        `${serviceYaml(step.service, step.port)}\n---\n${sliceYaml(step.service, step.node)}`,
      );
      return [at(step.file)];
    case 'serviceOnly':
      writeFileSync(at(step.file), serviceYaml(step.service, step.port));
      return [at(step.file)];
    case 'sliceOnly':
      writeFileSync(at(step.file), sliceYaml(step.service, step.node));
      return [at(step.file)];
    case 'broken':
      writeFileSync(at(step.file), 'apiVersion: v1\nkind: Service\nmetadata: {name: s0');
      return [at(step.file)];
    case 'empty':
      writeFileSync(at(step.file), '');
      return [at(step.file)];
    case 'remove':
      rmSync(at(step.file), { force: true });
      return [at(step.file)];
    case 'rename':
      if (!existsSync(at(step.file))) return [];
      renameSync(at(step.file), at(step.to));
      return [at(step.file), at(step.to)];
    case 'toSubdirectory': {
      if (!existsSync(at(step.file))) return [];
      const created = !existsSync(at('sub'));
      mkdirSync(at('sub'), { recursive: true });
      renameSync(at(step.file), join(at('sub'), step.file));
      return created ? [at(step.file), at('sub')] : [at(step.file), join(at('sub'), step.file)];
    }
    case 'removeSubdirectory':
      rmSync(at('sub'), { recursive: true, force: true });
      return [at('sub')];
    case 'pool':
      writeFileSync(at('pool.yaml'), pool(step.variant));
      return [at('pool.yaml')];
  }
}

/** What a user would see differ: the frr.conf, the decisions, the configuration verdict. */
const observable = (outcome: ReconcileOutcome | undefined) => ({
  frr: outcome?.desiredConfig,
  decisions: JSON.stringify(outcome?.announce?.decisions ?? []),
  configuration: outcome?.configuration,
});

test('the feed hands the speaker what a full update of the directory would give it, step by step', () => {
  fc.assert(
    fc.property(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { maxLength: 15 }), (steps) => {
      const directory = mkdtempSync(join(tmpdir(), 'ferry-standalone-property-'));
      try {
        writeFileSync(join(directory, 'base.yaml'), base);
        writeFileSync(join(directory, 'pool.yaml'), pool(0));
        const options = { nodeName: 'node-21', namespace: 'metallb-system', render };
        const fed = createReconciler(options);
        let latest: ReconcileOutcome | undefined;
        const speaker: ManifestSpeaker = {
          update: (resources, errors) => void (latest = fed.reconcile(resources, errors)),
          updateObjects: (changes) => {
            const outcome = fed.reconcileChanges(changes);
            if (outcome !== undefined) latest = outcome;
            return outcome !== undefined;
          },
        };
        const feed = createManifestFeed(directory, speaker, winston.createLogger({ silent: true }));
        const reference = createReconciler(options);
        const full = () => {
          const loaded = loadManifestDirectory(directory);
          return reference.reconcile(loaded.resources, loaded.errors.map(formatManifestError));
        };
        expect(feed.load()).toBe(true);
        expect(observable(latest)).toEqual(observable(full()));
        for (const batch of steps) {
          feed.loadChanged(batch.flatMap((step) => perform(directory, step)));
          expect(observable(latest)).toEqual(observable(full()));
        }
      } finally {
        rmSync(directory, { recursive: true, force: true });
      }
    }),
    { numRuns: 60 },
  );
});
