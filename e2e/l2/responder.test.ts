// The ARP/NDP responder on a real Ethernet segment (network namespaces): only the owner answers,
// with its interface's MAC, also when kube-proxy's IPVS mode holds the IP locally with strictARP;
// a new owner's gratuitous announcements move the client's neighbour entry; the old owner falls
// silent at once.
import { jest } from '@jest/globals';
import { answeringMacs as macs } from '../../test/support/l2/neighbor-probe.js';
import { L2Segment } from '../../test/support/l2/segment.js';

jest.setTimeout(120_000);

const IPV4 = '198.51.100.200';
const IPV6 = '2001:db8:5::200';

describe('L2 responder on a segment', () => {
  let segment: L2Segment;

  beforeAll(async () => {
    segment = await L2Segment.create(2);
    await segment.addServiceIp(IPV4);
    await segment.addServiceIp(IPV6);
  });

  afterAll(async () => {
    expect(await segment.destroy()).toEqual([]);
  });

  it('with the IP local on kube-ipvs0 (strictARP), no one answers until a node owns it', async () => {
    expect((await segment.probe(IPV4)).replies).toEqual([]);
    expect((await segment.probe(IPV6)).replies).toEqual([]);
  });

  it('only the owner answers ARP and NDP, with its MAC; ownership moves with gratuitous announcements', async () => {
    const [node1, node2] = [segment.node(0), segment.node(1)];
    const first = await segment.startResponder(node1, { FERRY_TEST_GRATUITOUS_MS: '200' });
    const second = await segment.startResponder(node2, { FERRY_TEST_GRATUITOUS_MS: '200' });
    await first.own([{ ip: IPV4 }, { ip: IPV6 }]);
    await second.own([]);

    expect(macs(await segment.probe(IPV4))).toEqual([node1.mac]);
    expect(macs(await segment.probe(IPV6))).toEqual([node1.mac]);
    // the client's own kernel accepts the answers
    expect(await segment.clientResolve(IPV4)).toBe(node1.mac);
    expect(await segment.clientResolve(IPV6)).toBe(node1.mac);

    // hand-over: the old owner stops first, the new one announces
    await first.own([]);
    await second.own([{ ip: IPV4 }, { ip: IPV6 }]);
    expect(macs(await segment.probe(IPV4))).toEqual([node2.mac]);
    expect(macs(await segment.probe(IPV6))).toEqual([node2.mac]);
    // gratuitous ARP / unsolicited NA updated the client's existing entries without it asking
    expect(await segment.clientNeighbor(IPV4)).toBe(node2.mac);
    expect(await segment.clientNeighbor(IPV6)).toBe(node2.mac);

    const counts = await second.counts();
    expect(counts.requests).toBeGreaterThanOrEqual(2);
    expect(counts.responses).toBe(counts.requests);
    expect(counts.gratuitous).toBeGreaterThan(0);
    first.kill();
    second.kill();
  });

  it('answers only on the interfaces the advertisement names', async () => {
    const responder = await segment.startResponder(segment.node(0));
    await responder.own([{ ip: IPV4, interfaces: ['eth1'] }]);
    expect((await segment.probe(IPV4)).replies).toEqual([]);
    await responder.own([{ ip: IPV4, interfaces: ['eth0'] }]);
    expect(macs(await segment.probe(IPV4))).toEqual([segment.node(0).mac]);
    responder.kill();
  });
});
