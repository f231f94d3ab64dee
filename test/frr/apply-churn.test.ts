// The apply engine on a real FRR: a node FRR peering with both lab ToRs. Service churn goes through
// one vtysh call and disturbs nothing else; a config FRR refuses is never applied; a speaker restart
// (fresh applier, frr-reload.py with the unchanged config) resets no session.
import { jest } from '@jest/globals';
import { join } from 'node:path';
import { createApplier, type Applier } from '../../src/frr/apply/applier.js';
import { run } from '../../src/lab/netns.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import type { Fabric } from '../../src/lab/fabric.js';
import {
  nodeConfig,
  routeAt,
  sessionAt,
  startNodeLab,
  waitForRoute,
  waitForSessionsUp,
  type NodeLab,
  type SessionSnapshot,
} from './apply-lab.js';

jest.setTimeout(180_000);

const IP5 = '203.0.113.5/32';
const IP6 = '203.0.113.6/32';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('applying ferry configs to a real FRR', () => {
  let fabric: Fabric | undefined;
  let lab: NodeLab;
  let applier: Applier;
  let baseline: SessionSnapshot[];
  /** the sessions as they must stay: the same connection, BFD up and never down since, plus UPDATEs */
  const unchangedSessions = (updates: number) =>
    baseline.map((session) => ({ ...session, updatesReceived: session.updatesReceived + updates }));

  const sessions = () => Promise.all(lab.tors.map((tor, i) => sessionAt(tor, lab.nodeAddresses[i] ?? '')));
  const newApplier = () =>
    createApplier({ vtysh: lab.speaker.vtysh, configFile: join(lab.speaker.configDir, 'frr.conf') });

  beforeAll(async () => {
    lab = await startNodeLab({}, (f) => (fabric = f));
    applier = newApplier();
  });

  afterAll(async () => {
    expect((await fabric?.destroy()) ?? []).toEqual([]);
  });

  test('the first apply uses frr-reload.py: sessions and BFD come up, the ToRs learn the IP', async () => {
    const result = await applier.apply(nodeConfig([IP5]));
    expect(result).toMatchObject({ kind: 'applied', method: 'reload', reason: 'start' });
    await waitForSessionsUp(lab);
    await waitForRoute(lab, IP5, true);
    expect(await routeAt(lab.tors[0]!, IP5)).toEqual({ community: '65000:100', largeCommunity: undefined });
    // Past bgpd's route-map delay timer (5 s), which re-evaluates the new route maps once.
    await sleep(6_000);
    baseline = await sessions();
  });

  test('adding and removing a service IP: one vtysh call each, no session or BFD reset, nothing re-sent', async () => {
    const added = await applier.apply(nodeConfig([IP5, IP6]));
    expect(added).toMatchObject({ kind: 'applied', method: 'incremental' });
    await waitForRoute(lab, IP6, true);
    const removed = await applier.apply(nodeConfig([IP5]));
    expect(removed).toMatchObject({ kind: 'applied', method: 'incremental' });
    await waitForRoute(lab, IP6, false);
    // Exactly two UPDATEs (the announcement and the withdrawal): nothing else was re-sent, and the
    // sessions never dropped.
    expect(await sessions()).toEqual(unchangedSessions(2));
    baseline = unchangedSessions(2);
  });

  test('a new attribute set (new class: list, route map, out entries) and back, all incremental', async () => {
    const other = { prefix: IP6, community: '65000:200' };
    expect(await applier.apply(nodeConfig([IP5, other]))).toMatchObject({
      kind: 'applied',
      method: 'incremental',
    });
    await waitForRoute(lab, IP6, true);
    expect(await routeAt(lab.tors[0]!, IP6)).toEqual({ community: '65000:200', largeCommunity: undefined });
    // The IP moves to the class of IP5: its route map changes in place, the old class goes away.
    expect(await applier.apply(nodeConfig([IP5, IP6]))).toMatchObject({
      kind: 'applied',
      method: 'incremental',
    });
    const moved = await waitUntil(
      async () => {
        const route = await routeAt(lab.tors[0]!, IP6);
        return route?.community === '65000:100'
          ? { done: true, value: route }
          : { done: false, why: JSON.stringify(route) };
      },
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(moved.ok).toBe(true);
    expect(await applier.apply(nodeConfig([IP5]))).toMatchObject({ kind: 'applied', method: 'incremental' });
    await waitForRoute(lab, IP6, false);
    // FRR prints exactly what the applier predicted from the edits (route maps, lists, networks).
    expect(await applier.apply(nodeConfig([IP5]))).toMatchObject({ kind: 'noop' });
    // No session or BFD reset, and IP5 was never withdrawn (its connection count and BFD are unchanged).
    const now = await sessions();
    expect(now.map((s) => ({ ...s, updatesReceived: 0 }))).toEqual(
      baseline.map((s) => ({ ...s, updatesReceived: 0 })),
    );
    // Route-map edits make bgpd re-evaluate its table once after the route-map delay timer (5 s);
    // the next test counts UPDATEs from a quiet state.
    await sleep(6_000);
    baseline = await sessions();
  });

  test('a config FRR refuses is never applied: the error names the line, FRR runs the same config', async () => {
    const running = await lab.speaker.vtysh.runningConfig();
    const bogus = nodeConfig([IP5, IP6]).replace(
      ' no bgp network import-check\n',
      ' no bgp network import-check\n bgp bogus-command 42\n',
    );
    const result = await applier.apply(bogus);
    expect(result).toMatchObject({
      kind: 'invalid',
      error: { kind: 'syntax', lineText: 'bgp bogus-command 42' },
    });
    if (result.kind === 'invalid') {
      expect(bogus.split('\n')[(result.error.line ?? 0) - 1]).toBe(' bgp bogus-command 42');
      expect(result.error.message).toMatch(/Unknown command/);
    }
    // An incremental-shaped change is checked by FRR's parser too (only the changed lines).
    const badPrefix = await applier.apply(
      nodeConfig([IP5, IP6]).replace('network 203.0.113.6/32', 'network 203.0.113.300/32'),
    );
    expect(badPrefix).toMatchObject({
      kind: 'invalid',
      error: { lineText: expect.stringContaining('network 203.0.113.300/32') },
    });
    const after = await lab.speaker.vtysh.runningConfig();
    expect(after.ok && after.value).toBe(running.ok && running.value);
    expect(await sessions()).toEqual(unchangedSessions(0));
    expect(await applier.apply(nodeConfig([IP5]))).toMatchObject({ kind: 'noop' });
  });

  test('a speaker restart with the unchanged config (frr-reload.py) resets nothing and keeps forwarding off', async () => {
    const restarted = newApplier();
    expect(await restarted.apply(nodeConfig([IP5]))).toMatchObject({
      kind: 'applied',
      method: 'reload',
      reason: 'start',
    });
    // Long enough for the route-map delay timer to re-advertise anything frr-reload.py touched.
    await sleep(6_000);
    expect(await sessions()).toEqual(unchangedSessions(0));
    const forwarding = await run(lab.node.namespace, [
      'sysctl',
      '-n',
      'net.ipv4.ip_forward',
      'net.ipv6.conf.all.forwarding',
    ]);
    expect(forwarding.stdout.split('\n').filter(Boolean)).toEqual(['0', '0']);
    // And the restarted applier continues incrementally.
    expect(await restarted.apply(nodeConfig([IP5, IP6]))).toMatchObject({
      kind: 'applied',
      method: 'incremental',
    });
    await waitForRoute(lab, IP6, true);
  });
});
