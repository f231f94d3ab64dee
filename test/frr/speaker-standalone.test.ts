// `ferry speaker --manifests` keeps a real FRR in sync with a directory of manifests: --once applies
// and exits, the long-running speaker follows edits (an endpoint leaving withdraws the route at the
// ToRs; a Service file added, edited or removed reaches FRR object by object), an invalid manifest
// leaves the routes alone, and stopping the speaker withdraws nothing.
import { jest } from '@jest/globals';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { parseBgpNeighbors } from '../../src/frr/parse/bgp-neighbors.js';
import { Fabric } from '../../src/lab/fabric.js';
import { utsNamespacePrefix, type FrrInstance } from '../../src/lab/frr-instance.js';
import { torFrrConfigForNodes } from '../../src/lab/tor-config.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { goldenScenarioDirectory } from '../support/golden-scenarios.js';
import { runFerry, startFerry } from '../support/ferry-cli.js';

jest.setTimeout(180_000);

const PREFIX = '203.0.113.5/32';
const API_PREFIX = '203.0.113.6/32';

async function torHasRoute(tor: FrrInstance, prefix = PREFIX): Promise<boolean> {
  const route = await tor.vtysh.show(`show bgp ipv4 unicast ${prefix} json`);
  return route.ok && ((route.value as { paths?: unknown[] }).paths?.length ?? 0) > 0;
}

/** A Service of its own file, ETP Local, its endpoint on `endpointNode`. */
const apiServiceFile = (endpointNode: string) =>
  [
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: api, namespace: default}',
    'spec: {type: LoadBalancer, externalTrafficPolicy: Local, ports: [{port: 443, protocol: TCP}]}',
    'status: {loadBalancer: {ingress: [{ip: 203.0.113.6}]}}',
    '---',
    'apiVersion: discovery.k8s.io/v1',
    'kind: EndpointSlice',
    'metadata: {name: api-x1, namespace: default, labels: {kubernetes.io/service-name: api}}',
    'addressType: IPv4',
    `endpoints: [{addresses: [10.244.21.6], nodeName: ${endpointNode}, conditions: {ready: true}}]`,
  ].join('\n');

/** How often the ToR's session to the node came up: a reset would increase it. */
async function connectionsEstablished(tor: FrrInstance): Promise<number[]> {
  const neighbors = await tor.vtysh.show('show bgp neighbors json');
  if (!neighbors.ok) return [];
  return parseBgpNeighbors(neighbors.value).map((n) => n.connectionsEstablished ?? -1);
}

async function waitForRoute(
  tors: readonly FrrInstance[],
  present: boolean,
  timeoutMs = 15_000,
  prefix = PREFIX,
) {
  return waitUntil(
    async () => {
      const states = await Promise.all(tors.map((tor) => torHasRoute(tor, prefix)));
      return states.every((s) => s === present)
        ? { done: true as const, value: states }
        : { done: false as const, why: `route at ToRs: ${states.join(', ')}` };
    },
    { timeoutMs },
  );
}

