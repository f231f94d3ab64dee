// The sync loop on a real FRR repairs what others do to it: a manual `vtysh conf t` change, a bgpd
// killed and restarted by watchfrr, a whole FRR restarted with an empty config.
import { jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createApplier } from '../../src/frr/apply/applier.js';
import { createSyncLoop, type SyncEvent, type SyncLoop } from '../../src/frr/apply/sync-loop.js';
import { silentLogger } from '../../src/k8s/logger.js';
import type { Fabric } from '../../src/lab/fabric.js';
import { nodeConfig, startNodeLab, waitForRoute, waitForSessionsUp, type NodeLab } from './apply-lab.js';

jest.setTimeout(240_000);

const IP5 = '203.0.113.5/32';
const IP6 = '203.0.113.6/32';
const DESIRED = nodeConfig([IP5, IP6]);

describe('the sync loop repairs drift on a real FRR', () => {
  let fabric: Fabric | undefined;
  let lab: NodeLab;
  let loop: SyncLoop | undefined;
  const events: SyncEvent[] = [];
  const registry = new Registry();

  const runningHasBothNetworks = async () => {
    const running = await lab.speaker.vtysh.runningConfig();
    return (
      running.ok &&
      running.value.includes('network 203.0.113.5/32') &&
      running.value.includes('network 203.0.113.6/32')
    );
  };

  beforeAll(async () => {
    lab = await startNodeLab({}, (f) => (fabric = f));
    loop = createSyncLoop({
      applier: createApplier({
        vtysh: lab.speaker.vtysh,
        configFile: join(lab.speaker.configDir, 'frr.conf'),
      }),
      logger: silentLogger(),
      registry,
      verifyIntervalMs: 1_000,
      watchDirectory: lab.speaker.runDir,
      watchSettleMs: 1_000,
      onEvent: (event) => events.push(event),
    });
    await loop.start();
    loop.setDesired(DESIRED);
    await waitForSessionsUp(lab);
    await waitForRoute(lab, IP5, true);
    await waitForRoute(lab, IP6, true);
  });

  afterAll(async () => {
    await loop?.stop();
    expect((await fabric?.destroy()) ?? []).toEqual([]);
  });

  test('a network removed by hand comes back within the check interval', async () => {
    events.length = 0;
    const removed = await lab.speaker.vtysh.commands([
      'configure terminal',
      'router bgp 65100',
      'address-family ipv4 unicast',
      'no network 203.0.113.6/32',
    ]);
    expect(removed.ok).toBe(true);
    await waitForRoute(lab, IP6, false);
    const back = await waitForRoute(lab, IP6, true, 10_000);
    expect(back).toBeLessThan(5_000);
    // The ToR has the route while frr-reload.py still runs its second pass.
    await loop?.idle();
    expect(events).toContainEqual(expect.objectContaining({ kind: 'drift-repaired', method: 'reload' }));
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/ferry_frr_drift_repairs_total [1-9]/);
  });

  test('bgpd killed: watchfrr restarts it from the frr.conf ferry keeps current, routes come back', async () => {
    // ferry keeps frr.conf equal to what it applied, with the lines it does not manage.
    const file = await readFile(join(lab.speaker.configDir, 'frr.conf'), 'utf8');
    expect(file).toContain(DESIRED);
    expect(file).toMatch(/^no ip forwarding$/m);
    events.length = 0;
    const pid = Number((await readFile(join(lab.speaker.runDir, 'bgpd.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGKILL');
    await waitForRoute(lab, IP5, false);
    await waitForSessionsUp(lab, 90_000);
    await waitForRoute(lab, IP5, true, 30_000);
    await waitForRoute(lab, IP6, true, 30_000);
    expect(await runningHasBothNetworks()).toBe(true);
    // The loop looked (the pid / socket files changed) and found FRR already right, or repaired it.
    expect(events.some((e) => e.trigger === 'watch' || e.trigger === 'timer')).toBe(true);
    expect(events.filter((e) => e.kind === 'failed' || e.kind === 'invalid')).toEqual([]);
  });

  test('FRR restarted with an empty config: the loop puts everything back', async () => {
    await fabric!.stopFrr(lab.speaker);
    lab = { ...lab, speaker: await fabric!.startFrr(lab.node, 'frr defaults datacenter\n') };
    const started = performance.now();
    await waitForRoute(lab, IP5, true, 60_000);
    await waitForRoute(lab, IP6, true, 60_000);
    const elapsed = performance.now() - started;
    expect(await runningHasBothNetworks()).toBe(true);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'drift-repaired' }));
    expect(elapsed).toBeLessThan(30_000);
  });
});
