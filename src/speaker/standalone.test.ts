// The standalone source hands the speaker single Services and EndpointSlices when only those changed
// in the files the watcher names, and the whole directory otherwise.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import winston from 'winston';
import type { Resources } from '../api/resources.js';
import type { ObjectChange } from '../node-pipeline/incremental-node.js';
import { watchManifestDirectory, type ManifestSource } from './standalone.js';

const pool = (cidr: string) =>
  [
    'apiVersion: metallb.io/v1beta1',
    'kind: IPAddressPool',
    'metadata: {name: pool, namespace: metallb-system}',
    `spec: {addresses: [${cidr}]}`,
  ].join('\n');

const serviceFile = (name: string, ip: string) =>
  [
    'apiVersion: v1',
    'kind: Service',
    `metadata: {name: ${name}, namespace: default}`,
    'spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}',
    `status: {loadBalancer: {ingress: [{ip: ${ip}}]}}`,
    '---',
    'apiVersion: discovery.k8s.io/v1',
    'kind: EndpointSlice',
    `metadata: {name: ${name}-x, namespace: default, labels: {kubernetes.io/service-name: ${name}}}`,
    'addressType: IPv4',
    'endpoints: [{addresses: [10.244.0.5], nodeName: node-21, conditions: {ready: true}}]',
  ].join('\n');

type Call =
  | { readonly kind: 'update'; readonly resources: Resources; readonly errors: readonly string[] }
  | { readonly kind: 'objects'; readonly changes: readonly ObjectChange[] };

/** A speaker that records what it is given; `incremental` = what updateObjects answers. */
function recordingSpeaker(incremental: () => boolean) {
  const calls: Call[] = [];
  let waiting: (() => void) | undefined;
  const record = (call: Call) => {
    calls.push(call);
    waiting?.();
  };
  return {
    calls,
    speaker: {
      update: (resources: Resources, errors: readonly string[] = []) =>
        record({ kind: 'update', resources, errors }),
      updateObjects: (changes: readonly ObjectChange[]) => {
        if (!incremental()) return false;
        record({ kind: 'objects', changes });
        return true;
      },
    },
    /** the next call, after `act` */
    async next(act: () => void): Promise<Call> {
      // the events of a write can trail its first one: space the steps
      await new Promise((resolve) => setTimeout(resolve, 100));
      const count = calls.length;
      const arrived = new Promise<void>((resolve) => (waiting = resolve));
      act();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, 5_000)));
      await Promise.race([arrived, timeout]);
      clearTimeout(timer);
      waiting = undefined;
      const call = calls[count];
      if (call === undefined) throw new Error('the speaker was not called within 5 s');
      return call;
    },
  };
}

const summary = (call: Call) =>
  call.kind === 'objects'
    ? { objects: call.changes.map((c) => `${c.kind} ${c.key} ${c.object === undefined ? 'gone' : 'set'}`) }
    : {
        update: {
          pools: call.resources.ipAddressPools.map((p) => p.spec.addresses?.join()),
          services: call.resources.services.map((s) => s.name),
          errors: call.errors.length,
        },
      };

jest.setTimeout(30_000);

describe('watchManifestDirectory', () => {
  let directory: string;
  let source: ManifestSource | undefined;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'ferry-standalone-'));
    writeFileSync(join(directory, 'pool.yaml'), pool('203.0.113.0/24'));
    writeFileSync(join(directory, 'a.yaml'), serviceFile('a', '203.0.113.1'));
  });
  afterEach(async () => {
    await source?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('passes on changed Services and EndpointSlices one by one, everything else in full', async () => {
    const recorder = recordingSpeaker(() => true);
    source = watchManifestDirectory(directory, recorder.speaker, winston.createLogger({ silent: true }), {
      watch: true,
      debounceMs: 50,
    });
    expect(source.load()).toBe(true);
    expect(summary(recorder.calls[0] as Call)).toEqual({
      update: { pools: ['203.0.113.0/24'], services: ['a'], errors: 0 },
    });

    const added = await recorder.next(() =>
      writeFileSync(join(directory, 'b.yaml'), serviceFile('b', '203.0.113.2')),
    );
    expect(summary(added)).toEqual({ objects: ['service default/b set', 'endpointSlice default/b-x set'] });

    const removed = await recorder.next(() => rmSync(join(directory, 'a.yaml')));
    expect(summary(removed)).toEqual({
      objects: ['service default/a gone', 'endpointSlice default/a-x gone'],
    });

    const poolChanged = await recorder.next(() =>
      writeFileSync(join(directory, 'pool.yaml'), pool('203.0.113.0/25')),
    );
    expect(summary(poolChanged)).toEqual({
      update: { pools: ['203.0.113.0/25'], services: ['b'], errors: 0 },
    });

    // a Service file that no longer parses: in full, with the problem (the speaker keeps its last
    // valid Config); fixed again, in full again (the problem is gone)
    const broken = await recorder.next(() =>
      writeFileSync(join(directory, 'b.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: b'),
    );
    expect(summary(broken)).toEqual({ update: { pools: ['203.0.113.0/25'], services: [], errors: 1 } });
    expect(broken.kind === 'update' && broken.errors[0]).toMatch(/b\.yaml.*invalid YAML/);
    const fixed = await recorder.next(() =>
      writeFileSync(join(directory, 'b.yaml'), serviceFile('b', '203.0.113.2')),
    );
    expect(summary(fixed)).toEqual({ update: { pools: ['203.0.113.0/25'], services: ['b'], errors: 0 } });

    // the whole view as last read, for the speaker's own full reconciles (the hand-over)
    const calls = recorder.calls.length;
    source.resync();
    expect(recorder.calls.slice(calls).map(summary)).toEqual([
      { update: { pools: ['203.0.113.0/25'], services: ['b'], errors: 0 } },
    ]);
  });

  it('falls back to a full update while the speaker cannot take single objects (no valid Config yet)', async () => {
    const recorder = recordingSpeaker(() => false);
    source = watchManifestDirectory(directory, recorder.speaker, winston.createLogger({ silent: true }), {
      watch: true,
      debounceMs: 50,
    });
    source.load();
    const added = await recorder.next(() =>
      writeFileSync(join(directory, 'b.yaml'), serviceFile('b', '203.0.113.2')),
    );
    expect(summary(added)).toEqual({
      update: { pools: ['203.0.113.0/24'], services: ['a', 'b'], errors: 0 },
    });
  });
});