describe('standalone speaker on real FRR', () => {
  let fabric: Fabric | undefined;
  let speaker: ResultPromise | undefined;
  const manifests = mkdtempSync(join(tmpdir(), 'ferry-manifests-'));

  afterAll(async () => {
    speaker?.kill('SIGKILL');
    await speaker;
    rmSync(manifests, { recursive: true, force: true });
    expect((await fabric?.destroy()) ?? []).toEqual([]);
  });

  it('applies, follows manifest edits, survives bad input and stops without withdrawing', async () => {
    fabric = await Fabric.create({ nodes: 1 });
    const node = fabric.node(1);
    const tors = await Promise.all(
      fabric.tors.map((tor) => fabric!.startFrr(tor, torFrrConfigForNodes(tor, [node]))),
    );
    // the FRR container's startup config: defaults only, ferry brings the rest
    const nodeFrr = await fabric.startFrr(node, 'frr defaults datacenter\n');
    const seed = join(goldenScenarioDirectory(), 'seed', 'input.yaml');
    copyFileSync(seed, join(manifests, 'cluster.yaml'));
    const frrFlags = ['--node', 'node-21', '--frr-pathspace', nodeFrr.name];
    const prefix = utsNamespacePrefix(nodeFrr.name);

    const once = await runFerry(['speaker', '--manifests', manifests, ...frrFlags, '--once'], prefix);
    expect(once.stderr).toBe('');
    expect(once.exitCode).toBe(0);
    expect(once.stdout).toMatch(/^applied with reload in \d+ ms \(node node-21: 2 peers, 1 prefixes\)$/);
    expect((await waitForRoute(tors, true, 60_000)).ok).toBe(true);

    // a second run (a restarted speaker) with the same inputs resets no session at the ToRs
    const establishedBefore = await Promise.all(tors.map((tor) => connectionsEstablished(tor)));
    const again = await runFerry(['speaker', '--manifests', manifests, ...frrFlags, '--once'], prefix);
    expect(again.exitCode).toBe(0);
    expect(await Promise.all(tors.map((tor) => connectionsEstablished(tor)))).toEqual(establishedBefore);
    expect(await Promise.all(tors.map((tor) => torHasRoute(tor)))).toEqual([true, true]);

    const status = await runFerry(['status', '--frr-pathspace', nodeFrr.name], prefix);
    expect(status.stdout).toMatch(/192\.0\.2\.1\s+default\s+Established/);
    expect(status.stdout).toMatch(/198\.51\.100\.1\s+default\s+Established/);

    speaker = startFerry(
      [
        'speaker',
        ...['--manifests', manifests, ...frrFlags, '--metrics-listen', '127.0.0.1:0'],
        // the debug log says which path each change took
        ...['--log-level', 'debug'],
      ],
      prefix,
    );
    // node-21's endpoint leaves: ETP Local withdraws the route at both ToRs
    const withoutEndpoints = (await import('node:fs'))
      .readFileSync(seed, 'utf8')
      .replace(/nodeName: node-21/, 'nodeName: node-23');
    writeFileSync(join(manifests, 'cluster.yaml'), withoutEndpoints);
    expect((await waitForRoute(tors, false)).ok).toBe(true);
    copyFileSync(seed, join(manifests, 'cluster.yaml'));
    expect((await waitForRoute(tors, true)).ok).toBe(true);

    // a Service in a file of its own: added, its endpoint leaving, back, removed; each time only
    // that Service and its EndpointSlice go to the speaker, and web's route stays
    writeFileSync(join(manifests, 'api.yaml'), apiServiceFile('node-21'));
    expect((await waitForRoute(tors, true, 15_000, API_PREFIX)).ok).toBe(true);
    writeFileSync(join(manifests, 'api.yaml'), apiServiceFile('node-23'));
    expect((await waitForRoute(tors, false, 15_000, API_PREFIX)).ok).toBe(true);
    writeFileSync(join(manifests, 'api.yaml'), apiServiceFile('node-21'));
    expect((await waitForRoute(tors, true, 15_000, API_PREFIX)).ok).toBe(true);
    rmSync(join(manifests, 'api.yaml'));
    expect((await waitForRoute(tors, false, 15_000, API_PREFIX)).ok).toBe(true);
    expect(await Promise.all(tors.map((tor) => torHasRoute(tor)))).toEqual([true, true]);

    // an invalid BGPPeer: reported, the last valid configuration stays, routes untouched
    writeFileSync(
      join(manifests, 'bad.yaml'),
      'apiVersion: metallb.io/v1beta2\nkind: BGPPeer\nmetadata: {name: bad, namespace: metallb-system}\nspec: {myASN: 65100, peerASN: 65000, peerAddress: "192.0.2.1\\nrouter bgp 1"}\n',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await Promise.all(tors.map((tor) => torHasRoute(tor)))).toEqual([true, true]);

    speaker.kill('SIGTERM');
    const stopped = await speaker;
    expect(stopped.exitCode).toBe(0);
    expect(stopped.all).toMatch(
      /BGPPeer metallb-system\/bad: spec\.peerAddress: invalid BGPPeer address.*"result":"Invalid"/,
    );
    // api.yaml's changes went object by object (its Service and EndpointSlice; a write seen half-done
    // is one more), the others in full
    const logged = String(stopped.all)
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as { message?: string; objects?: number; reason?: string }];
        } catch {
          return [];
        }
      });
    const objectUpdates = logged.filter((line) => line.message === 'manifests changed: objects');
    expect(objectUpdates.length).toBeGreaterThanOrEqual(4);
    expect(objectUpdates.every((line) => line.objects === 2)).toBe(true);
    const fullBecause = logged
      .filter((line) => line.message === 'manifests changed: full update')
      .map((line) => line.reason ?? '');
    expect(fullBecause.filter((reason) => !/(cluster|bad)\.yaml holds /.test(reason))).toEqual([]);
    expect(fullBecause).toContainEqual(expect.stringMatching(/bad\.yaml holds bgpPeers/));
    // stopping the speaker withdraws nothing
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await Promise.all(tors.map((tor) => torHasRoute(tor)))).toEqual([true, true]);
  });
});
