// The vty channel against a real FRR 8.4 bgpd: the protocol as vtysh speaks it (enable, configure,
// NUL-terminated commands, 00 00 00 <status> trailer), a network added and removed through it reaches
// and leaves the ToRs without any session reset, refusals carry FRR's own message (as `vtysh -c`
// prints it), and a bgpd killed and restarted by watchfrr is reconnected to.
import { jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApplier, type Applier } from '../../src/frr/apply/applier.js';
import { createVtyChannel, vtySocketPath, type VtyChannel } from '../../src/frr/vty-channel.js';
import type { Fabric } from '../../src/lab/fabric.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import {
  nodeConfig,
  routeAt,
  sessionAt,
  startNodeLab,
  waitForRoute,
  waitForSessionsUp,
  type NodeLab,
} from './apply-lab.js';

jest.setTimeout(180_000);

const IP5 = '203.0.113.5/32';
const IP7 = '203.0.113.7/32';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('vty channel to a real bgpd', () => {
  let fabric: Fabric | undefined;
  let lab: NodeLab;
  let channel: VtyChannel;
  let applier: Applier;
  let classRouteMap: string;

  const sessions = () => Promise.all(lab.tors.map((tor, i) => sessionAt(tor, lab.nodeAddresses[i] ?? '')));
  const networkCommands = (line: string) => [
    'configure terminal',
    'router bgp 65100',
    'address-family ipv4 unicast',
    line,
    'end',
  ];

  beforeAll(async () => {
    lab = await startNodeLab({}, (f) => (fabric = f));
    channel = createVtyChannel({ socketPath: vtySocketPath(lab.speaker.runDir, 'bgpd') });
    applier = createApplier({
      vtysh: lab.speaker.vtysh,
      configFile: join(lab.speaker.configDir, 'frr.conf'),
      bgpdChannel: channel,
    });
    const desired = nodeConfig([IP5]);
    expect(await applier.apply(desired)).toMatchObject({ kind: 'applied', method: 'reload' });
    classRouteMap = /network \S+ route-map (\S+)/.exec(desired)?.[1] ?? '';
    expect(classRouteMap).not.toBe('');
    await waitForSessionsUp(lab);
    await waitForRoute(lab, IP5, true);
    // Past bgpd's route-map delay timer, which re-evaluates the new route maps once.
    await sleep(6_000);
  });

  afterAll(async () => {
    channel?.close();
    expect((await fabric?.destroy()) ?? []).toEqual([]);
  });

  test('show commands: bgpd output, JSON intact', async () => {
    const result = await channel.run(['show bgp ipv4 unicast summary json']);
    expect(result.ok).toBe(true);
    const output = result.ok ? (result.value[0]?.output ?? '') : '';
    const summary = JSON.parse(output) as { as?: number; peers?: Record<string, unknown> };
    expect(summary.as).toBe(65100);
    expect(Object.keys(summary.peers ?? {}).sort()).toEqual(['192.0.2.1', '198.51.100.1']);
  });

  test('a network added and removed through the channel: the ToRs learn and withdraw it, one UPDATE each, no reset', async () => {
    const before = await sessions();
    const line = `network ${IP7} route-map ${classRouteMap}`;

    const started = performance.now();
    const added = await channel.run(networkCommands(line));
    const addMs = performance.now() - started;
    expect(added).toMatchObject({ ok: true });
    await waitForRoute(lab, IP7, true);
    expect(await routeAt(lab.tors[0]!, IP7)).toEqual({ community: '65000:100', largeCommunity: undefined });
    const running = await lab.speaker.vtysh.runningConfig();
    expect(running.ok && running.value).toContain(` ${line}\n`);

    const removed = await channel.run(networkCommands(`no ${line}`));
    expect(removed).toMatchObject({ ok: true });
    await waitForRoute(lab, IP7, false);

    expect(await sessions()).toEqual(before.map((s) => ({ ...s, updatesReceived: s.updatesReceived + 2 })));
    // A socket round trip per command, not a process: far below one vtysh call (~40 ms or more).
    expect(addMs).toBeLessThan(40);
  });

  test('refused commands stop the batch with FRR message and status, as vtysh -c prints them', async () => {
    const semantic = await channel.run([
      'configure terminal',
      'router bgp 65100',
      'neighbor 192.0.2.50 route-map X out',
      `network ${IP7} route-map ${classRouteMap}`,
      'end',
    ]);
    expect(semantic).toMatchObject({
      ok: false,
      error: {
        kind: 'rejected',
        index: 2,
        // CMD_WARNING_CONFIG_FAILED: what `vtysh -f` reports as `Failure to communicate[13]`
        status: 13,
        message: '% Specify remote-as or peer-group commands first',
      },
    });
    const unknown = await channel.run(['configure terminal', 'router bgp 65100', 'bgp bogus-command 42']);
    expect(unknown).toMatchObject({
      ok: false,
      error: {
        kind: 'rejected',
        index: 2,
        status: 2,
        message: '% [BGP] Unknown command: bgp bogus-command 42',
      },
    });
    const otherAs = await channel.run(['configure terminal', 'router bgp 65999']);
    expect(otherAs).toMatchObject({
      ok: false,
      error: {
        kind: 'rejected',
        index: 1,
        message: expect.stringContaining('BGP is already running; AS is 65100'),
      },
    });
    // Nothing after the refused command ran.
    const running = await lab.speaker.vtysh.runningConfig();
    expect(running.ok && running.value).not.toContain(IP7);
  });

  test('the applier sends Service churn over the channel; FRR then prints what the applier predicts', async () => {
    const before = await sessions();
    expect(await applier.apply(nodeConfig([IP5, IP7]))).toMatchObject({ kind: 'applied', method: 'channel' });
    await waitForRoute(lab, IP7, true);
    // noop = `show running-config` equals the prediction (the remembered config plus the edits)
    expect(await applier.apply(nodeConfig([IP5, IP7]))).toMatchObject({ kind: 'noop' });
    expect(await applier.apply(nodeConfig([IP5]))).toMatchObject({ kind: 'applied', method: 'channel' });
    await waitForRoute(lab, IP7, false);
    expect(await applier.apply(nodeConfig([IP5]))).toMatchObject({ kind: 'noop' });
    expect(await sessions()).toEqual(before.map((s) => ({ ...s, updatesReceived: s.updatesReceived + 2 })));
    expect(await readFile(join(lab.speaker.configDir, 'frr.conf'), 'utf8')).toContain(nodeConfig([IP5]));
  });

  test('bgpd killed and restarted by watchfrr: the channel reconnects', async () => {
    expect(await channel.run(['show bgp ipv4 unicast summary json'])).toMatchObject({ ok: true });
    const pid = Number((await readFile(join(lab.speaker.runDir, 'bgpd.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGKILL');
    // The channel notices the closed connection and answers not-running until bgpd is back.
    const down = await waitUntil(
      async () => {
        const result = await channel.run(['show bgp ipv4 unicast summary json']);
        return !result.ok
          ? { done: true, value: result.error.kind }
          : { done: false, why: 'still answering' };
      },
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(down.ok && down.value).toMatch(/not-running|disconnected/);
    const back = await waitUntil(
      async () => {
        const result = await channel.run(['show bgp ipv4 unicast summary json']);
        return result.ok ? { done: true, value: result.value } : { done: false, why: result.error.message };
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(back.ok).toBe(true);
    // The restarted bgpd loaded frr.conf (watchfrr) and takes changes through the new connection.
    await waitForSessionsUp(lab, 90_000);
    await waitForRoute(lab, IP5, true, 30_000);
    const line = `network ${IP7} route-map ${classRouteMap}`;
    expect(await channel.run(networkCommands(line))).toMatchObject({ ok: true });
    await waitForRoute(lab, IP7, true);
    expect(await channel.run(networkCommands(`no ${line}`))).toMatchObject({ ok: true });
    await waitForRoute(lab, IP7, false);
    // And the applier keeps using it.
    expect(await applier.apply(nodeConfig([IP5, IP7]))).toMatchObject({ kind: 'applied', method: 'channel' });
    await waitForRoute(lab, IP7, true);
  });
});
