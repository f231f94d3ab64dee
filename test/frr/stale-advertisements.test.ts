// On a real FRR 8.4: a host route bgpd advertises without a desired network line behind it is
// withdrawn by the applier's repair (`network P` then `no network P`), with no session reset and no
// change to the other routes.
import { jest } from '@jest/globals';
import { join } from 'node:path';
import { createApplier, type Applier } from '../../src/frr/apply/applier.js';
import { desiredRouters } from '../../src/frr/apply/stale-advertisements.js';
import type { Fabric } from '../../src/lab/fabric.js';
import {
  nodeConfig,
  routeAt,
  sessionAt,
  startNodeLab,
  waitForRoute,
  waitForSessionsUp,
  type NodeLab,
} from './apply-lab.js';

jest.setTimeout(240_000);

const IP5 = '203.0.113.5/32';
const IP6 = '203.0.113.6/32';
const DESIRED = nodeConfig([IP5]);

describe('stale advertisements on a real FRR', () => {
  let fabric: Fabric | undefined;
  let lab: NodeLab;
  let applier: Applier;

  beforeAll(async () => {
    lab = await startNodeLab({}, (f) => (fabric = f));
    applier = createApplier({
      vtysh: lab.speaker.vtysh,
      configFile: join(lab.speaker.configDir, 'frr.conf'),
    });
    expect((await applier.apply(DESIRED)).kind).toBe('applied');
    await waitForSessionsUp(lab);
    await waitForRoute(lab, IP5, true);
  });

  afterAll(async () => {
    expect((await fabric?.destroy()) ?? []).toEqual([]);
  });

  test('a route advertised with no desired network line is withdrawn; sessions and other routes stay', async () => {
    const router = desiredRouters(DESIRED).get('')?.router ?? '';
    const routeMap = /network 203\.0\.113\.5\/32 route-map (\S+)/.exec(DESIRED)?.[1] ?? '';
    // bgpd originates IP6 (with the community the ToRs accept) though the desired config does not.
    const added = await lab.speaker.vtysh.commands([
      'configure terminal',
      router,
      'address-family ipv4 unicast',
      `network ${IP6} route-map ${routeMap}`,
    ]);
    expect(added.ok).toBe(true);
    await waitForRoute(lab, IP6, true);
    const before = await Promise.all(lab.tors.map((tor, i) => sessionAt(tor, lab.nodeAddresses[i] ?? '')));
    const ip5Before = await Promise.all(lab.tors.map((tor) => routeAt(tor, IP5)));

    const result = await applier.clearStaleAdvertisements([
      { router, family: 'address-family ipv4 unicast', prefix: IP6 },
      // desired: left alone
      { router, family: 'address-family ipv4 unicast', prefix: IP5 },
    ]);
    expect(result).toEqual({ kind: 'cleared', prefixes: [IP6] });
    await waitForRoute(lab, IP6, false, 10_000);

    const after = await Promise.all(lab.tors.map((tor, i) => sessionAt(tor, lab.nodeAddresses[i] ?? '')));
    after.forEach((session, i) => {
      expect(session.state).toBe('Established');
      expect(session.connectionsEstablished).toBe(before[i]?.connectionsEstablished);
    });
    expect(await Promise.all(lab.tors.map((tor) => routeAt(tor, IP5)))).toEqual(ip5Before);
    const running = await lab.speaker.vtysh.runningConfig();
    expect(running.ok && running.value.includes(IP6)).toBe(false);
    // the applier still trusts the running config: the next apply of the same text is a no-op
    expect((await applier.apply(DESIRED)).kind).toBe('noop');
  });
});
