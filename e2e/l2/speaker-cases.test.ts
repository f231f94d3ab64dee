// Layer 2 mode with real `ferry speaker` processes, the cases a user's cluster brings beyond the
// basics of speaker.test.ts: IPVS-style nodes (the IP local on kube-ipvs0, strictARP), ownership
// following the endpoints of an externalTrafficPolicy Local Service, IPv6 NDP, the L2Advertisement's
// `interfaces`, a bad L2Advertisement keeping the last valid configuration, and a pool advertised by
// an L2Advertisement and a BGPAdvertisement at once. What is asserted is what a user sees: who
// answers "who has IP?" on the segment (exactly one MAC), the client's neighbour entry, its curl.
// One lab serves every test; each test leaves it as it found it.
import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_ADDRESS, ClusterLab, urlHost } from '../../src/lab/cluster-lab.js';
import {
  L2_SERVICE_IP,
  clientNeighbor,
  l2AdvertisementYaml,
  l2ServiceYaml,
  segmentMac,
  setUpL2,
} from '../../src/lab/l2-lab.js';
import { mustRun, setSysctl } from '../../src/lab/netns.js';
import { endpointSliceYaml } from '../../src/lab/seed-lab.js';
import { waitForNextHops } from '../../src/lab/tor-routes.js';
import { waitUntil } from '../../src/lab/wait-until.js';
import { orderCandidates } from '../../src/l2/election.js';
import { packageRoot } from '../../src/util/package-root.js';
import { addKubeIpvs0Address } from '../../test/support/l2/ipvs.js';
import { answeringMacs, probeNeighbors } from '../../test/support/l2/neighbor-probe.js';

jest.setTimeout(240_000);

const NODES = ['node-21', 'node-22', 'node-23'];
const LOCAL_SERVICE = 'web-l2-local';
const LOCAL_IP = '192.0.2.203';
const V6_SERVICE = 'web-l2-v6';
// on br-a's /64, so the client asks for it with a Neighbor Solicitation
const V6_IP = '2001:db8:ffff:a::202';
const CLIENT_V6 = '2001:db8:ffff:a::100';

interface Listed<S> {
  items: { metadata: { name: string }; status?: S }[];
}

interface L2Status {
  node: string;
  serviceName: string;
  interfaces?: { name: string }[];
}

const first = (ip: string): string => orderCandidates(NODES, ip)[0] ?? '';

