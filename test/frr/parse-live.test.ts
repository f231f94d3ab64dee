// The parsers on live FRR 8.4 output: one node with sessions in every state the parsers tell apart
// (Established v4 + v6 with BFD up, Active towards a missing peer, admin shutdown) against two ToRs.
import { jest } from '@jest/globals';
import {
  parseAdvertisedRoutes,
  parsePrefixAdvertisement,
  peersByAdvertisedPrefix,
} from '../../src/frr/parse/advertised-routes.js';
import { bfdSessionsWithCounters, parseBfdCounters } from '../../src/frr/parse/bfd-counters.js';
import { parseBfdPeers } from '../../src/frr/parse/bfd-peers.js';
import { parseBgpNeighbors, parseBgpNeighborsAllVrfs } from '../../src/frr/parse/bgp-neighbors.js';
import { parseBgpSummaryAllVrfs } from '../../src/frr/parse/bgp-summary.js';
import { Fabric } from '../../src/lab/fabric.js';
import type { FrrInstance } from '../../src/lab/frr-instance.js';
import { torFrrConfigForNodes } from '../../src/lab/tor-config.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { speakerConfig } from '../support/speaker-config.js';

jest.setTimeout(120_000);

const MISSING = '192.0.2.9';
const SHUT = '198.51.100.9';

let fabric: Fabric | undefined;
let node: FrrInstance;
let tor1v4: string, tor1v6: string, tor2v4: string;

beforeAll(async () => {
  fabric = await Fabric.create({ nodes: 1 });
  const [tor1, tor2] = fabric.tors;
  const node1 = fabric.node(1);
  [tor1v4, tor1v6, tor2v4] = [tor1.link.ipv4, tor1.link.ipv6, tor2.link.ipv4];
  await fabric.startFrr(tor1, torFrrConfigForNodes(tor1, [node1], { ipv6: true }));
  await fabric.startFrr(tor2, torFrrConfigForNodes(tor2, [node1]));
  node = await fabric.startFrr(
    node1,
    speakerConfig({
      asn: 65100,
      routerId: node1.linkA.ipv4,
      neighbors: [
        { address: tor1v4, asn: 65000 },
        { address: tor1v6, asn: 65000 },
        { address: tor2v4, asn: 65000 },
        { address: MISSING, asn: 65000 },
        { address: SHUT, asn: 65000, bfd: false, shutdown: true },
      ],
      networks: ['203.0.113.5/32', '2001:db8::5/128'],
    }),
  );
  // Past the BFD flap every cold start shows (docs/design.md §7.2): sessions up for 2 s, prefixes sent.
  const settled = await waitUntil(
    async () => {
      const shown = await node.vtysh.show('show bgp neighbors json');
      const peers = shown.ok ? parseBgpNeighbors(shown.value) : [];
      const ready = [tor1v4, tor1v6, tor2v4].every((address) => {
        const peer = peers.find((p) => p.peer === address);
        const sent = Object.values(peer?.prefixes ?? {}).some((counters) => counters.sent === 1);
        return (peer?.uptimeSeconds ?? 0) >= 2 && peer?.bfd?.status === 'up' && sent;
      });
      return ready
        ? { done: true, value: peers }
        : { done: false, why: JSON.stringify(peers.map((p) => [p.peer, p.state])) };
    },
    { timeoutMs: 60_000 },
  );
  if (!settled.ok) throw new Error(`sessions did not settle: ${settled.last}`);
});

afterAll(async () => {
  expect((await fabric?.destroy()) ?? []).toEqual([]);
});

test('neighbors: every state the lab set up, with BFD and per-family prefixes', async () => {
  const [all, plain] = await Promise.all([
    node.vtysh.show('show bgp vrf all neighbors json'),
    node.vtysh.show('show bgp neighbors json'),
  ]);
  if (!all.ok || !plain.ok) throw new Error('vtysh failed');
  const peers = parseBgpNeighborsAllVrfs(all.value);
  const view = Object.fromEntries(
    peers.map((p) => [p.peer, [p.vrf, p.state, p.adminShutdown, p.bfd?.status ?? 'none', p.remoteAs]]),
  );
  expect(view).toEqual({
    [tor1v4]: ['default', 'Established', false, 'up', 65000],
    [tor1v6]: ['default', 'Established', false, 'up', 65000],
    [tor2v4]: ['default', 'Established', false, 'up', 65000],
    [MISSING]: ['default', 'Active', false, 'down', 65000],
    [SHUT]: ['default', 'Idle', true, 'none', 65000],
  });
  const tor1 = peers.find((p) => p.peer === tor1v4);
  expect(tor1).toMatchObject({
    hostname: 'tor1',
    prefixes: { ipv4Unicast: { sent: 1, received: 0 } },
    uptimeSeconds: expect.any(Number),
    establishedEpoch: expect.any(Number),
    holdTimeSeconds: 9,
  });
  expect(tor1?.messagesSent.opens).toBeGreaterThanOrEqual(1);
  expect(tor1?.messagesReceived.keepalives).toBeGreaterThanOrEqual(1);
  expect(peers.find((p) => p.peer === tor1v6)?.prefixes).toEqual({ ipv6Unicast: { sent: 1, received: 0 } });
  expect(
    parseBgpNeighbors(plain.value)
      .map((p) => p.peer)
      .sort(),
  ).toEqual(peers.map((p) => p.peer).sort());
});

test('summary: the same states and prefix counts', async () => {
  const shown = await node.vtysh.show('show bgp vrf all summary json');
  if (!shown.ok) throw new Error(shown.error.message);
  const view = Object.fromEntries(
    parseBgpSummaryAllVrfs(shown.value).map((p) => [p.peer, [p.state, p.adminShutdown, p.prefixes]]),
  );
  expect(view).toEqual({
    [tor1v4]: ['Established', false, { ipv4Unicast: { sent: 1, received: 0 } }],
    [tor1v6]: ['Established', false, { ipv6Unicast: { sent: 1, received: 0 } }],
    [tor2v4]: ['Established', false, { ipv4Unicast: { sent: 1, received: 0 } }],
    [MISSING]: ['Active', false, { ipv4Unicast: { sent: 0, received: 0 } }],
    [SHUT]: ['Idle', true, { ipv4Unicast: { sent: 0, received: 0 } }],
  });
});

test('BFD: sessions with negotiated timers, paired with their counters', async () => {
  const shown = await node.vtysh.showAll([
    'show bfd peers json',
    'show bfd vrf default peers json',
    'show bfd peers counters json',
  ]);
  if (!shown.ok) throw new Error(shown.error.message);
  const [peersDocument, vrfDefaultDocument, countersDocument] = shown.value;
  const sessions = parseBfdPeers(peersDocument);
  expect(Object.fromEntries(sessions.map((s) => [s.peer, s.status]))).toEqual({
    [tor1v4]: 'up',
    [tor1v6]: 'up',
    [tor2v4]: 'up',
    [MISSING]: 'down',
  });
  expect(sessions.find((s) => s.peer === tor1v4)).toMatchObject({
    local: '192.0.2.11',
    interface: 'eth-a',
    negotiated: { transmitMs: 300, receiveMs: 300, detectionTimeMs: 900 },
  });
  expect(
    parseBfdPeers(vrfDefaultDocument)
      .map((s) => s.peer)
      .sort(),
  ).toEqual(sessions.map((s) => s.peer).sort());
  const paired = bfdSessionsWithCounters(sessions, parseBfdCounters(countersDocument));
  for (const { session, counters } of paired) {
    expect(counters?.peer).toBe(session.peer);
    if (session.status === 'up') expect(counters?.controlPacketsIn).toBeGreaterThan(0);
  }
});

test('advertised routes: which prefix really goes to which peer', async () => {
  const shown = await node.vtysh.showAll([
    `show bgp ipv4 unicast neighbors ${tor1v4} advertised-routes json`,
    `show bgp ipv4 unicast neighbors ${tor2v4} advertised-routes json`,
    `show bgp ipv6 unicast neighbors ${tor1v6} advertised-routes json`,
    `show bgp ipv4 unicast neighbors ${MISSING} advertised-routes json`,
    'show bgp ipv4 unicast 203.0.113.5/32 json',
  ]);
  if (!shown.ok) throw new Error(shown.error.message);
  const [toTor1, toTor2, toTor1v6, toMissing, detail] = shown.value;
  const byPrefix = peersByAdvertisedPrefix([
    { peer: tor1v4, routes: parseAdvertisedRoutes(toTor1) },
    { peer: tor2v4, routes: parseAdvertisedRoutes(toTor2) },
    { peer: tor1v6, routes: parseAdvertisedRoutes(toTor1v6) },
    { peer: MISSING, routes: parseAdvertisedRoutes(toMissing) },
  ]);
  expect(Object.fromEntries(byPrefix)).toEqual({
    '203.0.113.5/32': [tor1v4, tor2v4],
    '2001:db8::5/128': [tor1v6],
  });
  expect(parsePrefixAdvertisement(detail)).toEqual({
    prefix: '203.0.113.5/32',
    advertisedTo: [tor1v4, tor2v4],
  });
});