describe('layer 2 mode with real speakers: IPVS, ETP Local, IPv6, interfaces, bad config, BGP too', () => {
  let lab: ClusterLab;
  const macs = new Map<string, string>();

  const probe = (ip: string) => probeNeighbors(lab.clientNamespace ?? '', 'eth0', ip, CLIENT_ADDRESS);

  /** Polls until exactly `node`'s MAC answers for ip (nobody, with node undefined). */
  async function answeredBy(ip: string, node: string | undefined, timeoutMs = 20_000) {
    const want = node === undefined ? [] : [macs.get(node) ?? '?'];
    return waitUntil(
      async () => {
        const got = answeringMacs(await probe(ip));
        return got.join(',') === want.join(',')
          ? { done: true, value: got }
          : { done: false, why: `answers from [${got.join(', ')}], want [${want.join(', ')}]` };
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  async function servedBy(ip: string, node: string, timeoutMs = 10_000) {
    return waitUntil(
      async () => {
        const body = await lab.curlFromClient(`http://${urlHost(ip)}/`, 1);
        return body === `hello from ${node}`
          ? { done: true, value: body }
          : { done: false, why: String(body) };
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async function statusOf(service: string, timeoutMs: number, want: (s: L2Status[]) => boolean) {
    return waitUntil(
      async () => {
        const result = await lab.kubectl(['get', 'servicel2statuses', '-n', 'metallb-system', '-o', 'json']);
        const list = JSON.parse(result.stdout || '{"items":[]}') as Listed<L2Status>;
        const mine = list.items.flatMap((item) =>
          item.status?.serviceName === service ? [item.status] : [],
        );
        return want(mine) ? { done: true, value: mine } : { done: false, why: JSON.stringify(mine) };
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  async function configurationStates(): Promise<Array<{ result: string; errorSummary: string }>> {
    const result = await lab.kubectl(['get', 'configurationstates', '-n', 'metallb-system', '-o', 'json']);
    const list = JSON.parse(result.stdout || '{"items":[]}') as Listed<{
      result: string;
      errorSummary: string;
    }>;
    return list.items.flatMap((item) => (item.status === undefined ? [] : [item.status]));
  }

  /** Waits until every speaker's ConfigurationState says `result` (and names `mentioning`). */
  async function allConfigurations(result: 'Valid' | 'Invalid', mentioning = '') {
    return waitUntil(
      async () => {
        const states = await configurationStates();
        return states.length === NODES.length &&
          states.every((s) => s.result === result && s.errorSummary.includes(mentioning))
          ? { done: true, value: states }
          : { done: false, why: JSON.stringify(states) };
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
  }

  /** The message of the first `reason` Event on L2Advertisement `name` (`kubectl describe` shows it). */
  async function l2AdvertisementEvent(name: string, reason: string) {
    return waitUntil(
      async () => {
        const result = await lab.kubectl([
          'get',
          'events',
          '-n',
          'metallb-system',
          '--field-selector',
          `involvedObject.name=${name}`,
          '-o',
          'json',
        ]);
        const list = JSON.parse(result.stdout || '{"items":[]}') as {
          items: { reason: string; message: string; involvedObject: { kind: string } }[];
        };
        const found = list.items.find(
          (e) => e.reason === reason && e.involvedObject.kind === 'L2Advertisement',
        );
        return found === undefined
          ? { done: false, why: 'no event yet' }
          : { done: true, value: found.message };
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
  }

  beforeAll(async () => {
    lab = await ClusterLab.create({ nodes: 3 });
    await lab.apply(readFileSync(join(packageRoot(), 'deploy', 'examples', 'nodes.yaml'), 'utf8'));
    const client = await lab.addClient();
    await mustRun(client, ['ip', 'address', 'add', `${CLIENT_V6}/64`, 'dev', 'eth0', 'nodad']);
    await setUpL2(lab, true);
    for (const node of lab.nodes) macs.set(node.name, await segmentMac(node));
    // ETP Local Service in the same pool; its endpoint's node is chosen per test
    await lab.apply(l2ServiceYaml({ name: LOCAL_SERVICE, ip: LOCAL_IP, externalTrafficPolicy: 'Local' }));
    await lab.writeIngress(LOCAL_SERVICE, LOCAL_IP);
    // an IPv6 pool on br-a's /64 with an L2Advertisement of its own
    await lab.apply(
      [
        'apiVersion: metallb.io/v1beta1',
        'kind: IPAddressPool',
        'metadata: {name: l2-pool-v6, namespace: metallb-system}',
        'spec: {addresses: ["2001:db8:ffff:a::200-2001:db8:ffff:a::220"], autoAssign: false}',
        '---',
        'apiVersion: metallb.io/v1beta1',
        'kind: L2Advertisement',
        'metadata: {name: l2-adv-v6, namespace: metallb-system}',
        'spec: {ipAddressPools: [l2-pool-v6]}',
        '---',
        l2ServiceYaml({ name: V6_SERVICE, ip: V6_IP }),
        '---',
        endpointSliceYaml(V6_SERVICE, NODES),
      ].join('\n'),
    );
    await lab.writeIngress(V6_SERVICE, V6_IP);
    for (const node of lab.nodes) {
      await lab.startBackend(node, LOCAL_IP);
      await lab.startBackend(node, V6_IP);
    }
    // BGP peers from the start (for the last test), so their sessions come up while the others run
    const examples = join(packageRoot(), 'deploy', 'examples');
    for (const file of ['bfd-profile.yaml', 'bgp-peers.yaml'])
      await lab.apply(readFileSync(join(examples, file), 'utf8'));
    for (const node of lab.nodes) lab.startSpeaker(node);
  });

  afterAll(async () => {
    expect(await lab?.destroy()).toEqual([]);
  });

  test('IPVS-style nodes (the IP local on kube-ipvs0, arp_ignore=1, arp_announce=2): only the owner answers', async () => {
    // kube-proxy in IPVS mode holds every Service IP on kube-ipvs0 of every node; strictARP keeps
    // the kernels silent, so the one answer must come from the owner's speaker
    for (const node of lab.nodes) {
      await addKubeIpvs0Address(node.handle.namespace, L2_SERVICE_IP);
      await mustRun(node.handle.namespace, ['ip', 'address', 'del', `${L2_SERVICE_IP}/32`, 'dev', 'lo']);
    }
    const owner = first(L2_SERVICE_IP);
    expect(await answeredBy(L2_SERVICE_IP, owner, 60_000)).toMatchObject({ ok: true });
    expect(await servedBy(L2_SERVICE_IP, owner)).toMatchObject({ ok: true });
    expect(await clientNeighbor(lab)).toBe(macs.get(owner));
    // what strictARP prevents: with arp_ignore=0 a node's kernel answers for the IP on kube-ipvs0 too
    const other = lab.node(NODES.find((node) => node !== owner) ?? '');
    await setSysctl(other.handle.namespace, 'net.ipv4.conf.all.arp_ignore', 0);
    const both = answeringMacs(await probe(L2_SERVICE_IP)).sort();
    await setSysctl(other.handle.namespace, 'net.ipv4.conf.all.arp_ignore', 1);
    expect(both).toEqual([macs.get(owner), macs.get(other.name)].sort());
    expect(answeringMacs(await probe(L2_SERVICE_IP))).toEqual([macs.get(owner)]);
    // the speaker answers on the node's real interfaces, never on kube-ipvs0
    const status = await statusOf('web-l2', 10_000, (s) => s.length === 1 && s[0]?.node === owner);
    expect(status).toMatchObject({ ok: true });
    if (status.ok) expect(status.value[0]?.interfaces?.map((i) => i.name)).not.toContain('kube-ipvs0');
  });

  test('externalTrafficPolicy Local: the owner is the node with the ready endpoint, and moves with it', async () => {
    // endpoints on nodes that do not come first in MetalLB's order: ownership follows endpoints
    const [, second, third] = orderCandidates(NODES, LOCAL_IP) as [string, string, string];
    await lab.apply(endpointSliceYaml(LOCAL_SERVICE, [second]));
    expect(await answeredBy(LOCAL_IP, second)).toMatchObject({ ok: true });
    expect(await servedBy(LOCAL_IP, second)).toMatchObject({ ok: true });

    const moved = performance.now();
    await lab.apply(endpointSliceYaml(LOCAL_SERVICE, [third]));
    expect(await answeredBy(LOCAL_IP, third)).toMatchObject({ ok: true });
    // the new owner's gratuitous ARP moved the client's existing entry: it is served at once
    expect(await clientNeighbor(lab, LOCAL_IP)).toBe(macs.get(third));
    expect(await servedBy(LOCAL_IP, third)).toMatchObject({ ok: true });
    process.stdout.write(
      `layer2 ETP Local: endpoint moved -> client served by ${third} after ${Math.round(performance.now() - moved)} ms\n`,
    );
    const status = await statusOf(LOCAL_SERVICE, 10_000, (s) => s.length === 1 && s[0]?.node === third);
    expect(status).toMatchObject({ ok: true });

    // no ready endpoint anywhere: nobody answers
    await lab.apply(endpointSliceYaml(LOCAL_SERVICE, []));
    expect(await answeredBy(LOCAL_IP, undefined)).toMatchObject({ ok: true });
  });

  test('IPv6: the owner alone answers the Neighbor Solicitation sent to the solicited-node group', async () => {
    const owner = first(V6_IP);
    expect(await answeredBy(V6_IP, owner)).toMatchObject({ ok: true });
    expect(await servedBy(V6_IP, owner)).toMatchObject({ ok: true });
    expect(await clientNeighbor(lab, V6_IP)).toBe(macs.get(owner));
  });

  test('interfaces: the owner answers only on the interfaces the L2Advertisement names', async () => {
    const owner = first(L2_SERVICE_IP);
    // eth-b is on the other segment (br-b): the client's segment gets no answer
    await lab.apply(l2AdvertisementYaml(undefined, ['eth-b']));
    expect(await answeredBy(L2_SERVICE_IP, undefined)).toMatchObject({ ok: true });
    const onB = await statusOf('web-l2', 10_000, (s) =>
      s.some((item) => item.interfaces?.map((i) => i.name).join(',') === 'eth-b'),
    );
    expect(onB).toMatchObject({ ok: true });
    if (onB.ok) expect(onB.value.map((item) => item.node)).toEqual([owner]);

    await lab.apply(l2AdvertisementYaml(undefined, ['eth-a']));
    expect(await answeredBy(L2_SERVICE_IP, owner)).toMatchObject({ ok: true });
    await lab.apply(l2AdvertisementYaml());
    expect(await answeredBy(L2_SERVICE_IP, owner)).toMatchObject({ ok: true });
  });

  test('a bad L2Advertisement is reported on the object and the field; the last valid configuration stays', async () => {
    const owner = first(L2_SERVICE_IP);
    // were it applied, its nodeSelectors would move the IP away from the owner
    const other = NODES.find((node) => node !== owner) ?? '';
    await lab.apply(
      [
        'apiVersion: metallb.io/v1beta1',
        'kind: L2Advertisement',
        'metadata: {name: l2-adv, namespace: metallb-system}',
        'spec:',
        '  ipAddressPools: [l2-pool]',
        '  nodeSelectors:',
        '    - matchExpressions:',
        `        - {key: kubernetes.io/hostname, operator: In, values: [${other}]}`,
        '        - {key: zone, operator: In, values: []}',
      ].join('\n'),
    );
    const field = 'L2Advertisement metallb-system/l2-adv: spec.nodeSelectors[0].matchExpressions[1].values';
    const invalid = await allConfigurations('Invalid', field);
    expect(invalid).toMatchObject({ ok: true });
    // every speaker has seen it: still the same owner, alone, serving
    expect(answeringMacs(await probe(L2_SERVICE_IP))).toEqual([macs.get(owner)]);
    expect(await servedBy(L2_SERVICE_IP, owner, 2_000)).toMatchObject({ ok: true });
    const event = await l2AdvertisementEvent('l2-adv', 'InvalidConfiguration');
    expect(event.ok && event.value).toContain('spec.nodeSelectors[0].matchExpressions[1].values');

    await lab.apply(l2AdvertisementYaml());
    expect(await allConfigurations('Valid')).toMatchObject({ ok: true });

    // a pool name MetalLB accepts but nothing matches: a Warning on the object, nothing rejected
    await lab.apply(
      [
        'apiVersion: metallb.io/v1beta1',
        'kind: L2Advertisement',
        'metadata: {name: l2-adv-typo, namespace: metallb-system}',
        'spec: {ipAddressPools: [l2-pol]}',
      ].join('\n'),
    );
    const warned = await l2AdvertisementEvent('l2-adv-typo', 'ConfigurationWarning');
    expect(warned.ok && warned.value).toContain(
      'spec.ipAddressPools[0]: IPAddressPool "l2-pol" does not exist',
    );
    expect(await allConfigurations('Valid')).toMatchObject({ ok: true });
    expect(answeringMacs(await probe(L2_SERVICE_IP))).toEqual([macs.get(owner)]);
    await lab.kubectl(['delete', 'l2advertisement', 'l2-adv-typo', '-n', 'metallb-system']);
  });

  test('a pool advertised by an L2Advertisement and a BGPAdvertisement at once: ARP from the owner, routes at the ToR', async () => {
    await lab.apply(
      [
        'apiVersion: metallb.io/v1beta1',
        'kind: BGPAdvertisement',
        'metadata: {name: l2-pool-bgp, namespace: metallb-system}',
        'spec: {ipAddressPools: [l2-pool]}',
      ].join('\n'),
    );
    // ETP Cluster: every node announces it over BGP; the ToR forwards to all three
    const tor1 = lab.tors[0];
    if (tor1 === undefined) throw new Error('no tor1');
    const hops = await waitForNextHops(
      tor1,
      `${L2_SERVICE_IP}/32`,
      lab.nodes.map((node) => node.handle.linkA.ipv4),
      60_000,
    );
    expect(hops).toMatchObject({ ok: true });
    // and on the segment the owner alone still answers ARP
    const owner = first(L2_SERVICE_IP);
    expect(answeringMacs(await probe(L2_SERVICE_IP))).toEqual([macs.get(owner)]);
    expect(await servedBy(L2_SERVICE_IP, owner, 2_000)).toMatchObject({ ok: true });
  });
});
